/**
 * The session list's query in the storage layer: every filter and every sort of the panel (panel/dashboard/
 * filter.ts, panel/source/sessionSort.ts) in SQL over the derived columns of migration 005, for SQLite and
 * PostgreSQL through one Kysely builder. Order: the sort column, then newest first, then id (the panel's tie-
 * breakers), so a page boundary is a keyset position and offset paging sees the same order.
 */
import { sql, type CompiledQuery, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { SessionRecord, SessionSummary } from '../../sdk/schema';
import { NOVELTY_LOOKBACK_MS } from '../../panel/dashboard/cohorts';
import { MINUTE, rangeBounds } from '../../panel/dashboard/filter';
import type { SessionFilter, SessionSort, SessionSortKey } from '../../panel/source/SessionSource';
import { NEWEST_FIRST } from '../../panel/source/SessionSource';
import type { Dialect } from './openDatabase';
import type { Database } from './schema';
import { searchConditions, TOP, type FacetValues, type SearchThresholds } from './search';
import { SESSIONS_BY_ID_INDEX } from './migrations/010_session_list_by_id';

/** Where a page ended: the sort value, start and id of its last row. */
export interface ListPosition {
  value: number | string;
  startedAt: number;
  id: string;
}

export interface SessionListQuery {
  filter?: SessionFilter;
  /** Default newest first. */
  sort?: SessionSort;
  limit: number;
  /** Rows to skip (the panel's numbered pages); or `after`, the keyset position of the previous page's end. */
  offset?: number;
  after?: ListPosition;
  /** UTC ms the filter's time presets are relative to. */
  now: number;
}

export interface SessionListPage {
  items: SessionSummary[];
  /** The position after the last row when more rows follow, else null. */
  next: ListPosition | null;
}

export interface SessionQueries {
  listSessions(query: SessionListQuery): Promise<SessionListPage>;
  countSessions(filter: SessionFilter | undefined, now: number): Promise<number>;
}

type Eb = ExpressionBuilder<Database, 'sessions'>;

const SORT_COLUMNS: Record<SessionSortKey, 'started_at' | 'time_spent' | 'errors' | 'email_sort' | 'location_sort'> = {
  startedAt: 'started_at',
  timeSpent: 'time_spent',
  errors: 'errors',
  email: 'email_sort',
  location: 'location_sort',
};

const FACET_COLUMNS = {
  userEmail: 'f_user_email',
  country: 'f_country',
  city: 'f_city',
  browser: 'f_browser',
  os: 'f_os',
  deviceType: 'f_device_type',
  env: 'f_env',
  version: 'f_version',
  site: 'f_site',
  sdk: 'f_sdk',
} as const;

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export function summaryQuery(db: Kysely<Database>) {
  return db
    .selectFrom('sessions')
    .leftJoin('users', 'users.id', 'sessions.uploaded_by')
    .select(['sessions.id', 'sessions.record', 'sessions.uploaded_at', 'sessions.started_at', 'users.id as uploader_id', 'users.email as uploader_email', 'users.name as uploader_name']);
}

export interface SummaryRow {
  id: string;
  record: string;
  uploaded_at: number;
  started_at: number;
  uploader_id: string | null;
  uploader_email: string | null;
  uploader_name: string | null;
}

export function toSummary(row: SummaryRow): SessionSummary {
  return {
    session: JSON.parse(row.record) as SessionRecord,
    uploadedBy: row.uploader_id ? { id: row.uploader_id, email: row.uploader_email ?? '', name: row.uploader_name ?? '' } : null,
    uploadedAt: row.uploaded_at,
  };
}

/** A number range on a column, either end open. */
function between(eb: Eb, column: 'errors' | 'time_spent' | 'started_at', min: number | null, max: number | null): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [];
  if (min !== null && Number.isFinite(min)) out.push(eb(`sessions.${column}`, '>=', min));
  if (max !== null && Number.isFinite(max)) out.push(eb(`sessions.${column}`, '<=', max));
  return out;
}

const NEVER = sql<SqlBool>`1 = 0`;

/** How the location sort key of a session of this country (its facet value) starts. */
const locationPrefix = (country: string): string => `${country} - `.toLowerCase();

/** search.ts LISTED_TERM_ROWS and DRIVING_TERM_ROWS: how a search term's sessions are read, by how many index rows it has. */
export type SessionQueryOptions = SearchThresholds;

export function createSessionQueries(db: Kysely<Database>, dialect: Dialect, options: SessionQueryOptions = {}): SessionQueries {
  /** The id as the panel compares it (code units): bytewise on PostgreSQL whatever the database's collation. */
  const idRef = dialect === 'postgres' ? sql<string>`sessions.id collate "C"` : sql<string>`sessions.id`;

  /** The filter as SQL conditions (AND), and whether a search term's sessions are looked up by id. */
  async function conditions(filter: SessionFilter = {}, now: number): Promise<{ where: (eb: Eb) => Expression<SqlBool>[]; bySessionId: boolean }> {
    const facets: FacetValues = {};
    for (const [key, column] of Object.entries(FACET_COLUMNS) as [keyof typeof FACET_COLUMNS, (typeof FACET_COLUMNS)[keyof typeof FACET_COLUMNS]][]) facets[column] = filter[key];
    const search = filter.search?.trim() ? await searchConditions(db, filter.search, options, facets) : null;
    const where = (eb: Eb) => {
      const out: Expression<SqlBool>[] = [];
      if (filter.startedFrom !== undefined) out.push(eb('sessions.started_at', '>=', filter.startedFrom));
      if (filter.startedBefore !== undefined) out.push(eb('sessions.started_at', '<', filter.startedBefore));
      if (filter.time) {
        const { from, to } = rangeBounds(filter.time, now);
        out.push(eb('sessions.started_at', '>=', from), eb('sessions.started_at', '<', to));
      }
      const needle = filter.userEmailContains?.trim().toLowerCase();
      // user_email is the email trimmed and lower-cased: a trimmed needle is inside it exactly when it is inside the email.
      if (needle) out.push(sql<SqlBool>`${sql.ref('sessions.user_email')} like ${`%${escapeLike(needle)}%`} escape '\\'`);
      const errors = filter.errors;
      if (errors) {
        if (errors.preset === 'none') out.push(eb('sessions.errors', '=', 0));
        else if (errors.preset === 'some') out.push(eb('sessions.errors', '>', 0));
        else if (errors.preset === 'many') out.push(eb('sessions.errors', '>', 5));
        else if (errors.preset === 'critical') out.push(eb('sessions.errors', '>', 10));
        else if (errors.preset === 'custom') out.push(...between(eb, 'errors', errors.min, errors.max));
      }
      const duration = filter.duration;
      if (duration) {
        // The panel clamps a negative time spent to 0: bounds are translated so the column's index still serves.
        const spent = 'sessions.time_spent' as const;
        if (duration.preset === 'short') out.push(eb(spent, '<', MINUTE));
        else if (duration.preset === 'medium') out.push(eb(spent, '>=', MINUTE), eb(spent, '<=', 10 * MINUTE));
        else if (duration.preset === 'long') out.push(eb(spent, '>', 10 * MINUTE));
        else if (duration.preset === 'custom') {
          if (duration.minMs !== null && duration.minMs > 0) out.push(eb(spent, '>=', duration.minMs));
          if (duration.maxMs !== null) out.push(duration.maxMs >= 0 ? eb(spent, '<=', duration.maxMs) : NEVER);
        }
      }
      for (const [key, column] of Object.entries(FACET_COLUMNS) as [keyof typeof FACET_COLUMNS, (typeof FACET_COLUMNS)[keyof typeof FACET_COLUMNS]][]) {
        const values = filter[key];
        // SQLite: `+column` keeps the planner off the facet's own index (without statistics it takes it, then reads
        // and sorts every session of that browser or country); the list walks its sort's covering index instead.
        const ref = dialect === 'sqlite' ? sql<string>`+${sql.ref(`sessions.${column}`)}` : sql.ref<string>(`sessions.${column}`);
        if (values?.length) out.push(eb(ref, 'in', [...new Set<string>(values)]));
      }
      if (filter.novelty) out.push(novelty(eb, filter, now));
      // Every term of the search text (the search index: one indexed lookup per term).
      if (search) out.push(...search.conditions.map((condition) => condition(eb)));
      return out;
    };
    return { where, bySessionId: search?.bySessionId ?? false };
  }

  /**
   * Runs a query on `sessions`. When a search term's sessions are looked up by id, SQLite is told to use the by-id
   * index (migration 010), which holds every column the list reads: without statistics its planner takes the
   * primary key's own index (one row per id, it assumes) and then reads each session row. PostgreSQL chooses itself.
   */
  async function run<R>(query: { compile(): CompiledQuery<R>; execute(): Promise<R[]> }, bySessionId: boolean): Promise<R[]> {
    if (!bySessionId || dialect !== 'sqlite') return query.execute();
    const compiled = query.compile();
    const from = 'from "sessions" where';
    if (!compiled.sql.includes(from)) throw new Error(`the list's query does not read "sessions" as expected: ${compiled.sql.slice(0, 200)}`);
    return (await db.executeQuery<R>({ ...compiled, sql: compiled.sql.replace(from, `from "sessions" indexed by "${SESSIONS_BY_ID_INDEX}" where`) })).rows;
  }

  /** cohorts.ts novelSessions: in the range, and no session of the 30 days before it had the region / device. */
  function novelty(eb: Eb, filter: SessionFilter, now: number): Expression<SqlBool> {
    const { from, to } = filter.time ? rangeBounds(filter.time, now) : { from: filter.startedFrom ?? -Infinity, to: filter.startedBefore ?? Infinity };
    const inRange = between(eb, 'started_at', from, null);
    if (Number.isFinite(to)) inRange.push(eb('sessions.started_at', '<', to));
    const unseen = (column: 'f_country' | 'device_key') =>
      Number.isFinite(from)
        ? eb.not(
            eb.exists(
              eb
                .selectFrom('sessions as p')
                .select('p.id')
                .whereRef(`p.${column}`, '=', `sessions.${column}`)
                .where('p.started_at', '>=', from - NOVELTY_LOOKBACK_MS)
                .where('p.started_at', '<', from),
            ),
          )
        : sql<SqlBool>`1 = 1`;
    const newRegion = eb.and([eb('sessions.f_country', '<>', 'Unknown'), unseen('f_country')]);
    const newDevice = unseen('device_key');
    const which = filter.novelty === 'region' ? newRegion : filter.novelty === 'device' ? newDevice : eb.or([newRegion, newDevice]);
    return eb.and([...inRange, which]);
  }

  /**
   * One country asked for, in location order: every session of that country has a location that starts with
   * "<country> - " (formatGeo, lower-cased as the sort key is), so the sort's index is read from that range alone
   * instead of walked until the country's rows come (most of a million entries for a country late in the order).
   * The country's own condition stays: the range only narrows the walk.
   */
  function withLocationRange(where: (eb: Eb) => Expression<SqlBool>[], filter: SessionFilter = {}): (eb: Eb) => Expression<SqlBool>[] {
    const countries = [...new Set(filter.country ?? [])];
    if (countries.length !== 1) return where;
    const prefix = locationPrefix(countries[0]!);
    return (eb) => [...where(eb), eb('sessions.location_sort', '>=', prefix), eb('sessions.location_sort', '<', prefix + TOP)];
  }

  return {
    async listSessions(query) {
      const sort = query.sort ?? NEWEST_FIRST;
      const column = `sessions.${SORT_COLUMNS[sort.key]}` as const;
      const { where: filtered, bySessionId } = await conditions(query.filter, query.now);
      const where = sort.key === 'location' ? withLocationRange(filtered, query.filter) : filtered;
      const after = query.after;
      const cmp = sort.direction === 'desc' ? '<' : '>';
      // The order and the page on narrow rows (sort value, start, id); the records of the page's rows only.
      let q = db
        .selectFrom('sessions')
        .select(['sessions.id', 'sessions.started_at', `${column} as sort_value`])
        .where((eb) => eb.and(where(eb)));
      if (after) {
        q = q.where((eb) =>
          eb.or([
            eb(column, cmp, after.value),
            eb.and([
              eb(column, '=', after.value),
              eb.or([eb('sessions.started_at', '<', after.startedAt), eb.and([eb('sessions.started_at', '=', after.startedAt), eb(idRef, '>', after.id)])]),
            ]),
          ]),
        );
      }
      const rows = await run(
        q
          .orderBy(column, sort.direction)
          .orderBy('sessions.started_at', 'desc')
          .orderBy(idRef, 'asc')
          .offset(query.offset ?? 0)
          .limit(query.limit + 1),
        bySessionId,
      );
      const page = rows.slice(0, query.limit);
      const summaries = page.length ? ((await summaryQuery(db).where('sessions.id', 'in', page.map((row) => row.id)).execute()) as SummaryRow[]) : [];
      const byId = new Map(summaries.map((row) => [row.id, row]));
      const last = page.at(-1);
      return {
        items: page.flatMap((row) => (byId.has(row.id) ? [toSummary(byId.get(row.id)!)] : [])),
        next: rows.length > query.limit && last ? { value: last.sort_value as number | string, startedAt: last.started_at, id: last.id } : null,
      };
    },

    async countSessions(filter, now) {
      const { where, bySessionId } = await conditions(filter, now);
      const [row] = await run(
        db
          .selectFrom('sessions')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where((eb) => eb.and(where(eb))),
        bySessionId,
      );
      return Number(row!.n);
    },
  };
}
