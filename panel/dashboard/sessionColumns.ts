/**
 * The sessions as columns: one typed array per field the dashboard filters, counts and averages (start, duration,
 * counts, each facet's interned value, the user, each Web Vital) and each row's session id, rows in start order. A
 * filter, its facet counts and its KPIs are then one pass of array reads over 100,000 rows (a few ms), where the
 * same over the records themselves was a property walk, a map lookup and an object per session (100–200 ms).
 *
 * The columns hold no record: a host that answers from them reads the records of the rows it shows. It keeps them
 * current with `apply` (a changed record replaces its row, a new one is placed at its start, usually the end, a
 * deleted one is removed), and may keep a copy (`snapshot`, `columnsFromSnapshot`) so that the next time it starts
 * from the copy and the records changed since, instead of every record.
 */
import { FACET_KEYS, type SessionRecord } from '../../sdk/schema';
import { durationOf, intern, internedValues, internFacets, internFacetValue, internTable } from './filter';
import { KPI_VITALS, recordVitals, userKey } from './kpis';
import { sessionSortValue } from '../source/sessionSort';
import { sessionKey } from '../../sdk/model/sessionKey';
import { lowerBound } from '../../sdk/model/lowerBound';

/** Raw user emails (the email filter tests each distinct one once) and user keys (distinct users). */
export const EMAILS = internTable();
export const USERS = internTable();
/** What the list's Email and Location columns sort by (sessionSortValue), interned. */
export const SORT_EMAILS = internTable();
export const SORT_LOCATIONS = internTable();

/** What one record gives the columns beyond its plain numbers. */
export interface RowFacts {
  facets: Int32Array;
  email: number;
  user: number;
  vitals: Float64Array;
  sortEmail: number;
  sortLocation: number;
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
    sortEmail: intern(SORT_EMAILS, sessionSortValue(session, 'email') as string),
    sortLocation: intern(SORT_LOCATIONS, sessionSortValue(session, 'location') as string),
  };
}

export interface SessionColumns {
  /** Changes whenever a row does (answers computed per row may be kept while it is the same). */
  readonly version: number;
  /** Rows held; every column below has at least this many entries (read them again after a change: they may be replaced). */
  readonly size: number;
  /** Each row's session id. */
  readonly ids: readonly string[];
  /** Each row's session id as a number (sdk/model/sessionKey.ts): what the extension's search answers with. */
  readonly idKeys: Float64Array;
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
  /** What the list's Time Spent column sorts by (lastEventAt - startedAt, not clamped). */
  readonly timeSpent: Float64Array;
  /** Interned SORT_EMAILS / SORT_LOCATIONS: what the Email and Location columns sort by. */
  readonly sortEmail: Int32Array;
  readonly sortLocation: Int32Array;
  /** The first row whose session started at or after `time`. */
  firstFrom(time: number): number;
  /**
   * Writes what changed, by session id: a record replaces the row of its id (or is added), undefined removes it.
   * Rows stay in start order; a record placed anew goes after the rows that started at the same time.
   */
  apply(changes: ReadonlyMap<string, SessionRecord | undefined>): void;
  /** A copy of every row, to keep (columnsFromSnapshot reads it back). */
  snapshot(): ColumnSnapshot;
}

/**
 * What the columns were computed with. A kept snapshot of another format is not read (its rows are computed again
 * from the records): change it whenever a column's meaning or a derivation (rowFacts, facetValue, durationOf) does.
 */
export const COLUMN_FORMAT = `columns-3:${FACET_KEYS.join(',')}:${KPI_VITALS.join(',')}`;

/** The typed columns, each `capacity` long. */
interface Arrays {
  idKeys: Float64Array;
  startedAt: Float64Array;
  durationMs: Float64Array;
  errors: Int32Array;
  views: Int32Array;
  actions: Int32Array;
  facets: Int32Array[];
  email: Int32Array;
  user: Int32Array;
  vitals: Float64Array[];
  timeSpent: Float64Array;
  sortEmail: Int32Array;
  sortLocation: Int32Array;
}

/** The columns as plain data (structured-clone friendly: typed arrays and string arrays), each typed array `size` long. */
export interface ColumnSnapshot extends Arrays {
  format: string;
  size: number;
  ids: string[];
  /** Per FACET_KEYS index: the values the facet column's ids stand for. */
  facetValues: string[][];
  /** The values of `email`'s, `user`'s, `sortEmail`'s and `sortLocation`'s ids. */
  emails: string[];
  users: string[];
  sortEmails: string[];
  sortLocations: string[];
}

const allocate = (capacity: number): Arrays => ({
  idKeys: new Float64Array(capacity),
  startedAt: new Float64Array(capacity),
  durationMs: new Float64Array(capacity),
  errors: new Int32Array(capacity),
  views: new Int32Array(capacity),
  actions: new Int32Array(capacity),
  facets: FACET_KEYS.map(() => new Int32Array(capacity)),
  email: new Int32Array(capacity),
  user: new Int32Array(capacity),
  vitals: KPI_VITALS.map(() => new Float64Array(capacity)),
  timeSpent: new Float64Array(capacity),
  sortEmail: new Int32Array(capacity),
  sortLocation: new Int32Array(capacity),
});

/** Every column of `a` beside the same column of `b`. */
function pairs(a: Arrays, b: Arrays): [Float64Array | Int32Array, Float64Array | Int32Array][] {
  return [
    [a.idKeys, b.idKeys],
    [a.startedAt, b.startedAt],
    [a.durationMs, b.durationMs],
    [a.errors, b.errors],
    [a.views, b.views],
    [a.actions, b.actions],
    ...a.facets.map((f, k) => [f, b.facets[k]!] as [Int32Array, Int32Array]),
    [a.email, b.email],
    [a.user, b.user],
    ...a.vitals.map((v, k) => [v, b.vitals[k]!] as [Float64Array, Float64Array]),
    [a.timeSpent, b.timeSpent],
    [a.sortEmail, b.sortEmail],
    [a.sortLocation, b.sortLocation],
  ];
}

const capacityFor = (size: number) => Math.max(1_024, size + (size >> 3));

/** Columns over `arrays` and `ids` (as many rows as ids), then `initial` appended (in start order: not sorted here). */
function makeColumns(ids: string[], arrays: Arrays, initial: readonly SessionRecord[] = [], facts?: readonly RowFacts[]): SessionColumns {
  let cols = arrays;
  let version = 0;

  const write = (row: number, s: SessionRecord, known?: RowFacts) => {
    const facts = known ?? rowFacts(s);
    ids[row] = s.id;
    cols.idKeys[row] = sessionKey(s.id);
    cols.startedAt[row] = s.startedAt;
    cols.durationMs[row] = durationOf(s);
    cols.errors[row] = s.counts.errors;
    cols.views[row] = s.counts.views;
    cols.actions[row] = s.counts.actions;
    for (let k = 0; k < cols.facets.length; k++) cols.facets[k]![row] = facts.facets[k]!;
    cols.email[row] = facts.email;
    cols.user[row] = facts.user;
    for (let v = 0; v < cols.vitals.length; v++) cols.vitals[v]![row] = facts.vitals[v]!;
    cols.timeSpent[row] = s.lastEventAt - s.startedAt;
    cols.sortEmail[row] = facts.sortEmail;
    cols.sortLocation[row] = facts.sortLocation;
  };

  // Over the rows held (the typed arrays have room for more).
  const firstFrom = (time: number) => lowerBound(cols.startedAt.subarray(0, ids.length), time);

  /** New columns of rows `order` (an old row, or -1 - i for `added[i]`), which must be in start order. */
  const rebuild = (order: Int32Array, added: readonly SessionRecord[], known: ReadonlyMap<SessionRecord, RowFacts>) => {
    const next = allocate(capacityFor(order.length));
    const oldIds = ids.slice();
    for (const [from, to] of pairs(cols, next)) {
      for (let row = 0; row < order.length; row++) {
        const source = order[row]!;
        if (source >= 0) to[row] = from[source]!;
      }
    }
    cols = next;
    ids.length = order.length;
    for (let row = 0; row < order.length; row++) {
      const source = order[row]!;
      if (source >= 0) ids[row] = oldIds[source]!;
      else write(row, added[-1 - source]!, known.get(added[-1 - source]!));
    }
  };

  const start = ids.length;
  initial.forEach((s, i) => write(start + i, s, facts?.[i]));

  return {
    get version() {
      return version;
    },
    get size() {
      return ids.length;
    },
    ids,
    get idKeys() {
      return cols.idKeys;
    },
    get startedAt() {
      return cols.startedAt;
    },
    get durationMs() {
      return cols.durationMs;
    },
    get errors() {
      return cols.errors;
    },
    get views() {
      return cols.views;
    },
    get actions() {
      return cols.actions;
    },
    get facets() {
      return cols.facets;
    },
    get email() {
      return cols.email;
    },
    get user() {
      return cols.user;
    },
    get vitals() {
      return cols.vitals;
    },
    get timeSpent() {
      return cols.timeSpent;
    },
    get sortEmail() {
      return cols.sortEmail;
    },
    get sortLocation() {
      return cols.sortLocation;
    },
    firstFrom,

    apply(changes) {
      if (!changes.size) return;
      version++;
      const size = ids.length;
      const rowOf = new Map<string, number>();
      for (let row = 0; row < size; row++) if (changes.has(ids[row]!)) rowOf.set(ids[row]!, row);
      let removed: Uint8Array | null = null;
      let removedCount = 0;
      const added: SessionRecord[] = [];
      /** Each record's facts, computed before any row changes: a record they cannot be computed for is left out. */
      const known = new Map<SessionRecord, RowFacts>();
      for (const [id, given] of changes) {
        let record = given;
        if (record) {
          try {
            if (typeof record.startedAt !== 'number' || typeof record.lastEventAt !== 'number' || typeof record.counts?.errors !== 'number') throw new Error('no start, last event or counts');
            known.set(record, rowFacts(record));
          } catch (error) {
            console.warn(`[rumscope] session ${id} is left out of the dashboard's columns`, error);
            record = undefined;
          }
        }
        const row = rowOf.get(id);
        if (row !== undefined && record && record.startedAt === cols.startedAt[row]) {
          write(row, record, known.get(record));
          continue;
        }
        if (row !== undefined) {
          (removed ??= new Uint8Array(size))[row] = 1;
          removedCount++;
        }
        if (record) added.push(record);
      }
      if (!removed && !added.length) return;
      added.sort((a, b) => a.startedAt - b.startedAt);
      // The usual case: new sessions that started after every row held.
      if (!removed && (size === 0 || added[0]!.startedAt >= cols.startedAt[size - 1]!)) {
        if (size + added.length > cols.startedAt.length) {
          const bigger = allocate(capacityFor(size + added.length));
          for (const [from, to] of pairs(cols, bigger)) to.set(from.subarray(0, size));
          cols = bigger;
        }
        added.forEach((record, i) => write(size + i, record, known.get(record)));
        return;
      }
      // Else one merge of the rows kept and the records placed anew (each column copied once, whatever the count).
      const order = new Int32Array(size - removedCount + added.length);
      let out = 0;
      let next = 0;
      for (let row = 0; row < size; row++) {
        if (removed?.[row] === 1) continue;
        while (next < added.length && added[next]!.startedAt < cols.startedAt[row]!) order[out++] = -1 - next++;
        order[out++] = row;
      }
      while (next < added.length) order[out++] = -1 - next++;
      rebuild(order, added, known);
    },

    snapshot() {
      const size = ids.length;
      const copy = <T extends Float64Array | Int32Array>(a: T): T => a.slice(0, size) as T;
      return {
        format: COLUMN_FORMAT,
        size,
        ids: ids.slice(),
        idKeys: copy(cols.idKeys),
        startedAt: copy(cols.startedAt),
        durationMs: copy(cols.durationMs),
        errors: copy(cols.errors),
        views: copy(cols.views),
        actions: copy(cols.actions),
        facets: cols.facets.map(copy),
        facetValues: FACET_KEYS.map((_, k) => internedValues(k)),
        email: copy(cols.email),
        emails: [...EMAILS.values],
        user: copy(cols.user),
        users: [...USERS.values],
        vitals: cols.vitals.map(copy),
        timeSpent: copy(cols.timeSpent),
        sortEmail: copy(cols.sortEmail),
        sortEmails: [...SORT_EMAILS.values],
        sortLocation: copy(cols.sortLocation),
        sortLocations: [...SORT_LOCATIONS.values],
      };
    },
  };
}

/**
 * Columns over `records`, which must be in start order (oldest first). `facts`: each record's rowFacts, when the
 * caller computed them already (e.g. between reads of a chunk of records).
 */
export function createSessionColumns(records: readonly SessionRecord[], facts?: readonly RowFacts[]): SessionColumns {
  return makeColumns([], allocate(capacityFor(records.length)), records, facts);
}

const isF64 = (a: unknown, size: number): a is Float64Array => a instanceof Float64Array && a.length >= size;
const isI32 = (a: unknown, size: number): a is Int32Array => a instanceof Int32Array && a.length >= size;
const isStrings = (a: unknown): a is string[] => Array.isArray(a) && a.every((v) => typeof v === 'string');

/**
 * Columns from a kept snapshot, their interned ids put back into this page's tables; null when it is not one of
 * this format or not whole (the caller then computes them from the records).
 */
export function columnsFromSnapshot(kept: unknown): SessionColumns | null {
  if (!kept || typeof kept !== 'object') return null;
  const s = kept as Partial<ColumnSnapshot>;
  const size = s.size;
  if (s.format !== COLUMN_FORMAT || typeof size !== 'number' || !Number.isInteger(size) || size < 0) return null;
  if (!isStrings(s.ids) || s.ids.length !== size || ![s.emails, s.users, s.sortEmails, s.sortLocations].every(isStrings)) return null;
  if (![s.idKeys, s.startedAt, s.durationMs, s.timeSpent].every((a) => isF64(a, size))) return null;
  if (![s.errors, s.views, s.actions, s.email, s.user, s.sortEmail, s.sortLocation].every((a) => isI32(a, size))) return null;
  if (!Array.isArray(s.facets) || s.facets.length !== FACET_KEYS.length || !s.facets.every((a) => isI32(a, size))) return null;
  if (!Array.isArray(s.facetValues) || s.facetValues.length !== FACET_KEYS.length || !s.facetValues.every(isStrings)) return null;
  if (!Array.isArray(s.vitals) || s.vitals.length !== KPI_VITALS.length || !s.vitals.every((a) => isF64(a, size))) return null;
  const arrays = allocate(capacityFor(size));
  arrays.idKeys.set(s.idKeys!.subarray(0, size));
  arrays.startedAt.set(s.startedAt!.subarray(0, size));
  arrays.durationMs.set(s.durationMs!.subarray(0, size));
  arrays.errors.set(s.errors!.subarray(0, size));
  arrays.views.set(s.views!.subarray(0, size));
  arrays.actions.set(s.actions!.subarray(0, size));
  s.vitals.forEach((v, k) => arrays.vitals[k]!.set(v.subarray(0, size)));
  arrays.timeSpent.set(s.timeSpent!.subarray(0, size));
  /** Each kept id → this page's id of the same value (-1 stays -1; an id with no value is refused). */
  const remap = (from: Int32Array, to: Int32Array, map: Int32Array): boolean => {
    for (let row = 0; row < size; row++) {
      const id = from[row]!;
      if (id < 0) to[row] = -1;
      else if (id < map.length) to[row] = map[id]!;
      else return false;
    }
    return true;
  };
  const facetsOk = s.facets.every((from, k) =>
    remap(
      from,
      arrays.facets[k]!,
      Int32Array.from(s.facetValues![k]!, (value) => internFacetValue(k, value)),
    ),
  );
  if (!facetsOk) return null;
  if (!remap(s.email!, arrays.email, Int32Array.from(s.emails!, (v) => intern(EMAILS, v)))) return null;
  if (!remap(s.user!, arrays.user, Int32Array.from(s.users!, (v) => intern(USERS, v)))) return null;
  if (!remap(s.sortEmail!, arrays.sortEmail, Int32Array.from(s.sortEmails!, (v) => intern(SORT_EMAILS, v)))) return null;
  if (!remap(s.sortLocation!, arrays.sortLocation, Int32Array.from(s.sortLocations!, (v) => intern(SORT_LOCATIONS, v)))) return null;
  for (let row = 1; row < size; row++) if (!(arrays.startedAt[row - 1]! <= arrays.startedAt[row]!)) return null;
  return makeColumns(s.ids.slice(), arrays);
}
