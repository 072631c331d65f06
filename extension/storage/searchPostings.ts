/**
 * The search index kept in the database: postings (this session has a text of this kind with this term), written
 * by a Dexie middleware in the same transaction as the events and sessions they come from, whichever code path
 * writes them. They live in two stores:
 * - `searchTerms` (Dexie version 7), the write path: one row per kind, term and session, removed with its session;
 * - `searchBlocks` (version 8), the same postings compacted by the background (storage/compactPostings.ts): one row
 *   per kind, term and day of the sessions' start, holding their sessions' keys (a Float64Array of sessionKey, since
 *   version 10; id strings before) — a common word is a few dozen arrays to read instead of tens of thousands of keys.
 * Search asks both by key range (a term, or a prefix for the word being typed) and never reads an event: nothing
 * is built when the panel opens, and a keystroke costs two key ranges per term and kind, whatever is stored.
 *
 * A deleted session's key may stay in its blocks ("stale") until retention drops its day (storage/retention.ts);
 * Every write of the blocks (a compaction, retention, clearing) also writes meta `searchBlocks` (a new stamp) in its
 * transaction: a reader may keep the blocks it read while the stamp it read with them is the same.
 *
 * every consumer of the keys only tests them against the sessions it holds (the dashboard's columns turn keys into
 * rows: extension/panelHost/dashboardStore.ts), so a stale key never shows or counts. When no session is left, the
 * blocks are cleared with the last one.
 */
import type { DBCore, DBCoreKeyRange, DBCoreTransaction, Middleware, Transaction } from 'dexie';
import { SEARCH_KINDS, type SearchKind, type SessionRecord, type StoredEvent } from '../../sdk/schema';
import { attributeTexts, eventTexts, queryTerms, termsOf } from '../../sdk/model/searchTexts';
import { sessionKey } from '../../sdk/model/sessionKey';
import { lowerBound } from '../../sdk/model/lowerBound';

export const SEARCH_TERMS = 'searchTerms';
export const SEARCH_BLOCKS = 'searchBlocks';
const META = 'meta';
/** The meta key whose stamp changes with every write of the blocks. */
export const BLOCKS_STAMP_KEY = 'searchBlocks';
/**
 * The meta key that says `searchTerms` is empty (`{ empty: true }`): written by the compaction that leaves no row,
 * and set back to `{ empty: false }` in the transaction of the next row's write, so it is never true while a row
 * exists. Absent (a database from before it) means "may hold rows". Why: once every row is moved, the store is
 * all deletions; in Chromium a key range read of an empty range then walks past them — 36–57 ms per read at
 * 100,000 sessions, six reads per word (one per kind) — while the blocks that hold the postings read in 3–16 ms.
 */
export const TERMS_STATE_KEY = 'searchTerms';

/** Whether a read of meta TERMS_STATE_KEY says `searchTerms` holds no row (absent: it may hold rows). */
export const saysTermsEmpty = (record: { value?: unknown } | undefined) => (record?.value as { empty?: boolean } | undefined)?.empty === true;

/** A value no earlier stamp had (stamps are compared for equality only). */
const newStamp = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
const EVENTS = 'events';
const SESSIONS = 'sessions';

/** One posting: the session has a text of this kind with this term. Its key is [kind+term+sessionId]. */
export interface SearchTermRow {
  kind: SearchKind;
  term: string;
  sessionId: string;
}

/**
 * Compacted postings: the sessions started on `day` (days since the epoch, UTC) having this kind and term, as their
 * distinct `keys` (sdk/model/sessionKey.ts: a typed array is read and sent between threads as one copy of its bytes,
 * where 90,000 id strings took ~25 ms to read and ~20 ms more to hash in the panel). Its key is [kind+term+day]; by
 * `day`, retention drops the blocks of expired days. Version 8 and 9 blocks held `ids: string[]` (upgraded in 10).
 */
export interface SearchBlockRow {
  kind: SearchKind;
  term: string;
  day: number;
  keys: Float64Array;
}

export const BLOCK_DAY_MS = 86_400_000;

/** The block day of a session (by its start). */
export const blockDayOf = (startedAt: number) => Math.floor(startedAt / BLOCK_DAY_MS);

/** Postings remembered as written (after their transaction committed), so a re-written URL costs no put. */
const REMEMBERED_MAX = 50_000;

export function postingsOfEvent(event: StoredEvent): SearchTermRow[] {
  return termsOf(eventTexts(event)).map(([kind, term]) => ({ kind, term, sessionId: event.sessionId }));
}

export function postingsOfSession(session: Pick<SessionRecord, 'id' | 'user' | 'global'>): SearchTermRow[] {
  return termsOf(attributeTexts(session.user, session.global ?? {})).map(([kind, term]) => ({ kind, term, sessionId: session.id }));
}

const rememberKey = (row: SearchTermRow) => `${row.sessionId}\u0000${row.kind}\u0000${row.term}`;

export function searchPostingsMiddleware(): Middleware<DBCore> {
  return {
    stack: 'dbcore',
    name: 'rumscopeSearchPostings',
    create(down) {
      if (!down.schema.tables.some((t) => t.name === SEARCH_TERMS)) return down;
      const remembered = new Set<string>();
      const remember = (keys: string[]) => {
        for (const key of keys) {
          if (remembered.size >= REMEMBERED_MAX) remembered.delete(remembered.values().next().value!);
          remembered.add(key);
        }
      };
      const terms = down.table(SEARCH_TERMS);
      const bySession = terms.schema.indexes.find((i) => i.name === 'sessionId')!;
      const hasBlocks = down.schema.tables.some((t) => t.name === SEARCH_BLOCKS);
      const hasMeta = down.schema.tables.some((t) => t.name === META);
      const sessions = down.table(SESSIONS);

      /** A new stamp for the blocks, in the transaction that writes them (readers keep what they read by it). */
      const stampBlocks = (trans: DBCoreTransaction) =>
        hasMeta && inScope(trans, META) ? down.table(META).mutate({ trans, type: 'put', values: [{ key: BLOCKS_STAMP_KEY, value: { stamp: newStamp() } }] }) : undefined;

      /** Rows are about to be written: the store is no longer empty (read and written in the writing transaction). */
      async function notEmpty(trans: DBCoreTransaction) {
        if (!hasMeta || !inScope(trans, META)) return;
        const meta = down.table(META);
        if (saysTermsEmpty(await meta.get({ trans, key: TERMS_STATE_KEY }))) await meta.mutate({ trans, type: 'put', values: [{ key: TERMS_STATE_KEY, value: { empty: false } }] });
      }

      /** Puts the rows not remembered; remembers them once the transaction commits (an aborted one wrote nothing). */
      async function putPostings(trans: DBCoreTransaction, rows: SearchTermRow[]) {
        const fresh = new Map<string, SearchTermRow>();
        for (const row of rows) {
          const key = rememberKey(row);
          if (!remembered.has(key)) fresh.set(key, row);
        }
        if (!fresh.size) return;
        await notEmpty(trans);
        await terms.mutate({ trans, type: 'put', values: [...fresh.values()] });
        const idb = trans as unknown as Partial<EventTarget>;
        idb.addEventListener?.('complete', () => remember([...fresh.keys()]), { once: true });
      }

      /** Removes the postings of the sessions whose ids are in these ranges (one id each, or a deleted range). */
      async function deletePostings(trans: DBCoreTransaction, ranges: DBCoreKeyRange[]) {
        for (const range of ranges) {
          const found = await terms.query({ trans, values: false, query: { index: bySession, range } });
          if (found.result.length) await terms.mutate({ trans, type: 'delete', keys: found.result });
        }
        // Forget what was remembered of them (rare: a delete), so a session written again is indexed again.
        remembered.clear();
        // A deleted session's id stays in its blocks (stale, never shown: see the top of this file) until retention
        // drops its day; when no session is left (clear, delete all), every block goes in this transaction.
        if (hasBlocks && inScope(trans, SEARCH_BLOCKS)) {
          const left = await sessions.query({ trans, values: false, limit: 1, query: { index: sessions.schema.primaryKey, range: { type: 3 } as DBCoreKeyRange } });
          if (!left.result.length) {
            await down.table(SEARCH_BLOCKS).mutate({ trans, type: 'deleteRange', range: { type: 3 } as DBCoreKeyRange });
            await stampBlocks(trans);
          }
        }
      }

      const inScope = (trans: DBCoreTransaction, store = SEARCH_TERMS) => {
        const names = (trans as unknown as { objectStoreNames?: DOMStringList }).objectStoreNames;
        return !names || names.contains(store);
      };

      return {
        ...down,
        transaction(stores, mode, options) {
          if (mode !== 'readwrite') return down.transaction(stores, mode, options);
          const scope = [...stores];
          if ((stores.includes(EVENTS) || stores.includes(SESSIONS)) && !stores.includes(SEARCH_TERMS)) scope.push(SEARCH_TERMS);
          // A delete of sessions may leave none: the blocks are then cleared with them.
          if (hasBlocks && stores.includes(SESSIONS) && !stores.includes(SEARCH_BLOCKS)) scope.push(SEARCH_BLOCKS);
          // Whatever writes the blocks writes their stamp; whatever writes rows may have to say the store is not empty.
          if (hasMeta && (scope.includes(SEARCH_BLOCKS) || scope.includes(SEARCH_TERMS)) && !scope.includes(META)) scope.push(META);
          return down.transaction(scope, mode, options);
        },
        table(name) {
          const table = down.table(name);
          if (name === SEARCH_BLOCKS) {
            return {
              ...table,
              mutate: (req) => table.mutate(req).then(async (result) => (await stampBlocks(req.trans), result)),
            };
          }
          if (name !== EVENTS && name !== SESSIONS) return table;
          return {
            ...table,
            mutate(req) {
              // Not in this transaction (an upgrade step from before version 7, whose own upgrade indexes everything).
              if (!inScope(req.trans)) return table.mutate(req);
              // The write first, called at once: Dexie's transaction zone does not survive awaiting anything else.
              return table.mutate(req).then(async (result) => {
                if (req.type === 'add' || req.type === 'put') {
                  const rows = (req.values as (StoredEvent | SessionRecord)[]).flatMap((value, i) =>
                    result.failures[i] ? [] : name === EVENTS ? postingsOfEvent(value as StoredEvent) : postingsOfSession(value as SessionRecord),
                  );
                  await putPostings(req.trans, rows);
                } else if (name === SESSIONS) {
                  await deletePostings(req.trans, req.type === 'delete' ? req.keys.map((key) => ({ type: 1, lower: key, upper: key, lowerOpen: false, upperOpen: false }) as DBCoreKeyRange) : [req.range]);
                }
                return result;
              });
            },
          };
        },
      };
    },
  };
}

/** Reads of the postings: what search asks (both in one read transaction, so a compaction is seen whole or not at all). */
export interface PostingsReader {
  /** The rows' primary keys ([kind, term, sessionId]) between two keys. */
  keysBetween(lower: [string, string, string], upper: [string, string, string]): Promise<[SearchKind, string, string][]>;
  /** The blocks' session keys between two block keys ([kind, term, day]). */
  blocksBetween(lower: [string, string, number], upper: [string, string, number]): Promise<Float64Array[]>;
}

const LOWEST = '';
const HIGHEST = '\uffff';

/** Every array of `lists` in one new Float64Array (the blocks' arrays may be kept by the reader: never handed out). */
function joined(lists: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(lists.reduce((n, list) => n + list.length, 0));
  let at = 0;
  for (const list of lists) {
    out.set(list, at);
    at += list.length;
  }
  return out;
}

/** Whether the sorted `keys` hold `key`. */
const holds = (keys: Float64Array, key: number) => keys[lowerBound(keys, key)] === key;

/**
 * The sessions having every term of the text somewhere (of these kinds), the last term a prefix — the panel
 * index's rule — as their keys (sdk/model/sessionKey.ts). Each term's sessions come from one key range of rows and
 * one of blocks per kind. One term: its lists joined as they are, so a key may repeat (a session with the word in
 * two kinds, or with two words of the prefix): the caller's rows drop repeats anyway. Several terms: the smallest
 * term's keys tested against the others', each sorted once. The keys may name deleted sessions (stale keys of
 * blocks: see the top of this file); callers test them against the sessions they hold. A new array (the caller may
 * transfer it).
 */
export async function sessionKeysMatching(reader: PostingsReader, text: string, kinds: readonly SearchKind[] = SEARCH_KINDS): Promise<Float64Array> {
  const query = queryTerms(text);
  if (!query) return new Float64Array(0);
  // Every range asked at once (one request each, answered together). Per term: its keys.
  const lists = await Promise.all(
    query.terms.map(async (term) => {
      const exact = term !== query.prefix;
      const last = exact ? term : `${term}${HIGHEST}`;
      const [rows, blocks] = await Promise.all([
        Promise.all(kinds.map((kind) => reader.keysBetween([kind, term, LOWEST], [kind, last, HIGHEST]))),
        Promise.all(kinds.map((kind) => reader.blocksBetween([kind, term, -Infinity], [kind, last, Infinity]))),
      ]);
      const fromRows = rows.filter((keys) => keys.length).map((keys) => Float64Array.from(keys, (key) => sessionKey(key[2])));
      return joined([...fromRows, ...blocks.flat()]);
    }),
  );
  if (lists.length === 1) return lists[0]!;
  lists.sort((a, b) => a.length - b.length);
  const [smallest, ...others] = lists;
  for (const keys of others) keys.sort();
  const out = new Float64Array(smallest!.length);
  let n = 0;
  for (const key of smallest!) if (others.every((keys) => holds(keys, key))) out[n++] = key;
  return out.slice(0, n);
}

/**
 * Every posting of what is stored, one session at a time (its events read by the [sessionId+time] index, its
 * postings put at once): memory holds one session's postings, never the store's. The version 7 upgrade runs it.
 */
export async function backfillPostings(tx: Transaction): Promise<number> {
  const sessions = tx.table<SessionRecord, string>(SESSIONS);
  const events = tx.table<StoredEvent, [string, number]>(EVENTS);
  const terms = tx.table<SearchTermRow, [string, string, string]>(SEARCH_TERMS);
  let count = 0;
  for (const id of await sessions.toCollection().primaryKeys()) {
    const session = await sessions.get(id);
    if (!session) continue;
    const rows = new Map<string, SearchTermRow>();
    const add = (list: SearchTermRow[]) => list.forEach((row) => rows.set(rememberKey(row), row));
    add(postingsOfSession(session));
    await events
      .where('[sessionId+time]')
      .between([id, -Infinity], [id, Infinity], true, true)
      .each((event) => add(postingsOfEvent(event)));
    if (rows.size) await terms.bulkPut([...rows.values()]);
    count += rows.size;
  }
  return count;
}
