import { ACTIVITY_EVENT_TYPES, SCHEMA_VERSION } from '../../sdk/schema';
import type { RumEvent, SessionInfo, SessionRecord, StoredEvent } from '../../sdk/schema';
import { browserTimeZone, geoFromTimeZone } from '../background/geoFromTimeZone';
import { parseDevice } from '../background/parseDevice';
import { DEFAULT_TIMEOUTS, expiryReason, type SessionTimeouts } from '../background/sessionRules';
import type { LoadRecord, RumscopeDb } from './db';

export interface BatchInput {
  loadId: string;
  tabId: number;
  frameId: number;
  site: string;
  url: string;
  first: number;
  /** Already validated; null marks an event the background refused (its seq is consumed, nothing stored). */
  events: (RumEvent | null)[];
  now: number;
  /** From a private window: its sessions are never shared with normal windows' sessions of the site. */
  incognito?: boolean;
}

export interface PersistOptions {
  timeouts?: SessionTimeouts;
  sampleRate?: number;
  replaySampleRate?: number;
  random?: () => number;
  newId?: () => string;
}

export type PersistResult =
  | { status: 'stored'; sessionId: string; upTo: number; stored: number; session: SessionInfo }
  /** The batch starts after a gap: the relay must re-send from upTo. Nothing stored. */
  | { status: 'gap'; upTo: number }
  /** The load id belongs to another tab or site: forged. Nothing stored. */
  | { status: 'foreign' };

const ACTIVITY = new Set(ACTIVITY_EVENT_TYPES);
/** How far an event's page time may be from the background's clock before it is clamped. */
const MAX_PAST_MS = 10 * 60 * 1000;

export function newSession(id: string, site: string, time: number, tz: number, sampled: boolean, replay: boolean): SessionRecord {
  return {
    id,
    site,
    startedAt: time,
    lastEventAt: time,
    lastActivityAt: time,
    endedAt: null,
    endReason: null,
    tz,
    user: null,
    global: {},
    app: { service: null, env: null, version: null },
    browser: { name: null, version: null },
    os: { name: null, version: null },
    deviceType: null,
    screen: null,
    viewport: null,
    connectionType: null,
    effectiveType: null,
    language: null,
    timeZone: null,
    geo: { country: null, city: null, region: null },
    counts: { events: 0, views: 0, actions: 0, errors: 0, apiCalls: 0, resources: 0, longTasks: 0 },
    sampled,
    replay,
    pinned: 0,
    overheadMs: 0,
  };
}

/**
 * Folds one new event into its session's summary (counts, times, context).
 * Frames join the top page's session, but a frame's page view is not one of the session's page views and
 * a frame's context does not replace what the top page said about the user, the app or the device.
 */
export function applyEvent(session: SessionRecord, event: RumEvent | StoredEvent): void {
  const fromFrame = 'frameId' in event && event.frameId > 0;
  session.counts.events++;
  session.lastEventAt = Math.max(session.lastEventAt, event.time);
  if (ACTIVITY.has(event.type)) session.lastActivityAt = Math.max(session.lastActivityAt, event.time);
  switch (event.type) {
    case 'view':
      if (!fromFrame) session.counts.views++;
      break;
    case 'action':
      session.counts.actions++;
      break;
    case 'error':
      if (event.source !== 'internal') session.counts.errors++;
      break;
    case 'api':
      session.counts.apiCalls++;
      break;
    case 'resource':
      session.counts.resources++;
      break;
    case 'long_task':
      session.counts.longTasks++;
      break;
    case 'telemetry':
      session.overheadMs += event.overheadMs;
      break;
    case 'context': {
      if (fromFrame && session.browser.name !== null) break;
      const device = parseDevice(event.device);
      session.browser = device.browser;
      session.os = device.os;
      session.deviceType = device.deviceType;
      session.screen = event.device.screen;
      session.viewport = event.device.viewport;
      session.connectionType = event.device.connectionType;
      session.effectiveType = event.device.effectiveType;
      session.language = event.device.language;
      session.timeZone = event.device.timeZone || browserTimeZone() || null;
      session.geo = geoFromTimeZone(session.timeZone);
      if (fromFrame) break;
      // A new page's first context has not heard of the user yet: keep what an earlier page set.
      const change = event.cause === 'change';
      if (change || event.user) session.user = event.user;
      if (change || Object.keys(event.global).length) session.global = event.global;
      if (change || event.app.service !== null || event.app.env !== null || event.app.version !== null) session.app = event.app;
      break;
    }
  }
}

/**
 * Writes one relay batch in a single transaction: binds the load to its tab and site, finds or starts
 * the site's session, stores only events not stored before (seq >= load.nextSeq), updates the session.
 * The caller acknowledges only after this resolves, so an unacknowledged batch is simply re-sent.
 */
export function persistBatch(db: RumscopeDb, input: BatchInput, options: PersistOptions = {}): Promise<PersistResult> {
  const timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
  const random = options.random ?? Math.random;
  const newId = options.newId ?? (() => crypto.randomUUID());
  return db.transaction('rw', db.sessions, db.events, db.loads, async (): Promise<PersistResult> => {
    const { now } = input;
    let load: LoadRecord | undefined = await db.loads.get(input.loadId);
    // A load id is a secret of one content script in one tab: seen from another tab, it is forged. Its site and
    // frame are those it was first seen with (a frame reconnecting after its top page moved on keeps its session).
    if (load && load.tabId !== input.tabId) return { status: 'foreign' };
    if (load) input = { ...input, site: load.site, frameId: load.frameId };
    const nextSeq = load?.nextSeq ?? 0;
    if (input.first > nextSeq) return { status: 'gap', upTo: nextSeq };
    const skip = nextSeq - input.first;
    let fresh = input.events.slice(skip);

    const clamp = (time: number) => Math.min(now, Math.max(now - MAX_PAST_MS, time));
    const firstTime = fresh.reduce((min, e) => (e ? Math.min(min, clamp(e.time)) : min), now);
    const firstTz = fresh.find((e) => e)?.tz ?? 0;

    let session = load ? await db.sessions.get(load.sessionId) : undefined;
    if (load && !session && !fresh.some((event) => event !== null && ACTIVITY.has(event.type))) {
      // The page's session was deleted: with nobody there, its background noise (telemetry, a late vital)
      // does not open a new session; the page's next activity will. Its sequence numbers are consumed.
      const upTo = Math.max(nextSeq, input.first + input.events.length);
      await db.loads.put({ ...load, nextSeq: upTo });
      return { status: 'stored', sessionId: '', upTo, stored: 0, session: { sampled: true, replay: false } };
    }
    // Only activity (a view, an action, typing, scrolling…) may start a new session: what a page left idle
    // past the timeout sends without a user (a late vital, its view_end when the tab closes) joins the
    // session it belongs to instead of opening an empty one.
    const hasActivity = fresh.some((event) => event !== null && ACTIVITY.has(event.type));
    if (!session || expiryReason(session, now, timeouts)) {
      if (session && session.endedAt === null) {
        const reason = expiryReason(session, now, timeouts);
        session.endedAt = session.lastEventAt;
        session.endReason = reason === 'ended' ? null : reason;
        await db.sessions.put(session);
      }
      const incognito = input.incognito === true;
      const latest = await db.sessions
        .where('[site+startedAt]')
        .between([input.site, -Infinity], [input.site, Infinity])
        .reverse()
        .filter((candidate) => (candidate.incognito === true) === incognito)
        .first();
      if (latest && !expiryReason(latest, now, timeouts)) {
        session = latest;
      } else if (session && !hasActivity) {
        // Trailing events of an ended session (its view_end, a late vital): kept with it, without making it
        // longer (see below), for one inactivity period after it expired. Later ones, with no user to start a
        // new session, are not recorded (as the peers do: an expired session collects nothing).
        const limit = (session.endedAt ?? session.lastEventAt) + 2 * timeouts.inactivityMs;
        fresh = fresh.map((event) => (event && clamp(event.time) <= limit ? event : null));
      } else {
        if (latest && latest.endedAt === null) {
          const reason = expiryReason(latest, now, timeouts);
          latest.endedAt = latest.lastEventAt;
          latest.endReason = reason === 'ended' ? null : reason;
          await db.sessions.put(latest);
        }
        const sampled = random() * 100 < (options.sampleRate ?? 100);
        const replay = sampled && random() * 100 < (options.replaySampleRate ?? 0);
        session = newSession(newId(), input.site, firstTime, firstTz, sampled, replay);
        if (incognito) session.incognito = true;
      }
    }

    const stored: StoredEvent[] = [];
    const endedAt = session.endedAt;
    fresh.forEach((event, index) => {
      if (!event) return;
      const time = clamp(event.time);
      const record = { ...event, time, sessionId: session!.id, loadId: input.loadId, seq: input.first + skip + index, tabId: input.tabId, frameId: input.frameId, schema: SCHEMA_VERSION } as StoredEvent;
      applyEvent(session!, record);
      stored.push(record);
    });
    if (endedAt !== null) {
      // An ended session's span stays as it ended ("Time Spent" does not grow with trailing events).
      session.lastEventAt = Math.min(session.lastEventAt, Math.max(endedAt, session.startedAt));
      session.lastActivityAt = Math.min(session.lastActivityAt, session.lastEventAt);
    }
    if (session.sampled && stored.length) await db.events.bulkPut(stored);
    await db.sessions.put(session);
    const upTo = input.first + input.events.length;
    load = {
      id: input.loadId,
      tabId: input.tabId,
      frameId: input.frameId,
      site: input.site,
      sessionId: session.id,
      url: load?.url ?? input.url,
      startedAt: load?.startedAt ?? now,
      nextSeq: Math.max(nextSeq, upTo),
    };
    await db.loads.put(load);
    return {
      status: 'stored',
      sessionId: session.id,
      upTo: load.nextSeq,
      stored: stored.length,
      // The id only for a recorded session (as Datadog's getInternalContext): the page's SDK reports it.
      session: { ...(session.sampled && { id: session.id }), sampled: session.sampled, replay: session.replay },
    };
  });
}
