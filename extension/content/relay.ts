/**
 * The isolated-world relay. It trusts nothing from the page: it takes only well-shaped event messages
 * posted by the page's own window, numbers them itself (the page never chooses a load id or sequence
 * number), and keeps every event until the background acknowledges it, re-sending after a worker restart.
 */
import { LIMITS, PAGE_MESSAGE_ID_MAX_CHARS, PAGE_SOURCE, PAGE_UNLOAD_EVENT, PROTOCOL_VERSION, RELAY_SOURCE, RUM_EVENT_TYPES, relayPortName } from '../../sdk/schema';
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
/** Every unacked event with seq below this has been sent by the exit path (runtime.sendMessage) already. */
let exitSentUpTo = 0;
/** From pagehide until the page is shown again: whatever arrives is sent by the exit path as well. */
let leaving = false;

function isWellShaped(event: unknown): event is RumEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return false;
  const type = (event as { type?: unknown }).type;
  if (typeof type !== 'string' || !EVENT_TYPES.has(type)) return false;
  for (const key of RESERVED_KEYS) if (Object.prototype.hasOwnProperty.call(event, key)) return false;
  return true;
}

/** The only keys a page message may have, per kind: anything else marks it as forged. */
const MESSAGE_KEYS: Record<string, readonly string[]> = {
  events: ['source', 'protocol', 'kind', 'events', 'id'],
  control: ['source', 'protocol', 'kind', 'command', 'id'],
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

/**
 * Ids of page messages taken through the synchronous path (PAGE_UNLOAD_EVENT) whose posted copy may still arrive:
 * the SDK hands over at pagehide what it posted and has not seen delivered, and a page kept in the back/forward
 * cache delivers the posted copy if it is shown again. Bounded: the SDK keeps at most 1000 such messages.
 */
const takenSynchronously = new Set<string>();
const MAX_TAKEN_IDS = 2000;

function onPageMessage(message: MessageEvent) {
  if (message.source !== window) return;
  const id = (message.data as { id?: unknown } | null)?.id;
  if (typeof id === 'string' && takenSynchronously.delete(id)) return; // the posted copy of one already taken
  acceptPageMessage(message.data);
}

/**
 * While the page is hidden, frozen or unloaded, the SDK hands over its events synchronously as a CustomEvent
 * carrying a JSON string (a posted message still queued when the document goes away is lost with it). The same
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
  const id = (data as { id?: unknown } | null)?.id;
  const accepted = acceptPageMessage(data);
  if (typeof id === 'string' && (accepted || (data as { kind?: unknown }).kind === 'control')) {
    takenSynchronously.add(id);
    if (takenSynchronously.size > MAX_TAKEN_IDS) takenSynchronously.delete(takenSynchronously.values().next().value!);
  }
  // Flush at once only what was accepted (a refused message costs a counter, never a write).
  if (accepted && (leaving || document.visibilityState === 'hidden')) {
    flush();
    if (leaving) sendExit();
  }
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
  const id = (data as { id?: unknown }).id;
  if (id !== undefined && (typeof id !== 'string' || !id.length || id.length > PAGE_MESSAGE_ID_MAX_CHARS)) return drop();
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
    const next = ext.runtime.connect({ name: relayPortName(loadId) });
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

/**
 * The second path for a document going away: the port's last message may be lost with the document (Chromium
 * closes the port as the frame is unloaded or enters the back/forward cache), a one-shot message is not, and it
 * wakes a sleeping background (Firefox's event page). It carries what is not acknowledged yet and was not sent
 * this way before; the background takes it only from the tab, frame and site that this load's port connected
 * from, and stores it idempotently, so the same events arriving by both paths are stored once.
 */
function sendExit() {
  const pending = unacked.filter((item) => item.seq >= exitSentUpTo);
  for (let i = 0; i < pending.length; i += BATCH_MAX) {
    const slice = pending.slice(i, i + BATCH_MAX);
    const message: RelayToBackground = {
      protocol: PROTOCOL_VERSION,
      kind: 'exit',
      loadId,
      first: slice[0]!.seq,
      events: slice.map((item) => item.event),
      dropped: 0,
    };
    try {
      void ext.runtime
        .sendMessage(message)
        .then((reply: unknown) => onBackgroundMessage(reply as BackgroundToRelay))
        .catch(() => {});
    } catch {
      return; // the extension was reloaded or removed
    }
    exitSentUpTo = slice[slice.length - 1]!.seq + 1;
  }
}

/** The document may be going away: hand over what is held by both paths. */
function onLeaving() {
  flush();
  sendExit();
}

function onBackgroundMessage(message: BackgroundToRelay | undefined) {
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

/**
 * One relay per document: the background also injects this script into tabs already open when a site becomes
 * allowed (or the extension is installed, updated or started), which may reach a document that the registered
 * content script reached too. The isolated world's globals are shared by both runs and invisible to the page.
 */
const RUNNING = '__rumscopeRelay';
const world = globalThis as { [RUNNING]?: true };
if (!world[RUNNING]) {
  world[RUNNING] = true;
  window.addEventListener('message', onPageMessage);
  window.addEventListener(PAGE_UNLOAD_EVENT, onPageUnloadEvent);
  // Connect at once rather than with the first batch: a page left within its first 100 ms would otherwise open
  // its port during pagehide, and a port opened while the document goes away can lose what is sent on it.
  connect();
  // Leaving the page, or perhaps about to (a hidden tab may be closed, a frozen page may be discarded): hand over
  // what is held right away. No beforeunload listener: Firefox keeps no page that has one in the back/forward cache.
  window.addEventListener('pagehide', () => {
    leaving = true;
    onLeaving();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') onLeaving();
  });
  document.addEventListener('freeze', onLeaving);
  // Back from the back/forward cache: the port was closed on the way in; reconnect and re-send.
  window.addEventListener('pageshow', (event) => {
    leaving = false;
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
}
