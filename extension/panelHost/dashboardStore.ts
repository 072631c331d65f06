/**
 * What the dashboard asks of the extension's database (filters beyond the start-time index, facet counts,
 * KPIs), answered in the panel page from the session records kept up to date by the change feed:
 * - the session records, read once (on the first dashboard question) and then only the records the feed
 *   names as changed; filters are answered over them in memory (panel/dashboard); the facet counts and KPIs
 *   of the filter on screen are kept by applying the changed records to a counter and an accumulator (and,
 *   as time moves, only the sessions whose start crossed a time range's bound), not recomputed over all;
 * - which sessions match a search text is asked of `searchIds` (the postings stored with the data).
 * The feed only marks what is stale (no read per event); the reads happen when the panel asks, which it
 * does at a bounded rate and never while hidden (panel/source/live.ts).
 */
import type { FacetCounts, KpiReport, SessionRecord, VersionChange } from '../../sdk/schema';
import type { RumscopeDb } from '../storage/db';
import type { KpiQueryOptions, SessionFilter, SessionSource, SourceChange } from '../../panel/source/SessionSource';
import { facetsOver, kpisOver, matcherWithoutTime, matchingOver } from '../../panel/dashboard/answerOver';
import { createFacetCounter, type FacetCounter } from '../../panel/dashboard/filter';
import { createLiveKpis, type LiveKpis } from '../../panel/dashboard/kpis';
import { latestVersionChange } from '../../panel/dashboard/qualityViews';

type Stale = Set<string> | 'all';

/**
 * Session records per read when all of them are read, and records per turn when a kept answer is built over all of
 * them: each is a task of its own, so the page paints, scrolls and takes input between them (10,000 records in one
 * read were one 1–3 s task on a loaded machine).
 */
export const READ_CHUNK = 2_000;
const BUILD_CHUNK = 5_000;

/** Lets the page run its other tasks (paint, input) before going on; not throttled like a 0 ms timer. */
function yieldToPage(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (scheduler?.yield) return scheduler.yield();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => (channel.port1.close(), resolve());
    channel.port2.postMessage(null);
  });
}

/** Every session record, read by primary key in chunks of READ_CHUNK (each its own read transaction). */
async function readAllSessions(db: RumscopeDb): Promise<SessionRecord[]> {
  const rows: SessionRecord[] = [];
  let last: string | null = null;
  for (;;) {
    const chunk: SessionRecord[] = await (last === null ? db.sessions.orderBy(':id') : db.sessions.where(':id').above(last)).limit(READ_CHUNK).toArray();
    for (const row of chunk) rows.push(row);
    if (chunk.length < READ_CHUNK) return rows;
    last = chunk[chunk.length - 1]!.id;
  }
}

const addStale = (stale: Stale, ids: readonly string[] | 'all' | undefined): Stale => {
  if (!ids) return stale;
  if (ids === 'all' || stale === 'all') return 'all';
  for (const id of ids) stale.add(id);
  return stale;
};

/** First index in `list` (sorted by start) whose session started at or after `time`. */
function firstStartedFrom(list: readonly SessionRecord[], time: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.startedAt < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Answers kept live for one question (the filter on screen): rebuilt when the question changes. */
interface Kept<T> {
  key: string;
  now: number;
  inBounds: (s: SessionRecord) => boolean;
  live: T & { put(s: SessionRecord): void; remove(id: string): void; advance(now: number, startedIn: (from: number, to: number) => Iterable<SessionRecord>): void };
}

/** Search and novelty depend on every session (the index's hits, what is new): those are answered from scratch. */
const keepable = (filter: SessionFilter) => !filter.search?.trim() && !filter.novelty;

const boundsOf = (filter: SessionFilter) => (s: SessionRecord) =>
  s.startedAt >= (filter.startedFrom ?? -Infinity) && s.startedAt < (filter.startedBefore ?? Infinity);

export interface DashboardStore {
  /** Sessions matching the filter, in no particular order. */
  matching(filter: SessionFilter, now?: number): Promise<SessionRecord[]>;
  /**
   * The same sessions ordered by start time, oldest first (the list sorts them by its column: from this order, by
   * start time, that is one pass). The list and its count ask it for the same filter at once: the answer of a filter
   * that does not depend on the time of asking is kept until a session changes.
   */
  matchingByStart(filter: SessionFilter, now?: number): Promise<readonly SessionRecord[]>;
  facetCounts(filter: SessionFilter, now?: number): Promise<FacetCounts>;
  kpis(filter: SessionFilter, options?: KpiQueryOptions, now?: number): Promise<KpiReport>;
  /** Of these sessions, the ids of the newest `limit` that are stored, newest first (ties: the greater id first). */
  newestOf(ids: ReadonlySet<string>, limit: number): Promise<string[]>;
  /** Stops following the change feed and forgets what was read. */
  close(): void;
}

/**
 * `watchChanges`: the source's change feed (it marks what is stale; nothing is read on a notice). `searchIds`: the
 * sessions matching a search text.
 */
export function createDashboardStore(db: RumscopeDb, watchChanges: SessionSource['watchChanges'], searchIds: (text: string) => Promise<Set<string>>): DashboardStore {
  let sessions: Map<string, SessionRecord> | null = null;
  // The latest version change (quality views): recomputed only when a session came, went or changed version.
  let versionChange: VersionChange | null | undefined;
  /** The same records ordered by start time (the sessions a moved `now` may count differently are a slice of it). */
  let byStart: SessionRecord[] = [];
  let keptFacets: Kept<FacetCounter> | null = null;
  let keptKpis: Kept<LiveKpis> | null = null;
  let staleSessions: Stale = new Set();
  /** Bumped whenever the held records change. */
  let version = 0;
  /** The last answer of matchingByStart, and the search hits it was computed with (null: no search). */
  let lastByStart: { key: string; version: number; hits: Set<string> | null; rows: readonly SessionRecord[] } | null = null;
  /** The held records a search's hits name, in start order. */
  let lastHits: { hits: Set<string>; version: number; rows: readonly SessionRecord[] } | null = null;
  let unfollow: (() => void) | null = null;
  let reading: Promise<unknown> = Promise.resolve();

  /** True while every record is read (in chunks): what is written meanwhile is read again after. */
  let readingAll = false;
  const listener = (change: SourceChange) => {
    if (sessions || readingAll) staleSessions = addStale(staleSessions, change.sessions);
  };
  const follow = () => {
    unfollow ??= watchChanges(listener);
  };

  /** One read at a time, so two questions never apply the same changes twice. */
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = reading.then(task, task);
    reading = next.catch(() => undefined);
    return next;
  };

  const startedIn = (from: number, to: number) => byStart.slice(firstStartedFrom(byStart, from), firstStartedFrom(byStart, to));

  function placeByStart(before: SessionRecord | undefined, after: SessionRecord | undefined) {
    if (before) {
      let i = firstStartedFrom(byStart, before.startedAt);
      while (i < byStart.length && byStart[i]!.id !== before.id) i++;
      if (i < byStart.length) {
        if (after && after.startedAt === before.startedAt) {
          byStart[i] = after;
          return;
        }
        byStart.splice(i, 1);
      }
    }
    if (after) {
      let i = firstStartedFrom(byStart, after.startedAt);
      while (i < byStart.length && byStart[i]!.startedAt === after.startedAt) i++;
      byStart.splice(i, 0, after);
    }
  }

  async function freshSessions(): Promise<Map<string, SessionRecord>> {
    follow();
    if (!sessions || staleSessions === 'all') {
      staleSessions = new Set();
      sessions = null;
      readingAll = true;
      let rows: SessionRecord[];
      try {
        rows = await readAllSessions(db);
      } finally {
        readingAll = false;
      }
      sessions = new Map(rows.map((s) => [s.id, s]));
      byStart = rows.sort((a, b) => a.startedAt - b.startedAt);
      version++;
      keptFacets = keptKpis = null;
      versionChange = undefined;
      // Written while the chunks were read (the feed's listener adds them): read again below, or all on the next question.
      const written = staleSessions as Stale;
      if (written === 'all' || !written.size) return sessions;
    }
    if (staleSessions.size) {
      const ids = [...staleSessions];
      staleSessions = new Set();
      version++;
      const rows = await db.sessions.bulkGet(ids);
      ids.forEach((id, i) => {
        const row = rows[i];
        const before = sessions!.get(id);
        if (!row || !before || row.app?.version !== before.app?.version) versionChange = undefined;
        placeByStart(before, row);
        if (row) sessions!.set(id, row);
        else sessions!.delete(id);
        for (const kept of [keptFacets, keptKpis]) {
          if (!kept) continue;
          if (row && kept.inBounds(row)) kept.live.put(row);
          else kept.live.remove(id);
        }
      });
    }
    return sessions;
  }

  /** The kept answer for `key`, moved to `now`; built over every held session when the question changed. */
  async function keep<T extends Kept<unknown>['live']>(kept: Kept<T> | null, key: string, filter: SessionFilter, now: number, make: () => T): Promise<Kept<T>> {
    if (kept && kept.key === key) {
      if (now !== kept.now) kept.live.advance(now, startedIn);
      kept.now = now;
      return kept;
    }
    const inBounds = boundsOf(filter);
    const live = make();
    // In turns of BUILD_CHUNK records (the questions are serial: nothing changes the records meanwhile).
    const all = byStart;
    for (let i = 0; i < all.length; i++) {
      if (i && i % BUILD_CHUNK === 0) await yieldToPage();
      const s = all[i]!;
      if (inBounds(s)) live.put(s);
    }
    return { key, now, inBounds, live };
  }

  const records = async () => [...(await freshSessions()).values()];

  /**
   * The held records a filter can match, in start order: with search text (and no novelty, which looks at every
   * session), only the search's hits — a session the search does not find matches nothing and counts in no facet.
   */
  async function candidates(filter: SessionFilter): Promise<readonly SessionRecord[]> {
    await freshSessions();
    if (!filter.search?.trim() || filter.novelty) return byStart;
    const hits = await searchIds(filter.search);
    // The list, its count, the facets and the KPIs of one search ask for the same hits (one Set until a write).
    if (lastHits?.hits !== hits || lastHits.version !== version) lastHits = { hits, version, rows: byStart.filter((s) => hits.has(s.id)) };
    return lastHits.rows;
  }

  return {
    matching: (filter, now = Date.now()) => serial(async () => matchingOver(await records(), filter, now, searchIds)),

    matchingByStart: (filter, now = Date.now()) =>
      serial(async () => {
        const all = await candidates(filter);
        // Answers that depend on the time of asking (relative ranges, novelty) are not kept; a search's answer is
        // kept with its hits (the same Set until a session or an event is written).
        const timeless = (!filter.time || filter.time.preset === 'custom') && !filter.novelty;
        const hits = filter.search?.trim() ? await searchIds(filter.search) : null;
        const key = JSON.stringify(filter);
        if (timeless && lastByStart?.key === key && lastByStart.version === version && lastByStart.hits === hits) return lastByStart.rows;
        const rows = await matchingOver(all, filter, now, searchIds);
        if (timeless) lastByStart = { key, version, hits, rows };
        return rows;
      }),

    facetCounts: (filter, now = Date.now()) =>
      serial(async () => {
        if (!keepable(filter)) return facetsOver(await candidates(filter), filter, now, searchIds);
        await freshSessions();
        const { startedFrom: _from, startedBefore: _before, ...rest } = filter;
        keptFacets = await keep(keptFacets, JSON.stringify(filter), filter, now, () => createFacetCounter(rest, now));
        return keptFacets.live.counts();
      }),

    kpis: (filter, options = {}, now = Date.now()) =>
      serial(async () => {
        if (!keepable(filter)) {
          const report = await kpisOver(await candidates(filter), filter, options, now, searchIds);
          // The version change is every held session's, whatever the filter.
          if (versionChange === undefined) versionChange = latestVersionChange(sessions!.values());
          return { ...report, versionChange };
        }
        await freshSessions();
        const match = await matcherWithoutTime([], filter, now);
        keptKpis = await keep(keptKpis, JSON.stringify([filter, options]), filter, now, () => createLiveKpis(filter.time, match, options, now));
        if (versionChange === undefined) versionChange = latestVersionChange(sessions!.values());
        return { ...keptKpis.live.report(), versionChange };
      }),

    newestOf: (ids, limit) =>
      serial(async () => {
        await freshSessions();
        const out: string[] = [];
        // From the held records in start order: no read of the start-time index (100,000 keys take ~1 s).
        for (let i = byStart.length - 1; i >= 0 && out.length < limit; i--) if (ids.has(byStart[i]!.id)) out.push(byStart[i]!.id);
        return out;
      }),

    close() {
      unfollow?.();
      unfollow = null;
      sessions = null;
      byStart = [];
      lastByStart = lastHits = null;
      keptFacets = keptKpis = null;
    },
  };
}
