import { redactUrl } from '../../sdk/src/tools/redactUrl';
import { loadIdOfPort } from '../../sdk/schema';
import type { AckMessage, BackgroundToRelay, RumEvent, SessionInfo } from '../../sdk/schema';
import { validateEvent, validateRelayMessage } from '../../sdk/schema/validate';
import { validateReplaySegment } from '../../sdk/schema/validateReplay';
import type { ReplayChannel } from './startReplayChannel';
import type { RumscopeDb } from '../storage/db';
import { ingestBatch, type BatchInput, type IngestOptions, type IngestResult } from '../../sdk/model';
import { createDexieRepository } from '../storage/dexieRepository';
import { ext } from '../platform';
import { originOf } from './originOf';
import { keepsOnError } from '../settings/instantReplay';
import type { createTabGuard } from './tabGuard';

export interface RelayServerDeps {
  db: RumscopeDb;
  tabGuard: ReturnType<typeof createTabGuard>;
  /** Read per batch so that settings apply to new sessions without a reload. */
  persistOptions: () => Promise<IngestOptions>;
  /**
   * Whether this site may be recorded (site access). A refused batch is acknowledged (the relay forgets it)
   * and nothing of it is stored. `loadId` lets the implementation keep refusing that page (see siteGate.ts).
   */
  allowSite?: (site: string, tabId: number, info: { loadId: string; incognito: boolean }) => Promise<boolean>;
  /** Network detail for this site (settings.networkDetail), told to the page in each acknowledgement; undefined: off. */
  networkDetail?: (site: string) => Promise<SessionInfo['networkDetail']>;
  /** The write path; default the model's ingestBatch over Dexie. The background passes the quota-safe writer (storage/writeBatch.ts). */
  persist?: (input: BatchInput, options: IngestOptions) => Promise<IngestResult>;
  /** Session replay (startReplayChannel.ts): stores segments, forces and injects the recorder. */
  replay?: ReplayChannel;
  /**
   * Whether a frame of this origin may be recorded into its top page's replay (its own site allowed); absent:
   * no cross-origin frame is recorded.
   */
  allowFrame?: (origin: string, incognito: boolean) => Promise<boolean>;
  /** Instant replay for this site (settings.instantReplay): its on-error rate, or undefined when off. */
  instantReplay?: (site: string) => Promise<{ onErrorSampleRate: number } | undefined>;
}

/** What a refused page is told: nothing of its session is tracked. */
const NOT_RECORDED: SessionInfo = { sampled: false, replay: false };


/** Who a load is: taken from its port's sender when the document connected, never from a message. */
export interface LoadIdentity {
  tabId: number;
  frameId: number;
  /** The top-level site the load's session belongs to. */
  site: string;
  /** The origin of the document itself (the frame's own, for a frame). */
  origin: string;
  url: string;
  incognito: boolean;
}

/** The identity of the document a port or a one-shot message comes from, or null when it cannot be trusted. */
export function senderIdentity(sender: chrome.runtime.MessageSender | undefined): LoadIdentity | null {
  const tabId = sender?.tab?.id;
  const { isTop, frameId } = frameOf(sender);
  const origin = originOf(sender?.url);
  // Sessions belong to the top-level site: frames, same-origin or not, join the top page's session.
  const site = isTop ? origin : originOf(sender?.tab?.url);
  if (tabId === undefined || tabId < 0 || !site || !origin || sender?.id !== ext.runtime.id) return null;
  return { tabId, frameId, site, origin, url: redactUrl(sender?.url ?? ''), incognito: sender?.tab?.incognito === true };
}

/** What the sender of a one-shot message says of its document: its tab may be unknown while the tab closes. */
function exitSender(sender: chrome.runtime.MessageSender): { tabId: number | null; frameId: number; origin: string } | null {
  const origin = originOf(sender.url);
  if (!origin) return null;
  const tabId = sender.tab?.id;
  return { tabId: tabId === undefined || tabId < 0 ? null : tabId, frameId: frameOf(sender).frameId, origin };
}

/**
 * The top-level document: Chrome gives a prerendered page a frame id other than 0 until it is shown, so it is
 * told by frameType where the browser says it (Chrome); otherwise by frame id 0 (Firefox).
 */
function frameOf(sender: chrome.runtime.MessageSender | undefined): { isTop: boolean; frameId: number } {
  const frameType = (sender as { frameType?: string } | undefined)?.frameType;
  const isTop = frameType ? frameType === 'outermost_frame' : (sender?.frameId ?? 0) === 0;
  return { isTop, frameId: isTop ? 0 : (sender?.frameId ?? 0) };
}

/** Loads kept per tab and frame (the current document and a few before it, whose last events may still come). */
const LOADS_PER_FRAME = 4;

/**
 * Accepts relay ports from content scripts: validate → persist (one transaction) → acknowledge.
 * Tab, frame, URL and site come from the port's sender, never from the message. A document's last events may
 * also come as a one-shot message (RelayExitMessage): taken only from the tab, frame and origin its port connected
 * from (or, after a background restart, those of its stored load), and stored idempotently.
 */
export function startRelayServer(deps: RelayServerDeps) {
  const { db, tabGuard } = deps;
  /** Load id → the identity its port connected with. */
  const connected = new Map<string, LoadIdentity>();
  const remember = (loadId: string, identity: LoadIdentity) => {
    connected.delete(loadId);
    connected.set(loadId, identity);
    const same = [...connected].filter(([, i]) => i.tabId === identity.tabId && i.frameId === identity.frameId);
    for (const [id] of same.slice(0, Math.max(0, same.length - LOADS_PER_FRAME))) connected.delete(id);
  };

  /**
   * Validates and stores one message's events for a load of `identity`; `reply` acknowledges. Resolves to 'gap'
   * when the batch starts after what is stored (nothing stored: the relay must re-send).
   */
  const ingest = async (
    raw: unknown,
    identity: LoadIdentity,
    expected: 'batch' | 'exit',
    reply: (answer: BackgroundToRelay) => void,
    portLoadId: string | null,
    /** The frame id the browser gives the sender (a prerendered top page's is not 0): where the recorder goes. */
    senderFrameId: number = identity.frameId,
  ): Promise<'gap' | void> => {
    const { tabId, frameId, site } = identity;
    const isTop = frameId === 0;
    const checked = validateRelayMessage(raw);
    if (!checked.ok) return tabGuard.count(tabId, 'malformed');
    const message = checked.value;
    // Replay control and segments come only through the load's own port.
    if ((message.kind === 'control' || message.kind === 'replay') && (expected !== 'batch' || message.loadId !== portLoadId)) return tabGuard.count(tabId, 'forged');
    if (message.kind === 'control') {
      if (message.command === 'startReplay') await deps.replay?.force({ loadId: message.loadId, tabId, frameId: senderFrameId, isTop });
      return;
    }
    if (message.kind === 'replay') {
      // Only a top page records segments: a frame's records join its top page's stream (frameGate.ts), never a stream of their own.
      if (!isTop) {
        tabGuard.count(tabId, 'forged');
        return reply({ kind: 'replayAck', loadId: message.loadId, seq: message.seq });
      }
      const segment = validateReplaySegment(message.segment);
      if (!segment.ok) tabGuard.count(tabId, segment.reason === 'oversized' ? 'oversized' : 'malformed');
      else if (deps.replay) {
        const stored = await deps.replay.store({ loadId: message.loadId, tabId, seq: message.seq, payload: segment.value });
        if (stored.status === 'foreign') tabGuard.count(tabId, 'foreign_load');
      }
      // Stored, or refused for good: either way the relay forgets it (a failed write throws: no ack, re-sent).
      reply({ kind: 'replayAck', loadId: message.loadId, seq: message.seq });
      return;
    }
    // A port speaks only for the load it is named after; each path carries only its own kind of message.
    if (message.kind !== expected || (portLoadId !== null && message.loadId !== portLoadId)) return tabGuard.count(tabId, 'forged');
    if (message.dropped) tabGuard.count(tabId, 'forged', message.dropped);
    // Nothing to store (a relay reporting refusals only): counters, not a write.
    if (!message.events.length) return;
    const notRecorded = (): AckMessage => ({ kind: 'ack', loadId: message.loadId, upTo: message.first + message.events.length, session: NOT_RECORDED });
    if (deps.allowSite && !(await deps.allowSite(site, tabId, { loadId: message.loadId, incognito: identity.incognito }))) {
      return reply(notRecorded());
    }
    const granted = tabGuard.take(tabId, message.events.length);
    if (granted < message.events.length) tabGuard.count(tabId, 'rate', message.events.length - granted);
    const events = message.events.map((input, index): RumEvent | null => {
      if (index >= granted) return null;
      const result = validateEvent(input);
      if (!result.ok) {
        tabGuard.count(tabId, result.reason === 'oversized' ? 'oversized' : 'malformed');
        return null;
      }
      return result.value;
    });
    const persist = deps.persist ?? ((input: BatchInput, options: IngestOptions) => ingestBatch(createDexieRepository(db), input, options));
    const result = await persist(
      { loadId: message.loadId, tabId, frameId, site, url: identity.url, first: message.first, events, now: Date.now(), incognito: identity.incognito },
      await deps.persistOptions(),
    );
    if (result.status === 'foreign') {
      // Another tab's load id: forged. Acknowledged as not recorded, so nothing is re-sent in a loop.
      tabGuard.count(tabId, 'foreign_load', message.events.length);
      return reply(notRecorded());
    }
    // Something was lost in flight: nothing stored, the relay must re-send.
    if (result.status === 'gap') return 'gap';
    const networkDetail = result.session.sampled ? await deps.networkDetail?.(identity.site) : undefined;
    const session: SessionInfo = networkDetail ? { ...result.session, networkDetail } : result.session;
    reply({ kind: 'ack', loadId: message.loadId, upTo: result.upTo, session });
    // A recorded session: its top page gets the recorder (once per load). A session not drawn for replay gets it
    // in buffer mode only where the user turned instant replay on for the site; everywhere else, no recorder.
    if (!deps.replay || !result.session.sampled) return;
    const privacyLevel = result.session.privacyLevel ?? null;
    if (!isTop) return recordFrame(deps.replay, identity, message.loadId, senderFrameId, result.session, privacyLevel);
    if (result.session.replay) return deps.replay.inject({ loadId: message.loadId, tabId, frameId: senderFrameId, privacyLevel });
    const instant = await deps.instantReplay?.(site);
    if (instant) {
      const keepOnError = keepsOnError(result.session.id ?? message.loadId, instant.onErrorSampleRate);
      deps.replay.inject({ loadId: message.loadId, tabId, frameId: senderFrameId, privacyLevel, buffer: { keepOnError } });
    }
  };

  /**
   * A cross-origin frame of a sampled session: recorded into its top page's stream when its own origin is allowed
   * too (site access); same-origin frames are in the top page's recording already. Remembered while the session
   * does not record, so that forcing it later records the frame as well.
   */
  const recordFrame = async (replay: ReplayChannel, identity: LoadIdentity, loadId: string, frameId: number, session: SessionInfo, privacyLevel: string | null) => {
    if (identity.origin === identity.site || !deps.allowFrame) return;
    if (!(await deps.allowFrame(identity.origin, identity.incognito))) return;
    const recorded = session.replay || !!(await deps.instantReplay?.(identity.site));
    replay.frame({ loadId, tabId: identity.tabId, frameId, origin: identity.origin, privacyLevel, recorded, ...(session.id ? { sessionId: session.id } : {}) });
  };

  const onConnect = (port: chrome.runtime.Port) => {
    const loadId = loadIdOfPort(port.name);
    if (loadId === null) return;
    const identity = senderIdentity(port.sender);
    if (!identity) {
      port.disconnect();
      return;
    }
    remember(loadId, identity);
    // One chain per port keeps batches in order, whatever the database's latency.
    let chain: Promise<void> = Promise.resolve();
    const close = () => {
      try {
        port.disconnect();
      } catch {
        /* already gone */
      }
    };
    port.onMessage.addListener((raw: unknown) => {
      chain = chain
        // A gap: closing the port makes the relay re-send all it holds.
        .then(async () => ((await ingest(raw, identity, 'batch', (ack) => port.postMessage(ack), loadId, port.sender?.frameId ?? 0)) === 'gap' ? close() : undefined))
        // A failed write is not acknowledged: the relay keeps the events and re-sends on reconnect.
        .catch(close);
    });
  };

  /** The identity a load connected with; after a background restart, that of its stored load. */
  const identityOf = async (loadId: string): Promise<LoadIdentity | null> => {
    const known = connected.get(loadId);
    if (known) return known;
    const load = await db.loads.get(loadId).catch(() => undefined);
    // Its port may have connected to this background while the load was read.
    const late = connected.get(loadId);
    if (late) return late;
    if (!load || load.tabId < 0) return null;
    return { tabId: load.tabId, frameId: load.frameId, site: load.site, origin: load.frameId === 0 ? load.site : '', url: load.url, incognito: false };
  };

  const onMessage = (raw: unknown, sender: chrome.runtime.MessageSender, sendResponse: (answer: BackgroundToRelay) => void) => {
    const message = raw as { kind?: unknown; loadId?: unknown; events?: unknown } | null;
    if (message?.kind !== 'exit' || typeof message.loadId !== 'string' || sender?.id !== ext.runtime.id) return false;
    const from = exitSender(sender);
    if (!from) return false;
    const loadId = message.loadId;
    void identityOf(loadId)
      .then(async (identity) => {
        // Only the document that connected as this load may speak for it: same tab, frame and origin. Firefox no
        // longer names the tab of a tab being closed: the frame and the document's origin must match then.
        const same =
          identity !== null &&
          (from.tabId === null || identity.tabId === from.tabId) &&
          identity.frameId === from.frameId &&
          (identity.origin === '' || identity.origin === from.origin);
        if (!same) {
          tabGuard.count(from.tabId ?? identity?.tabId ?? -1, 'foreign_load', Array.isArray(message.events) ? message.events.length : 1);
          return;
        }
        await ingest(raw, identity, 'exit', sendResponse, null);
      })
      .catch(() => {
        /* not stored: the port, if the document lives on, re-sends */
      });
    return true;
  };

  ext.runtime.onConnect.addListener(onConnect);
  ext.runtime.onMessage.addListener(onMessage);
  return {
    stop: () => {
      ext.runtime.onConnect.removeListener(onConnect);
      ext.runtime.onMessage.removeListener(onMessage);
    },
  };
}
