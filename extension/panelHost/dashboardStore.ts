/**
 * What the dashboard asks of the extension's database (filters beyond the start-time index, facet counts,
 * KPIs), answered in the panel page from the session records kept up to date by the change feed:
 * - the session records, read once (on the first dashboard question) and then only the records the feed
 *   names as changed; they are held as columns in start order (panel/dashboard/sessionColumns.ts), and every
 *   question (the list, its count, the facet counts, the KPIs) is one pass over them, answered from scratch:
 *   a few ms at 100,000 sessions, so nothing is kept per question and a relative time range simply moves;
 * - which sessions match a search text is asked of `searchIds` (the postings stored with the data).
 * The feed only marks what is stale (no read per event); the reads happen when the panel asks, which it
 * does at a bounded rate and never while hidden (panel/source/live.ts).
 */
import type { FacetCounts, KpiReport, SessionRecord, VersionChange } from '../../sdk/schema';
import type { RumscopeDb } from '../storage/db';
import type { KpiQueryOptions, SessionFilter, SessionSource, SourceChange } from '../../panel/source/SessionSource';
import { filterContext } from '../../panel/dashboard/answerOver';
import { columnFacetCounts, columnKpis, matchingRows } from '../../panel/dashboard/columnAnswers';
import { createSessionColumns, rowFacts, type RowFacts, type SessionColumns } from '../../panel/dashboard/sessionColumns';
import { latestVersionChange } from '../../panel/dashboard/qualityViews';

type Stale = Set<string> | 'all';

/**
 * Session records per read when all of them are read: each read is a task of its own, so the page paints, scrolls
 * and takes input between them (10,000 records in one read were one 1–3 s task on a loaded machine). What each
 * record gives the columns is derived between reads.
 */
export const READ_CHUNK = 2_000;

/**
 * Every session record, read by primary key in chunks of READ_CHUNK (each its own read transaction), with what each
 * gives the columns, both in start order. The next chunk is asked for as soon as a chunk arrives, before its records'
 * column values are derived, so the database reads one while the page works on the other (at 100,000 records, the
 * first search asked at the first row: median 3.26 → 3.13 s, within the noise). Not two key ranges at a time from the
 * keys read first: that was faster alone (2.1–2.3 s against 2.6–2.7 s for the raw reads) but its one read of 100,000
 * keys held the database's queue, and the panel's first rows waited ~80 ms more behind it (Chromium 156).
 */
async function readAllSessions(db: RumscopeDb): Promise<{ records: SessionRecord[]; facts: RowFacts[] }> {
  const rows: SessionRecord[] = [];
  const facts: RowFacts[] = [];
  const chunkAfter = (last: string | null): Promise<SessionRecord[]> =>
    (last === null ? db.sessions.orderBy(':id') : db.sessions.where(':id').above(last)).limit(READ_CHUNK).toArray();
  let next: Promise<SessionRecord[]> | null = chunkAfter(null);
  while (next) {
    const chunk: SessionRecord[] = await next;
    next = chunk.length === READ_CHUNK ? chunkAfter(chunk[chunk.length - 1]!.id) : null;
    for (const row of chunk) {
      rows.push(row);
      facts.push(rowFacts(row));
    }
  }
  const order = Array.from(rows.keys()).sort((a, b) => rows[a]!.startedAt - rows[b]!.startedAt);
  return { records: order.map((i) => rows[i]!), facts: order.map((i) => facts[i]!) };
}

const addStale = (stale: Stale, ids: readonly string[] | 'all' | undefined): Stale => {
  if (!ids) return stale;
  if (ids === 'all' || stale === 'all') return 'all';
  for (const id of ids) stale.add(id);
  return stale;
};

export interface DashboardStore {
  /** Sessions matching the filter, in no particular order. */
  matching(filter: SessionFilter, now?: number): Promise<readonly SessionRecord[]>;
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
  /** Whether every record is held (read once already): a question then needs at most the changed records read. */
  holdsAll(): boolean;
  /** Stops following the change feed and forgets what was read. */
  close(): void;
}

/**
 * `watchChanges`: the source's change feed (it marks what is stale; nothing is read on a notice). `searchIds`: the
 * sessions matching a search text.
 */
export function createDashboardStore(db: RumscopeDb, watchChanges: SessionSource['watchChanges'], searchIds: (text: string) => Promise<Set<string>>): DashboardStore {
  let sessions: Map<string, SessionRecord> | null = null;
  /** The same records as columns, rows in start order. */
  let columns: SessionColumns = createSessionColumns([]);
  // The latest version change (quality views): recomputed only when a session came, went or changed version.
  let versionChange: VersionChange | null | undefined;
  let staleSessions: Stale = new Set();
  /** Bumped whenever the held records change. */
  let version = 0;
  /**
   * The last answer of each question, with the held records' version and the search hits it was computed with: the
   * list and its count ask for the same filter at once, and the panel asks again when anything was written. Answers
   * that depend on the time of asking (relative ranges, novelty) are not kept.
   */
  const lastAnswers = new Map<string, { key: string; version: number; hits: Set<string> | null; answer: unknown }>();
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

  async function freshSessions(): Promise<Map<string, SessionRecord>> {
    follow();
    if (!sessions || staleSessions === 'all') {
      staleSessions = new Set();
      sessions = null;
      readingAll = true;
      let read: Awaited<ReturnType<typeof readAllSessions>>;
      try {
        read = await readAllSessions(db);
      } finally {
        readingAll = false;
      }
      sessions = new Map(read.records.map((s) => [s.id, s]));
      columns = createSessionColumns(read.records, read.facts);
      version++;
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
        columns.place(before, row);
        if (row) sessions!.set(id, row);
        else sessions!.delete(id);
      });
    }
    return sessions;
  }

  const latestVersion = () => (versionChange === undefined ? (versionChange = latestVersionChange(sessions!.values())) : versionChange);

  /**
   * Answers `question` over the fresh columns with the filter's context (search hits, novelty); the last answer of
   * `kind` is given again while nothing it depends on changed.
   */
  async function answer<T>(kind: string, filter: SessionFilter, extra: unknown, now: number, question: (context: Awaited<ReturnType<typeof filterContext>>) => T): Promise<T> {
    await freshSessions();
    const context = await filterContext(columns.records, filter, now, searchIds);
    const timeless = (!filter.time || filter.time.preset === 'custom') && !filter.novelty;
    const key = JSON.stringify([filter, extra]);
    const hits = context.searchHits instanceof Set ? context.searchHits : null;
    const last = lastAnswers.get(kind);
    if (timeless && last && last.key === key && last.version === version && last.hits === hits) return last.answer as T;
    const result = question(context);
    if (timeless) lastAnswers.set(kind, { key, version, hits, answer: result });
    return result;
  }

  const store: DashboardStore = {
    matching: (filter, now) => store.matchingByStart(filter, now),

    matchingByStart: (filter, now = Date.now()) => serial(() => answer('rows', filter, null, now, (context) => matchingRows(columns, filter, now, context))),

    // The time options' counts ("past hour (12)") depend on the time of asking, whatever the filter: never kept.
    facetCounts: (filter, now = Date.now()) => serial(() => answer('facets', filter, now, now, (context) => columnFacetCounts(columns, filter, now, context))),

    kpis: (filter, options = {}, now = Date.now()) =>
      serial(async () => {
        const report = await answer('kpis', filter, options, now, (context) => columnKpis(columns, filter, options, now, context));
        // The version change is every held session's, whatever the filter.
        return { ...report, versionChange: latestVersion() };
      }),

    newestOf: (ids, limit) =>
      serial(async () => {
        await freshSessions();
        const out: string[] = [];
        const records = columns.records;
        // From the held records in start order: no read of the start-time index (100,000 keys take ~1 s).
        for (let i = records.length - 1; i >= 0 && out.length < limit; i--) if (ids.has(records[i]!.id)) out.push(records[i]!.id);
        return out;
      }),

    holdsAll: () => sessions !== null && staleSessions !== 'all',

    close() {
      unfollow?.();
      unfollow = null;
      sessions = null;
      columns = createSessionColumns([]);
      lastAnswers.clear();
    },
  };
  return store;
}
