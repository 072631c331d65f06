/**
 * What the dashboard asks of the extension's database (filters beyond the start-time index, facet counts, KPIs),
 * answered in the panel page from columns of every session (panel/dashboard/sessionColumns.ts: start, duration,
 * counts, facets, user, vitals and each row's id, in start order). Every question (the list, its count, the facet
 * counts, the KPIs) is one pass over them, answered from scratch: a few ms at 100,000 sessions, so nothing is kept per
 * question and a relative time range simply moves. The list then reads only the records of the rows it shows.
 *
 * Where the columns come from:
 * - the copy this page kept last time (db `derivedCache`, with the revision it is current to) and the sessions
 *   written since (`sessionChanges` above that revision: storage/sessionChangeLog.ts), read in one transaction.
 *   At 100,000 sessions that is a few MB of typed arrays, where reading every record was ~3 s (1.6 s of it decoding
 *   their structured clones on this page's thread);
 * - else (the first time, another format, a copy from a database since reset) every record, read once in chunks, and
 *   the copy is kept for next time.
 * The change feed only marks the columns stale (no read per event); the next question reads what was stamped since.
 * The copy is written again after enough changes, spaced so that writing it takes ~1 % of the time at most.
 *
 * Every record is held only when a question needs more than the columns (new regions or devices, cohorts): read once
 * then, and kept current the same way.
 */
import type { FacetCounts, KpiReport, SessionRecord, VersionChange } from '../../sdk/schema';
import type { RumscopeDb } from '../storage/db';
import { readSessionRev, readSessionRevFloor } from '../storage/sessionChangeLog';
import type { KpiQueryOptions, SessionFilter, SessionSort, SessionSource, SourceChange } from '../../panel/source/SessionSource';
import { filterContext } from '../../panel/dashboard/answerOver';
import { columnFacetCounts, columnKpis, columnVersionChange, matchingRows, sortRows } from '../../panel/dashboard/columnAnswers';
import { columnsFromSnapshot, createSessionColumns, rowFacts, type RowFacts, type SessionColumns } from '../../panel/dashboard/sessionColumns';
import { keyTable, type KeyTable } from '../../sdk/model/sessionKey';

/**
 * Session records per read when all of them are read: each read is a task of its own, so the page paints, scrolls
 * and takes input between them (10,000 records in one read were one 1–3 s task on a loaded machine). What each
 * record gives the columns is derived between reads.
 */
export const READ_CHUNK = 2_000;

/** Records of the list's rows kept (a few windows of the list). */
const RECENT_RECORDS = 2_000;

/** The derivedCache key of the dashboard's columns. */
export const COLUMNS_CACHE_KEY = 'dashboardColumns';
/** Sessions changed since the kept copy before it is written again (each write is a copy of every column)... */
export const KEEP_AFTER_CHANGES = 200;
/**
 * ...and at least this long (ms per row) after the last write: ~100 ms of work at 100,000 rows, at most one write in 10
 * s, ~1 % of the page's time however many sessions there are.
 */
const KEEP_SPACING_PER_ROW = 0.1;

/**
 * Every session record, read by primary key in chunks of READ_CHUNK (each its own read transaction), with what each
 * gives the columns, both in start order. The next chunk is asked for as soon as a chunk arrives, before its records'
 * column values are derived, so the database reads one while the page works on the other.
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

/** The sessions stamped above `rev` and their records now (undefined: deleted), read in one transaction. */
async function changedSince(db: RumscopeDb, rev: number): Promise<{ changes: Map<string, SessionRecord | undefined>; rev: number }> {
  return db.transaction('r', db.sessionChanges, db.sessions, async () => {
    const stamps = await db.sessionChanges.where('rev').above(rev).toArray();
    const records = stamps.length ? await db.sessions.bulkGet(stamps.map((s) => s.id)) : [];
    const changes = new Map<string, SessionRecord | undefined>();
    let latest = rev;
    stamps.forEach((stamp, i) => {
      changes.set(stamp.id, records[i]);
      if (stamp.rev > latest) latest = stamp.rev;
    });
    return { changes, rev: latest };
  });
}

/**
 * Rows `offset`… of `rows` (row numbers in start order) as the list sorts them by start time in `sort`'s direction,
 * ties as compareSessions orders them (by id): the slice is widened to whole runs of equal start times, and only it is
 * sorted. Their session ids.
 */
export function windowByStart(cols: SessionColumns, rows: readonly number[], sort: SessionSort, offset: number, limit: number): string[] {
  const n = rows.length;
  const end = Math.min(n, offset + limit);
  if (offset >= end) return [];
  const desc = sort.direction === 'desc';
  const at = (i: number) => cols.startedAt[rows[i]!]!;
  // Sorted positions [offset, end) are these indexes of the start order.
  let a = desc ? n - end : offset;
  let b = desc ? n - offset : end;
  while (a > 0 && at(a - 1) === at(a)) a--;
  while (b < n && at(b) === at(b - 1)) b++;
  const sign = desc ? -1 : 1;
  const part = rows.slice(a, b).sort((x, y) => {
    const dt = cols.startedAt[x]! - cols.startedAt[y]!;
    if (dt) return sign * dt;
    const p = cols.ids[x]!;
    const q = cols.ids[y]!;
    return p < q ? -1 : p > q ? 1 : 0;
  });
  const first = desc ? n - b : a;
  return part.slice(offset - first, end - first).map((row) => cols.ids[row]!);
}

export interface DashboardStore {
  /** The rows [offset, offset + limit) of the sessions matching the filter, in `sort`'s order. */
  window(filter: SessionFilter, sort: SessionSort, offset: number, limit: number, now?: number): Promise<SessionRecord[]>;
  /** How many sessions match the filter. */
  count(filter: SessionFilter, now?: number): Promise<number>;
  /** Every held session record, oldest first (reads them all the first time). */
  allRecords(): Promise<readonly SessionRecord[]>;
  facetCounts(filter: SessionFilter, now?: number): Promise<FacetCounts>;
  kpis(filter: SessionFilter, options?: KpiQueryOptions, now?: number): Promise<KpiReport>;
  /** Of these sessions (keys: sdk/model/sessionKey.ts), the ids of the newest `limit` that are stored, newest first (ties: the later row first). */
  newestOf(keys: Float64Array, limit: number): Promise<string[]>;
  /** The ids of these sessions (keys) that are stored. */
  idsOf(keys: Float64Array): Promise<Set<string>>;
  /** Whether the columns are held (read once already): a question then needs at most the changed records read. */
  holdsAll(): boolean;
  /** Stops following the change feed and forgets what was read. */
  close(): void;
}

export interface DashboardStoreOptions {
  /** Whether to keep a copy of the columns for the next opening (default true). */
  keepColumns?: boolean;
  /** How long after the answer that asked for it the copy is written (default 2 s: when the page is likely idle). */
  keepDelayMs?: number;
}

/**
 * `watchChanges`: the source's change feed (it marks what is stale; nothing is read on a notice). `searchKeys`: the
 * keys of the sessions matching a search text (the same array while nothing was written: answers are kept by it).
 */
export function createDashboardStore(
  db: RumscopeDb,
  watchChanges: SessionSource['watchChanges'],
  searchKeys: (text: string) => Promise<Float64Array>,
  { keepColumns = true, keepDelayMs = 2_000 }: DashboardStoreOptions = {},
): DashboardStore {
  let columns: SessionColumns | null = null;
  /** Every record by id, only once a question needed them. */
  let records: Map<string, SessionRecord> | null = null;
  /** The sessionChanges revision the columns (and records) are current to. */
  let asOf = 0;
  /** A session was written since the columns were last made current. */
  let stale = false;
  /** Bumped with every change applied. */
  let applied = 0;
  let closed = false;
  /** The latest version change (quality views), per columns version. */
  let versionChange: { version: number; change: VersionChange | null } | null = null;
  /**
   * The last answer of each question, with the columns' version and the search hits it was computed with: the list
   * and its count ask for the same filter at once, and the panel asks again when anything was written. Answers that
   * depend on the time of asking (relative ranges, novelty) are not kept.
   */
  const lastAnswers = new Map<string, { key: string; version: number; hits: Float64Array | null; answer: unknown }>();
  /** Rows by session key, per columns version (built when a search first asks). */
  let keyRows: { columns: SessionColumns; version: number; table: KeyTable } | null = null;
  /** Each search answer's rows, per columns version: the list, its count, the facets and the KPIs ask the same. */
  const hitRows = new WeakMap<Float64Array, { columns: SessionColumns; version: number; mask: Uint8Array }>();
  let unfollow: (() => void) | null = null;
  let reading: Promise<unknown> = Promise.resolve();

  // The kept copy: its revision, the changes applied since, when it was last written, the write waiting.
  let keptRev = -1;
  let keptAt = 0;
  let changedSinceKept = 0;
  let keepTimer: ReturnType<typeof setTimeout> | null = null;

  const listener = (change: SourceChange) => {
    if (change.sessions) stale = true;
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

  /** Writes the copy of the columns (when the page is idle, a while after the answer that asked for it). */
  function keepLater() {
    if (!keepColumns || keepTimer || closed) return;
    const wait = Math.max(keepDelayMs, keptAt + (columns?.size ?? 0) * KEEP_SPACING_PER_ROW - Date.now());
    keepTimer = setTimeout(() => {
      keepTimer = null;
      void serial(async () => {
        if (closed || !columns || asOf === keptRev) return;
        const rev = asOf;
        const value = columns.snapshot();
        try {
          await db.derivedCache.put({ key: COLUMNS_CACHE_KEY, rev, value });
          keptRev = rev;
          keptAt = Date.now();
          changedSinceKept = 0;
        } catch (error) {
          // Only a copy: the next opening reads every record instead (e.g. when the disk is full). A page closing is no news.
          if ((error as Error | null)?.name !== 'DatabaseClosedError') console.warn('[rumscope] could not keep the dashboard columns', error);
        }
      });
    }, wait);
  }

  /** New columns: nothing answered over the old ones is given again. */
  function replaceColumns(next: SessionColumns) {
    columns = next;
    recent.clear();
    // A record read before is not kept after (recentRecords).
    applied++;
    lastAnswers.clear();
    versionChange = null;
  }

  /** Every record read, the columns made from them (and the records held when `hold`), current to the revision read first. */
  async function readEverything(hold: boolean) {
    const rev = await readSessionRev(db);
    const read = await readAllSessions(db);
    replaceColumns(createSessionColumns(read.records, read.facts));
    records = hold ? new Map(read.records.map((s) => [s.id, s])) : null;
    asOf = rev;
    // Written while the chunks were read: stamped above `rev`, read again below.
    stale = true;
    // Kept for the next opening (whichever question read them).
    if (keptRev !== asOf) changedSinceKept = Math.max(changedSinceKept, KEEP_AFTER_CHANGES);
  }

  async function freshColumns(): Promise<SessionColumns> {
    follow();
    if (!columns) {
      // In one transaction: another panel may keep a newer copy between two reads.
      const [kept, rev, floor] = await db.transaction('r', db.derivedCache, db.meta, () =>
        Promise.all([db.derivedCache.get(COLUMNS_CACHE_KEY), readSessionRev(db), readSessionRevFloor(db)]),
      );
      // A copy newer than the database's stamps is of a database since reset; one below the floor may miss a delete.
      const restored = kept && kept.rev <= rev && kept.rev >= floor ? columnsFromSnapshot(kept.value) : null;
      if (restored) {
        replaceColumns(restored);
        asOf = keptRev = kept!.rev;
        stale = true;
      } else {
        await readEverything(false);
      }
    }
    if (stale) {
      stale = false;
      let read: Awaited<ReturnType<typeof changedSince>>;
      try {
        read = await changedSince(db, asOf);
      } catch (error) {
        // Read again by the next question.
        stale = true;
        throw error;
      }
      const { changes, rev } = read;
      if (changes.size) {
        columns!.apply(changes);
        applied++;
        for (const [id, record] of changes) {
          if (records) record ? records.set(id, record) : records.delete(id);
          if (recent.has(id)) record ? recent.set(id, record) : recent.delete(id);
        }
        changedSinceKept += changes.size;
      }
      // Only once they are applied: a copy kept at `asOf` holds every change up to it.
      asOf = rev;
    }
    if (changedSinceKept >= KEEP_AFTER_CHANGES) keepLater();
    return columns!;
  }

  /** Every record, in start order (read once, then kept current with the columns). */
  async function freshRecords(): Promise<SessionRecord[]> {
    if (!records) await readEverything(true);
    const cols = await freshColumns();
    return cols.ids.map((id) => records!.get(id)!);
  }

  /**
   * The records of rows read lately (the list reads the same top rows again with most questions), by id, oldest read
   * first; kept current with the columns.
   */
  const recent = new Map<string, SessionRecord>();
  async function recentRecords(ids: readonly string[]): Promise<(SessionRecord | undefined)[]> {
    const missing = ids.filter((id) => !recent.has(id));
    const appliedBefore = applied;
    const read = missing.length ? await db.sessions.bulkGet(missing) : [];
    const changedMeanwhile = applied !== appliedBefore;
    const found = new Map(missing.map((id, i) => [id, read[i]]));
    const out = ids.map((id) => recent.get(id) ?? found.get(id));
    // Kept only when no change was applied while they were read (one read before it could be older than it).
    if (!changedMeanwhile) {
      for (const [id, record] of found) if (record) recent.set(id, record);
      for (let extra = recent.size - RECENT_RECORDS; extra > 0; extra--) recent.delete(recent.keys().next().value!);
    }
    return out;
  }

  const currentVersionChange = (cols: SessionColumns) => {
    if (versionChange?.version !== cols.version) versionChange = { version: cols.version, change: columnVersionChange(cols) };
    return versionChange.change;
  };

  /**
   * Answers `question` over the fresh columns with the filter's context (search hits, novelty); the last answer of
   * `kind` is given again while nothing it depends on changed.
   */
  async function answer<T>(kind: string, filter: SessionFilter, extra: unknown, now: number, question: (cols: SessionColumns, context: Awaited<ReturnType<typeof filterContext>>) => T): Promise<T> {
    // New regions or devices look at each session's place and device over the history: the records.
    const history = filter.novelty ? await freshRecords() : [];
    const cols = await freshColumns();
    const context = await filterContext(history, { ...filter, search: undefined }, now);
    const hits = filter.search?.trim() ? await searchKeys(filter.search) : null;
    if (hits) context.searchRows = rowsOfKeys(cols, hits);
    const timeless = (!filter.time || filter.time.preset === 'custom') && !filter.novelty;
    const key = JSON.stringify([filter, extra]);
    const last = lastAnswers.get(kind);
    if (timeless && last && last.key === key && last.version === cols.version && last.hits === hits) return last.answer as T;
    const result = question(cols, context);
    if (timeless) lastAnswers.set(kind, { key, version: cols.version, hits, answer: result });
    return result;
  }

  /** 1 at each row of `cols` whose session's key is in `keys` (a key of no row, e.g. a deleted session's, is left out). */
  function rowsOfKeys(cols: SessionColumns, keys: Float64Array): Uint8Array {
    const kept = hitRows.get(keys);
    if (kept && kept.columns === cols && kept.version === cols.version) return kept.mask;
    if (!keyRows || keyRows.columns !== cols || keyRows.version !== cols.version) keyRows = { columns: cols, version: cols.version, table: keyTable(cols.idKeys, cols.size) };
    const { table } = keyRows;
    const mask = new Uint8Array(cols.size);
    for (let i = 0; i < keys.length; i++) {
      const row = table.rowOf(keys[i]!);
      if (row >= 0) mask[row] = 1;
    }
    hitRows.set(keys, { columns: cols, version: cols.version, mask });
    return mask;
  }

  const rowsOf = (filter: SessionFilter, now: number) => answer('rows', filter, null, now, (cols, context) => matchingRows(cols, filter, now, context));

  const store: DashboardStore = {
    async window(filter, sort, offset, limit, now = Date.now()) {
      const chosen = await serial(async () => {
        const rows = await rowsOf(filter, now);
        const cols = columns!;
        if (sort.key === 'startedAt') {
          const ids = windowByStart(cols, rows, sort, offset, limit);
          return records ? ids.map((id) => records!.get(id)!) : ids;
        }
        // Another column: by its values in the columns.
        const ids = sortRows(cols, rows, sort)
          .slice(offset, offset + limit)
          .map((row) => cols.ids[row]!);
        return records ? ids.map((id) => records!.get(id)!) : ids;
      });
      if (!chosen.length || typeof chosen[0] !== 'string') return chosen as SessionRecord[];
      // Only the records of the window are read, and outside the queue (the facet counts and KPIs of the same
      // question are answered meanwhile). A session deleted since is left out.
      return (await recentRecords(chosen as string[])).filter((s): s is SessionRecord => !!s);
    },

    count: (filter, now = Date.now()) => serial(async () => (await rowsOf(filter, now)).length),

    allRecords: () => serial(freshRecords),

    // The time options' counts ("past hour (12)") depend on the time of asking, whatever the filter: never kept.
    facetCounts: (filter, now = Date.now()) => serial(() => answer('facets', filter, now, now, (cols, context) => columnFacetCounts(cols, filter, now, context))),

    kpis: (filter, options = {}, now = Date.now()) =>
      serial(async () => {
        const report = await answer('kpis', filter, options, now, (cols, context) => columnKpis(cols, filter, options, now, context));
        // The version change is every held session's, whatever the filter.
        return { ...report, versionChange: currentVersionChange(columns!) };
      }),

    newestOf: (keys, limit) =>
      serial(async () => {
        const cols = await freshColumns();
        const rows = rowsOfKeys(cols, keys);
        const out: string[] = [];
        // From the rows in start order: no read of the start-time index (100,000 keys take ~1 s).
        for (let row = cols.size - 1; row >= 0 && out.length < limit; row--) if (rows[row] === 1) out.push(cols.ids[row]!);
        return out;
      }),

    idsOf: (keys) =>
      serial(async () => {
        const cols = await freshColumns();
        const rows = rowsOfKeys(cols, keys);
        const out = new Set<string>();
        for (let row = 0; row < cols.size; row++) if (rows[row] === 1) out.add(cols.ids[row]!);
        return out;
      }),

    holdsAll: () => columns !== null,

    close() {
      closed = true;
      if (keepTimer) clearTimeout(keepTimer);
      keepTimer = null;
      unfollow?.();
      unfollow = null;
      columns = null;
      records = null;
      recent.clear();
      lastAnswers.clear();
      keyRows = null;
    },
  };
  return store;
}
