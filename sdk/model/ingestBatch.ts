/**
 * The one write path of a session store: a batch of one document's events (numbered by the page) finds or
 * starts its site's session and is folded into it, atomically, through a SessionRepository. The extension
 * (Dexie) and the server (SQLite, PostgreSQL) both call this; none of them re-implements a rule.
 */
import { SCHEMA_VERSION } from '../schema';
import type { RumEvent, SessionDefaults, SessionInfo, SessionRecord, StoredEvent } from '../schema';
import { applyDefaults, inheritContext, lacksContext } from './applyDefaults';
import { applyEvent, type ApplyEventEnv } from './applyEvent';
import { drawSampling, newSession, type SamplingRates } from './newSession';
import type { LoadRecord, SessionRepository, SessionTx } from './repository';
import { clampTime, closeExpired, DEFAULT_TIMEOUTS, expiryReason, isActivity, type SessionTimeouts } from './sessionRules';
import { jsonSize, STORED_EVENT_OVERHEAD } from './sessionSize';

export interface BatchInput {
  /** The document's secret id (one relay / one SDK instance). */
  loadId: string;
  /** Where the batch came from, as the receiver knows it (never from the message): tab (-1: none), frame, top-level site. */
  tabId: number;
  frameId: number;
  site: string;
  url: string;
  /** Sequence number of events[0]: the page numbers its events 0, 1, 2… */
  first: number;
  /** Already validated; null marks an event the receiver refused (its seq is consumed, nothing stored). */
  events: (RumEvent | null)[];
  /** The receiver's clock. */
  now: number;
  /** From a private window: its sessions are never shared with normal windows' sessions of the site. */
  incognito?: boolean;
}

export interface IngestOptions extends SamplingRates, ApplyEventEnv {
  timeouts?: SessionTimeouts;
  /** Given to a session when it starts (settings: tester identity, environment label, privacy level). */
  defaults?: SessionDefaults;
  random?: () => number;
  newId?: () => string;
  /**
   * The site's anonymous visitor id, given to each new session of a normal window (never to a private
   * window's), so that "returning user" = the same visitor id seen in an earlier session. Kept by the receiver
   * (the extension's storage, the standalone SDK's own); absent: sessions have none.
   */
  visitorIdFor?: (site: string) => string | null;
}

export type IngestResult =
  | { status: 'stored'; sessionId: string; upTo: number; stored: number; session: SessionInfo }
  /** The batch starts after a gap: the sender must re-send from upTo. Nothing stored. */
  | { status: 'gap'; upTo: number }
  /** The load id belongs to another tab: forged. Nothing stored. */
  | { status: 'foreign' };

/** Runs ingestBatchIn in one transaction of `repo`. The caller acknowledges only after this resolves. */
export function ingestBatch(repo: SessionRepository, input: BatchInput, options: IngestOptions = {}): Promise<IngestResult> {
  return repo.transaction((tx) => ingestBatchIn(tx, input, options));
}

/**
 * Binds the load to its tab and site, finds or starts the site's session, stores only events not stored
 * before (seq >= load.nextSeq), and updates the session's totals, defaults and size.
 */
export async function ingestBatchIn(tx: SessionTx, input: BatchInput, options: IngestOptions = {}): Promise<IngestResult> {
  const timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
  const { now } = input;
  const load = await tx.getLoad(input.loadId);
  // A load id is a secret of one document in one tab: seen from another tab, it is forged. Its site and
  // frame are those it was first seen with (a frame reconnecting after its top page moved on keeps its session).
  if (load && load.tabId !== input.tabId) return { status: 'foreign' };
  if (load) input = { ...input, site: load.site, frameId: load.frameId };
  const nextSeq = load?.nextSeq ?? 0;
  if (input.first > nextSeq) return { status: 'gap', upTo: nextSeq };
  const skip = nextSeq - input.first;
  const upTo = Math.max(nextSeq, input.first + input.events.length);
  const fresh = input.events.slice(skip);
  const hasActivity = fresh.some((event) => event !== null && isActivity(event));

  let session = load ? await tx.getSession(load.sessionId) : undefined;
  if (load && !session && !hasActivity) {
    // The page's session was deleted: with nobody there, its background noise (telemetry, a late vital)
    // does not open a new session; the page's next activity will. Its sequence numbers are consumed.
    await tx.putLoad({ ...load, nextSeq: upTo });
    return { status: 'stored', sessionId: '', upTo, stored: 0, session: { sampled: true, replay: false } };
  }

  const found = await findOrStartSession(tx, input, fresh, session, hasActivity, options, timeouts);
  session = found.session;
  const kept = found.events;

  const stored: StoredEvent[] = [];
  let added = 0;
  const endedAt = session.endedAt;
  kept.forEach((event, index) => {
    if (!event) return;
    const record = { ...event, time: clampTime(event.time, now), sessionId: session.id, loadId: input.loadId, seq: input.first + skip + index, tabId: input.tabId, frameId: input.frameId, schema: SCHEMA_VERSION } as StoredEvent;
    applyEvent(session, record, options);
    stored.push(record);
    added += jsonSize(event) + STORED_EVENT_OVERHEAD;
  });
  if (endedAt !== null) {
    // An ended session's span stays as it ended ("Time Spent" does not grow with trailing events).
    session.lastEventAt = Math.min(session.lastEventAt, Math.max(endedAt, session.startedAt));
    session.lastActivityAt = Math.min(session.lastActivityAt, session.lastEventAt);
  }
  const isNew = found.started || session.bytes === undefined;
  if (isNew) {
    if (options.defaults) session.defaults = options.defaults;
    const previousId = load?.sessionId;
    if (previousId && previousId !== session.id && lacksContext(session)) {
      const previous = await tx.getSession(previousId);
      if (previous) inheritContext(session, previous);
    }
  }
  applyDefaults(session);
  session.bytes = (session.bytes ?? 0) + (session.sampled ? added : 0);
  if (isNew) session.bytes += jsonSize(session);

  if (session.sampled && stored.length) await tx.putEvents(stored);
  await tx.putSession(session);
  const next: LoadRecord = {
    id: input.loadId,
    tabId: input.tabId,
    frameId: input.frameId,
    site: input.site,
    sessionId: session.id,
    url: load?.url ?? input.url,
    startedAt: load?.startedAt ?? now,
    nextSeq: upTo,
  };
  await tx.putLoad(next);
  return {
    status: 'stored',
    sessionId: session.id,
    upTo,
    stored: stored.length,
    session: {
      // The id only for a recorded session (as Datadog's getInternalContext): the page's SDK reports it.
      ...(session.sampled && { id: session.id }),
      sampled: session.sampled,
      replay: session.replay,
      // The page's SDK learns the session's privacy level with the acknowledgement.
      ...(session.defaults && { privacyLevel: session.defaults.privacyLevel }),
    },
  };
}

/**
 * The session a batch goes to: the load's own session while it is live, else the site's live session
 * (private windows apart), else a new one — but only activity may start a session: the trailing events of
 * an ended session (its view_end, a late vital) stay with it for one inactivity period after it expired,
 * later ones are dropped (as the peers do: an expired session collects nothing).
 */
async function findOrStartSession(
  tx: SessionTx,
  input: BatchInput,
  fresh: (RumEvent | null)[],
  current: SessionRecord | undefined,
  hasActivity: boolean,
  options: IngestOptions,
  timeouts: SessionTimeouts,
): Promise<{ session: SessionRecord; events: (RumEvent | null)[]; started: boolean }> {
  const { now } = input;
  if (current && !expiryReason(current, now, timeouts)) return { session: current, events: fresh, started: false };
  if (current && closeExpired(current, now, timeouts)) await tx.putSession(current);
  const incognito = input.incognito === true;
  const latest = await tx.latestSession(input.site, incognito);
  if (latest && !expiryReason(latest, now, timeouts)) return { session: latest, events: fresh, started: false };
  if (current && !hasActivity) {
    const limit = (current.endedAt ?? current.lastEventAt) + 2 * timeouts.inactivityMs;
    return { session: current, events: fresh.map((event) => (event && clampTime(event.time, now) <= limit ? event : null)), started: false };
  }
  if (latest && closeExpired(latest, now, timeouts)) await tx.putSession(latest);
  const firstTime = fresh.reduce((min, e) => (e ? Math.min(min, clampTime(e.time, now)) : min), now);
  const firstTz = fresh.find((e) => e)?.tz ?? 0;
  const { sampled, replay } = drawSampling(options, options.random);
  const session = newSession((options.newId ?? (() => crypto.randomUUID()))(), input.site, firstTime, firstTz, sampled, replay);
  if (incognito) session.incognito = true;
  else {
    const visitorId = options.visitorIdFor?.(input.site);
    if (visitorId) session.visitorId = visitorId;
  }
  return { session, events: fresh, started: true };
}
