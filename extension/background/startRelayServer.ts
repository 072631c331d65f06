import { redactUrl } from '../../sdk/src/tools/redactUrl';
import { RELAY_PORT_NAME } from '../../sdk/schema';
import type { AckMessage, RumEvent, SessionInfo } from '../../sdk/schema';
import { validateEvent, validateRelayMessage } from '../../sdk/schema/validate';
import { validateReplaySegment } from '../../sdk/schema/validateReplay';
import type { ReplayChannel } from './startReplayChannel';
import type { RumscopeDb } from '../storage/db';
import { ingestBatch, type BatchInput, type IngestOptions, type IngestResult } from '../../sdk/model';
import { createDexieRepository } from '../storage/dexieRepository';
import { ext } from '../platform';
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
}

/** What a refused page is told: nothing of its session is tracked. */
const NOT_RECORDED: SessionInfo = { sampled: false, replay: false };

function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/**
 * Accepts relay ports from content scripts: validate → persist (one transaction) → acknowledge.
 * Tab, frame, URL and site come from the port's sender, never from the message.
 */
export function startRelayServer(deps: RelayServerDeps) {
  const { db, tabGuard } = deps;
  const onConnect = (port: chrome.runtime.Port) => {
    if (port.name !== RELAY_PORT_NAME) return;
    const sender = port.sender;
    const tabId = sender?.tab?.id;
    // The top-level document: Chrome gives a prerendered page a frame id other than 0 until it is shown, so
    // it is told by frameType where the browser says it (Chrome); otherwise by frame id 0 (Firefox).
    const frameType = (sender as { frameType?: string } | undefined)?.frameType;
    const isTop = frameType ? frameType === 'outermost_frame' : (sender?.frameId ?? 0) === 0;
    const frameId = isTop ? 0 : (sender?.frameId ?? 0);
    // Sessions belong to the top-level site: frames, same-origin or not, join the top page's session.
    const site = isTop ? originOf(sender?.url) : originOf(sender?.tab?.url);
    if (tabId === undefined || tabId < 0 || !site || sender?.id !== ext.runtime.id) {
      port.disconnect();
      return;
    }
    // One chain per port keeps batches in order, whatever the database's latency.
    let chain: Promise<void> = Promise.resolve();
    port.onMessage.addListener((raw: unknown) => {
      chain = chain.then(() => handle(raw)).catch(() => {
        // A failed write is not acknowledged: the relay keeps the events and re-sends on reconnect.
        try {
          port.disconnect();
        } catch {
          /* already gone */
        }
      });
    });

    const handle = async (raw: unknown) => {
      const checked = validateRelayMessage(raw);
      if (!checked.ok) return tabGuard.count(tabId, 'malformed');
      const message = checked.value;
      if (message.kind === 'control') {
        if (message.command === 'startReplay') await deps.replay?.force({ loadId: message.loadId, tabId, frameId: sender?.frameId ?? 0, isTop });
        return;
      }
      if (message.kind === 'replay') {
        const segment = validateReplaySegment(message.segment);
        if (!segment.ok) tabGuard.count(tabId, segment.reason === 'oversized' ? 'oversized' : 'malformed');
        else if (deps.replay) {
          const stored = await deps.replay.store({ loadId: message.loadId, tabId, seq: message.seq, payload: segment.value });
          if (stored.status === 'foreign') tabGuard.count(tabId, 'foreign_load');
        }
        // Stored, or refused for good: either way the relay forgets it (a failed write throws: no ack, re-sent).
        port.postMessage({ kind: 'replayAck', loadId: message.loadId, seq: message.seq });
        return;
      }
      if (message.dropped) tabGuard.count(tabId, 'forged', message.dropped);
      // Nothing to store (a relay reporting refusals only): counters, not a write.
      if (!message.events.length) return;
      if (deps.allowSite && !(await deps.allowSite(site, tabId, { loadId: message.loadId, incognito: sender?.tab?.incognito === true }))) {
        const ack: AckMessage = { kind: 'ack', loadId: message.loadId, upTo: message.first + message.events.length, session: NOT_RECORDED };
        port.postMessage(ack);
        return;
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
        { loadId: message.loadId, tabId, frameId, site, url: redactUrl(sender?.url ?? ''), first: message.first, events, now: Date.now(), incognito: sender?.tab?.incognito === true },
        await deps.persistOptions(),
      );
      if (result.status === 'foreign') {
        // Another tab's load id: forged. Acknowledged as not recorded, so nothing is re-sent in a loop.
        tabGuard.count(tabId, 'foreign_load', message.events.length);
        const refused: AckMessage = { kind: 'ack', loadId: message.loadId, upTo: message.first + message.events.length, session: NOT_RECORDED };
        port.postMessage(refused);
        return;
      }
      if (result.status === 'gap') {
        // Something was lost in flight: closing the port makes the relay re-send all it holds.
        port.disconnect();
        return;
      }
      const networkDetail = result.session.sampled ? await deps.networkDetail?.(site) : undefined;
      const session: SessionInfo = networkDetail ? { ...result.session, networkDetail } : result.session;
      const ack: AckMessage = { kind: 'ack', loadId: message.loadId, upTo: result.upTo, session };
      port.postMessage(ack);
      // A recorded session: its top page gets the recorder (once per load).
      if (result.session.replay && isTop) deps.replay?.inject({ loadId: message.loadId, tabId, frameId: sender?.frameId ?? 0, privacyLevel: result.session.privacyLevel ?? null });
    };
  };
  ext.runtime.onConnect.addListener(onConnect);
  return { stop: () => ext.runtime.onConnect.removeListener(onConnect) };
}
