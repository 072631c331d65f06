/**
 * Search over the postings the database keeps with the data (storage/searchPostings.ts): which sessions match is
 * a few key ranges, whatever is stored; the hits are the matching sessions, newest first, and only the first few
 * (those that show snippets) have their texts read and ranked. Nothing is built when the panel opens and nothing
 * follows the change feed: a write's postings commit with it.
 */
import type { SearchHit, SearchKind, SearchQuery, SessionRecord } from '../../../sdk/schema';
import type { RumscopeDb } from '../../storage/db';
import { sessionIdsMatching, type PostingsReader } from '../../storage/searchPostings';
import { createSearchIndex } from '../../../panel/dashboard/searchIndex';
import type { SearchService } from './protocol';

const DEFAULT_LIMIT = 1_000;
const DEFAULT_SNIPPET_HITS = 50;
/** Up to this many matches, their records are read to order them; above, the start-time index gives the order. */
const READ_TO_ORDER = 2_000;

export function postingsReader(db: RumscopeDb): PostingsReader {
  return {
    keysBetween: (lower, upper) => db.searchTerms.where('[kind+term+sessionId]').between(lower, upper, true, true).primaryKeys() as Promise<[SearchKind, string, string][]>,
  };
}

export function createStoredSearch(db: RumscopeDb): SearchService {
  const reader = postingsReader(db);
  const idsOf = (text: string, kinds?: readonly SearchKind[]) => sessionIdsMatching(reader, text, kinds?.length ? kinds : undefined);

  /** The matching sessions, newest first, at most `limit`. */
  async function newestFirst(ids: Set<string>, limit: number): Promise<string[]> {
    if (ids.size <= READ_TO_ORDER) {
      const rows = (await db.sessions.bulkGet([...ids])).filter((s): s is SessionRecord => !!s);
      return rows
        .sort((a, b) => b.startedAt - a.startedAt || a.id.localeCompare(b.id))
        .slice(0, limit)
        .map((s) => s.id);
    }
    const out: string[] = [];
    for (const id of await db.sessions.orderBy('startedAt').reverse().primaryKeys()) {
      if (!ids.has(id)) continue;
      out.push(id);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Snippets of these sessions: their texts read and ranked by the panel's index, for these few only. */
  async function snippetsOf(ids: string[], query: SearchQuery): Promise<Map<string, SearchHit['snippets']>> {
    if (!ids.length) return new Map();
    const index = createSearchIndex();
    const sessions = await db.sessions.bulkGet(ids);
    for (const [i, id] of ids.entries()) {
      const session = sessions[i];
      if (session) index.addSession(session);
      index.addEvents(id, await db.events.where('[sessionId+time]').between([id, -Infinity], [id, Infinity], true, true).toArray());
    }
    return new Map(index.search({ ...query, limit: ids.length, snippets: ids.length }).map((hit) => [hit.sessionId, hit.snippets]));
  }

  return {
    sessionIds: async (text, kinds) => [...(await idsOf(text, kinds))],
    async search(query) {
      if (!query.text.trim()) return [];
      const ids = await idsOf(query.text, query.kinds);
      const top = await newestFirst(ids, query.limit ?? DEFAULT_LIMIT);
      const snippets = await snippetsOf(top.slice(0, query.snippets ?? DEFAULT_SNIPPET_HITS), query);
      return top.map((sessionId, i) => ({ sessionId, score: top.length - i, snippets: snippets.get(sessionId) ?? [] }));
    },
    close: () => {},
  };
}
