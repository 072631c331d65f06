/**
 * The held session records as columns: one typed array per field the dashboard filters, counts and averages
 * (start, duration, counts, each facet's interned value, the user, each Web Vital), rows in start order. A
 * filter, its facet counts and its KPIs are then one pass of array reads over 100,000 rows (a few ms), where the
 * same over the records themselves was a property walk, a map lookup and an object per session (100–200 ms).
 *
 * The host keeps it current: a changed record replaces its row, a new one is inserted at its start (usually the
 * end), a deleted one is removed. Each record's derived values are computed once (records are never changed in
 * place: a changed session is a new record).
 */
import { FACET_KEYS, type SessionRecord } from '../../sdk/schema';
import { durationOf, intern, internFacets, internTable } from './filter';
import { KPI_VITALS, recordVitals, userKey } from './kpis';

/** Raw user emails (the email filter tests each distinct one once) and user keys (distinct users). */
export const EMAILS = internTable();
export const USERS = internTable();

/** What one record gives the columns beyond its plain numbers. */
export interface RowFacts {
  facets: Int32Array;
  email: number;
  user: number;
  vitals: Float64Array;
}

/**
 * A record's facts, computed anew (nothing kept per record: the columns are the copy, and a WeakMap of 100,000
 * records made every full garbage collection of the page 2–3× longer, its entries being marked apart).
 */
export function rowFacts(session: SessionRecord): RowFacts {
  const email = session.user?.email;
  const user = userKey(session);
  const vitals = new Float64Array(KPI_VITALS.length).fill(NaN);
  const own = recordVitals(session);
  KPI_VITALS.forEach((name, v) => {
    const value = own[name];
    if (value !== undefined && Number.isFinite(value)) vitals[v] = value;
  });
  return {
    facets: internFacets(session).ids,
    email: typeof email === 'string' ? intern(EMAILS, email) : -1,
    user: user === null ? -1 : intern(USERS, user),
    vitals,
  };
}

export interface SessionColumns {
  /** Changes whenever a row does (answers computed per row may be kept while it is the same). */
  readonly version: number;
  /** Rows held; every column below has at least this many entries (read them again after a change: they may be replaced). */
  readonly size: number;
  /** The records in start order (oldest first), row for row. */
  readonly records: readonly SessionRecord[];
  readonly startedAt: Float64Array;
  readonly durationMs: Float64Array;
  readonly errors: Int32Array;
  readonly views: Int32Array;
  readonly actions: Int32Array;
  /** Per FACET_KEYS index: the row's interned facet value (filter.ts). */
  readonly facets: readonly Int32Array[];
  /** Interned raw email (EMAILS), -1 for none. */
  readonly email: Int32Array;
  /** Interned user key (USERS), -1 for none. */
  readonly user: Int32Array;
  /** Per KPI_VITALS index: the session's value, NaN for none. */
  readonly vitals: readonly Float64Array[];
  /** The first row whose session started at or after `time`. */
  firstFrom(time: number): number;
  /** Puts a record in its place by start time (a record of the same id is first taken out: pass it as `before`). */
  place(before: SessionRecord | undefined, after: SessionRecord | undefined): void;
}

/**
 * Columns over `records`, which must be in start order (oldest first). `facts`: each record's rowFacts, when the
 * caller computed them already (e.g. between reads of a chunk of records).
 */
export function createSessionColumns(records: readonly SessionRecord[], facts?: readonly RowFacts[]): SessionColumns {
  const rows: SessionRecord[] = [...records];
  let capacity = Math.max(1_024, rows.length + (rows.length >> 3));
  let startedAt = new Float64Array(capacity);
  let durationMs = new Float64Array(capacity);
  let errors = new Int32Array(capacity);
  let views = new Int32Array(capacity);
  let actions = new Int32Array(capacity);
  let facets = FACET_KEYS.map(() => new Int32Array(capacity));
  let email = new Int32Array(capacity);
  let user = new Int32Array(capacity);
  let vitals = KPI_VITALS.map(() => new Float64Array(capacity));
  let version = 0;

  const write = (row: number, s: SessionRecord, known?: RowFacts) => {
    const facts = known ?? rowFacts(s);
    startedAt[row] = s.startedAt;
    durationMs[row] = durationOf(s);
    errors[row] = s.counts.errors;
    views[row] = s.counts.views;
    actions[row] = s.counts.actions;
    for (let k = 0; k < facets.length; k++) facets[k]![row] = facts.facets[k]!;
    email[row] = facts.email;
    user[row] = facts.user;
    for (let v = 0; v < vitals.length; v++) vitals[v]![row] = facts.vitals[v]!;
  };
  rows.forEach((s, row) => write(row, s, facts?.[row]));

  const every = () => [startedAt, durationMs, errors, views, actions, ...facets, email, user, ...vitals];
  const grow = () => {
    capacity *= 2;
    const bigger = <T extends Float64Array | Int32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(capacity);
      b.set(a);
      return b;
    };
    startedAt = bigger(startedAt);
    durationMs = bigger(durationMs);
    errors = bigger(errors);
    views = bigger(views);
    actions = bigger(actions);
    facets = facets.map(bigger);
    email = bigger(email);
    user = bigger(user);
    vitals = vitals.map(bigger);
  };

  const firstFrom = (time: number) => {
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rows[mid]!.startedAt < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const removeRow = (row: number) => {
    rows.splice(row, 1);
    for (const column of every()) column.copyWithin(row, row + 1, rows.length + 1);
  };
  const insertRow = (row: number, s: SessionRecord) => {
    if (rows.length + 1 > capacity) grow();
    rows.splice(row, 0, s);
    if (row < rows.length - 1) for (const column of every()) column.copyWithin(row + 1, row, rows.length - 1);
    write(row, s);
  };

  return {
    get version() {
      return version;
    },
    get size() {
      return rows.length;
    },
    records: rows,
    get startedAt() {
      return startedAt;
    },
    get durationMs() {
      return durationMs;
    },
    get errors() {
      return errors;
    },
    get views() {
      return views;
    },
    get actions() {
      return actions;
    },
    get facets() {
      return facets;
    },
    get email() {
      return email;
    },
    get user() {
      return user;
    },
    get vitals() {
      return vitals;
    },
    firstFrom,
    place(before, after) {
      version++;
      if (before) {
        let row = firstFrom(before.startedAt);
        while (row < rows.length && rows[row]!.id !== before.id) row++;
        if (row < rows.length) {
          if (after && after.startedAt === before.startedAt) {
            rows[row] = after;
            write(row, after);
            return;
          }
          removeRow(row);
        }
      }
      if (after) {
        let row = firstFrom(after.startedAt);
        while (row < rows.length && rows[row]!.startedAt === after.startedAt) row++;
        insertRow(row, after);
      }
    },
  };
}
