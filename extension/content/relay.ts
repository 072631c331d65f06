/**
 * The isolated-world relay. It trusts nothing from the page: it takes only well-shaped event messages
 * posted by the page's own window, numbers them itself (the page never chooses a load id or sequence
 * number), and keeps every event until the background acknowledges it, re-sending after a worker restart.
 */
import { LIMITS, PAGE_SOURCE, PAGE_UNLOAD_EVENT, PROTOCOL_VERSION, RELAY_PORT_NAME, RELAY_SOURCE, RUM_EVENT_TYPES } from '../../sdk/schema';
import type { BackgroundToRelay, RelayToBackground, RelayToPage, RumEvent, SessionInfo } from '../../sdk/schema';
import { ext } from '../platform';

const FLUSH_DELAY_MS = 100;
const BATCH_MAX = LIMITS.maxEventsPerMessage;
const EVENT_TYPES = new Set<string>(RUM_EVENT_TYPES);
/** Keys only the extension may set: an event carrying one is forged. */
const RESERVED_KEYS = ['sessionId', 'loadId', 'seq', 'tabId', 'frameId', 'schema', '__proto__', 'constructor', 'prototype'];
/** Page messages per second the relay will even look at. */
const PAGE_MESSAGES_PER_SECOND = 2000;

const loadId = crypto.randomUUID();
let nextSeq = 0;
let unacked: { seq: number; event: RumEvent; chars: number }[] = [];
let unackedChars = 0;
/** Held while unacknowledged at most (characters of JSON); beyond, new events are dropped and counted. */
const MAX_UNACKED_CHARS = 32 * 1024 * 1024;
/** Delay before reconnecting after the port closed: doubles while nothing is acknowledged (a worker that
 * keeps refusing is not hammered), back to the minimum on the next acknowledgement. */
const RECONNECT_MIN_MS = 50;
const RECONNECT_MAX_MS = 30_000;
let reconnectDelay = RECONNECT_MIN_MS;
let sentUpTo = 0; // every unacked event with seq below this has been posted on the current port
let dropped = 0;
let port: chrome.runtime.Port | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
let lastSession: string | undefined;
let windowStart = 0;
let windowCount = 0;

function isWellShaped(event: unknown): event is RumEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return false;
  const type = (event as { type?: unknown }).type;
  if (typeof type !== 'string' || !EVENT_TYPES.has(type)) return false;
  for (const key of RESERVED_KEYS) if (Object.prototype.hasOwnProperty.call(event, key)) return false;
  return true;
}

/** The only keys a page message may have, per kind: anything else marks it as forged. */
const MESSAGE_KEYS: Record<string, readonly string[]> = {
  events: ['source', 'protocol', 'kind', 'events'],
  control: ['source', 'protocol', 'kind', 'command'],
  replay: ['source', 'protocol', 'kind', 'segment'],
};

// ---- replay: its own channel (own sequence, size limit and unacknowledged budget; see sdk/schema/replay.ts) ----
let nextReplaySeq = 0;
let replayUnacked: { seq: number; segment: string; sent: boolean }[] = [];
let replayUnackedChars = 0;

/** Takes one replay segment (a JSON string; the background parses and checks it). */
function acceptReplay(segment: unknown): boolean {
  if (typeof segment !== 'string' || !segment.length || segment.length > LIMITS.maxReplaySegmentChars) return drop();
  if (replayUnackedChars + segment.length > LIMITS.maxUnackedReplayChars) return drop();
  replayUnacked.push({ seq: nextReplaySeq++, segment, sent: false });
  replayUnackedChars += segment.length;
  schedule();
  return true;
}

function flushReplay() {
  for (const item of replayUnacked) {
    if (item.sent) continue;
    if (!send({ protocol: PROTOCOL_VERSION, kind: 'replay', loadId, seq: item.seq, segment: item.segment })) return schedule(250);
    item.sent = true;
  }
}

function onReplayAck(seq: number) {
  const index = replayUnacked.findIndex((item) => item.seq === seq);
  if (index < 0) return;
  replayUnackedChars -= replayUnacked[index]!.segment.length;
  replayUnacked.splice(index, 1);
}

function onPageMessage(message: MessageEvent) {
  if (message.source !== window) return;
  acceptPageMessage(message.data);
}

/**
 * While the page is being hidden or unloaded, the SDK hands over its last events synchronously as a
 * CustomEvent carrying a JSON string (a posted message would be dropped with the document). The same
 * checks apply: it is just another way for the page to say the same thing.
 */
function onPageUnloadEvent(event: Event) {
  const detail = (event as CustomEvent<unknown>).detail;
  if (typeof detail !== 'string' || detail.length > LIMITS.maxReplaySegmentChars + 1024) return drop();
  // Only a replay segment may be that long.
  if (detail.length > LIMITS.maxMessageChars && !detail.includes('"kind":"replay"')) return drop();
  let data: unknown;
  try {
    data = JSON.parse(detail);
  } catch {
    return drop();
  }
  // Flush at once only what was accepted (a refused message costs a counter, never a write).
  if (acceptPageMessage(data)) flush();
}

/** Takes one page message; true when it brought events to send. */
function acceptPageMessage(raw: unknown): boolean {
  const data = raw as { source?: unknown; protocol?: unknown; kind?: unknown; events?: unknown; command?: unknown } | null;
  if (typeof data !== 'object' || data === null || data.source !== PAGE_SOURCE) return false;
  const now = performance.now();
  if (now - windowStart > 1000) {
    windowStart = now;
    windowCount = 0;
  }
  if (++windowCount > PAGE_MESSAGES_PER_SECOND) return drop();
  if (data.protocol !== PROTOCOL_VERSION) return drop();
  const kind = String(data.kind);
  const allowed = Object.hasOwn(MESSAGE_KEYS, kind) ? MESSAGE_KEYS[kind] : undefined;
  if (!allowed || Object.keys(data).some((key) => !allowed.includes(key)) || Object.hasOwn(data, '__proto__')) {
    return drop();
  }
  if (data.kind === 'replay') return acceptReplay((data as { segment?: unknown }).segment);
  if (data.kind === 'control') {
    if (data.command !== 'startReplay') return drop();
    // Events first: the background finds the page's session through them (a page may force replay at once).
    flush();
    send({ protocol: PROTOCOL_VERSION, kind: 'control', loadId, command: 'startReplay' });
    return false;
  }
  if (!Array.isArray(data.events) || data.events.length > LIMITS.maxEventsPerMessage) return drop();
  if (!data.events.every(isWellShaped)) return drop();
  let added = 0;
  for (const event of data.events) {
    // Size is judged per event: one oversized event is dropped, not the rest of its message.
    let chars: number;
    try {
      chars = JSON.stringify(event).length;
    } catch {
      dropped++;
      continue;
    }
    if (chars > LIMITS.maxEventChars || unacked.length >= LIMITS.maxUnackedEvents || unackedChars + chars > MAX_UNACKED_CHARS) {
      dropped++;
      continue;
    }
    unacked.push({ seq: nextSeq++, event, chars });
    unackedChars += chars;
    added++;
  }
  schedule();
  return added > 0;
}

function drop(): false {
  dropped++;
  schedule();
  return false;
}

function schedule(delay = FLUSH_DELAY_MS) {
  if (timer === undefined) timer = setTimeout(flush, delay);
}

function connect(): chrome.runtime.Port | null {
  if (port) return port;
  try {
    const next = ext.runtime.connect({ name: RELAY_PORT_NAME });
    next.onMessage.addListener(onBackgroundMessage);
    next.onDisconnect.addListener(() => {
      if (port !== next) return; // an old port closing late changes nothing
      port = null;
      sentUpTo = 0; // whatever was in flight may be lost with the worker: send it again
      for (const item of replayUnacked) item.sent = false;
      if (unacked.length || replayUnacked.length) {
        schedule(reconnectDelay);
        reconnectDelay = Math.min(RECONNECT_MAX_MS, reconnectDelay * 2);
      }
    });
    port = next;
    sentUpTo = 0;
    for (const item of replayUnacked) item.sent = false;
  } catch {
    // The extension was reloaded or removed: this relay is orphaned and can do nothing.
    port = null;
  }
  return port;
}

function send(message: RelayToBackground): boolean {
  const target = connect();
  if (!target) return false;
  try {
    target.postMessage(message);
    return true;
  } catch {
    port = null;
    return false;
  }
}

function flush() {
  timer = undefined;
  if (replayUnacked.length && connect()) flushReplay();
  const pending = unacked.filter((item) => item.seq >= sentUpTo);
  if (!pending.length && !dropped) return;
  if (!connect()) return;
  const droppedNow = dropped;
  for (let i = 0; i < Math.max(pending.length, 1); i += BATCH_MAX) {
    const slice = pending.slice(i, i + BATCH_MAX);
    const ok = send({
      protocol: PROTOCOL_VERSION,
      kind: 'batch',
      loadId,
      first: slice[0]?.seq ?? nextSeq,
      events: slice.map((item) => item.event),
      dropped: i === 0 ? droppedNow : 0,
    });
    if (!ok) return schedule(250);
    if (slice.length) sentUpTo = slice[slice.length - 1]!.seq + 1;
  }
  dropped -= droppedNow;
}

function onBackgroundMessage(message: BackgroundToRelay) {
  if (message?.kind === 'replayAck' && message.loadId === loadId) return onReplayAck(message.seq);
  if (message?.kind !== 'ack' || message.loadId !== loadId) return;
  reconnectDelay = RECONNECT_MIN_MS;
  if (unacked.length && unacked[0]!.seq < message.upTo) {
    const kept = unacked.filter((item) => item.seq >= message.upTo);
    for (const item of unacked) if (item.seq < message.upTo) unackedChars -= item.chars;
    unacked = kept;
  }
  tellPage(message.session);
}

function tellPage(session: SessionInfo) {
  const key = JSON.stringify(session);
  if (key === lastSession) return;
  lastSession = key;
  const note: RelayToPage = { source: RELAY_SOURCE, protocol: PROTOCOL_VERSION, kind: 'session', session };
  window.postMessage(note, location.origin === 'null' ? '*' : location.origin);
}

window.addEventListener('message', onPageMessage);
window.addEventListener(PAGE_UNLOAD_EVENT, onPageUnloadEvent);
// Connect at once rather than with the first batch: a page left within its first 100 ms would otherwise open
// its port during pagehide, and a port opened while the document goes away can lose what is sent on it.
connect();
// Leaving the page: hand over what is queued right away.
window.addEventListener('pagehide', () => flush());
// Back from the back/forward cache: the port was closed on the way in; reconnect and re-send.
window.addEventListener('pageshow', (event) => {
  if (event.persisted) {
    const old = port;
    port = null;
    sentUpTo = 0;
    for (const item of replayUnacked) item.sent = false;
    try {
      old?.disconnect();
    } catch {
      /* already closed on the way into the cache */
    }
    if (unacked.length || replayUnacked.length) schedule(0);
  }
});
