/**
 * The search index kept in the database (`searchTerms`, Dexie version 7): one row per session, kind of text and
 * term — the postings — written by a Dexie middleware in the same transaction as the events and sessions they come
 * from, whichever code path writes them; removed with their session. Search asks them by key range (a term, or a
 * prefix for the word being typed) and never reads an event: nothing is built when the panel opens, and a
 * keystroke costs one key range per term and kind, whatever is stored.
 */
import type { DBCore, DBCoreKeyRange, DBCoreTransaction, Middleware, Transaction } from 'dexie';
import { SEARCH_KINDS, type SearchKind, type SessionRecord, type StoredEvent } from '../../sdk/schema';
import { attributeTexts, eventTexts, queryTerms, termsOf } from '../../sdk/model/searchTexts';

export const SEARCH_TERMS = 'searchTerms';
const EVENTS = 'events';
const SESSIONS = 'sessions';

/** One posting: the session has a text of this kind with this term. Its key is [kind+term+sessionId]. */
export interface SearchTermRow {
  kind: SearchKind;
  term: string;
  sessionId: string;
}

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

      /** Puts the rows not remembered; remembers them once the transaction commits (an aborted one wrote nothing). */
      async function putPostings(trans: DBCoreTransaction, rows: SearchTermRow[]) {
        const fresh = new Map<string, SearchTermRow>();
        for (const row of rows) {
          const key = rememberKey(row);
          if (!remembered.has(key)) fresh.set(key, row);
        }
        if (!fresh.size) return;
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
      }

      const inScope = (trans: DBCoreTransaction) => {
        const names = (trans as unknown as { objectStoreNames?: DOMStringList }).objectStoreNames;
        return !names || names.contains(SEARCH_TERMS);
      };

      return {
        ...down,
        transaction(stores, mode, options) {
          const scope = mode === 'readwrite' && (stores.includes(EVENTS) || stores.includes(SESSIONS)) && !stores.includes(SEARCH_TERMS) ? [...stores, SEARCH_TERMS] : stores;
          return down.transaction(scope, mode, options);
        },
        table(name) {
          const table = down.table(name);
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

/** Reads of the postings: what search asks. */
export interface PostingsReader {
  /** The primary keys ([kind, term, sessionId]) between two keys. */
  keysBetween(lower: [string, string, string], upper: [string, string, string]): Promise<[SearchKind, string, string][]>;
}

const LOWEST = '';
const HIGHEST = '\uffff';

/**
 * The sessions having every term of the text somewhere (of these kinds), the last term a prefix — the panel
 * index's rule. Each term's sessions come from one key range per kind; the smallest set is kept and the others
 * are tested against it.
 */
export async function sessionIdsMatching(reader: PostingsReader, text: string, kinds: readonly SearchKind[] = SEARCH_KINDS): Promise<Set<string>> {
  const query = queryTerms(text);
  if (!query) return new Set();
  const sets = await Promise.all(
    query.terms.map(async (term) => {
      const ids = new Set<string>();
      const exact = term !== query.prefix;
      for (const kind of kinds) {
        const keys = await reader.keysBetween([kind, term, LOWEST], exact ? [kind, term, HIGHEST] : [kind, `${term}${HIGHEST}`, HIGHEST]);
        for (const key of keys) ids.add(key[2]);
      }
      return ids;
    }),
  );
  sets.sort((a, b) => a.size - b.size);
  const [smallest, ...others] = sets;
  const out = new Set<string>();
  for (const id of smallest!) if (others.every((set) => set.has(id))) out.add(id);
  return out;
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
