/**
 * Search over the postings the database keeps with the data (storage/searchPostings.ts): which sessions match is
 * a few key ranges, whatever is stored; the hits' order is the page's (its records are in memory), and only the few
 * hits that show snippets have their texts read and ranked here. Nothing is built when the panel opens and nothing
 * follows the change feed: a write's postings commit with it. The ids may name deleted sessions (a compacted
 * block keeps them until its day expires): the snippets skip sessions not found, and the panel's source tests the
 * ids against the records it holds.
 */
import type { SearchKind, SearchQuery } from '../../../sdk/schema';
import type { RumscopeDb } from '../../storage/db';
import { sessionIdsMatching, type PostingsReader } from '../../storage/searchPostings';
import { createSearchIndex } from '../../../panel/dashboard/searchIndex';
import type { SearchService, SnippetsBySession } from './protocol';

export function postingsReader(db: RumscopeDb): PostingsReader {
  return {
    keysBetween: (lower, upper) => db.searchTerms.where('[kind+term+sessionId]').between(lower, upper, true, true).primaryKeys() as Promise<[SearchKind, string, string][]>,
    // One getAll of a few dozen arrays: what makes a common word fast once compacted (storage/compactPostings.ts).
    blocksBetween: async (lower, upper) => (await db.searchBlocks.where('[kind+term+day]').between(lower, upper, true, true).toArray()).map((block) => block.ids),
  };
}

export function createStoredSearch(db: RumscopeDb): SearchService {
  const reader = postingsReader(db);
  // One read transaction for all of a question's key ranges, rows and blocks: a compaction is seen whole or not at all.
  const idsOf = (text: string, kinds?: readonly SearchKind[]) =>
    db.transaction('r', db.searchTerms, db.searchBlocks, () => sessionIdsMatching(reader, text, kinds?.length ? kinds : undefined));

  /** Snippets of these sessions: their texts read and ranked by the panel's index, for these few only. */
  async function snippetsOf(ids: string[], query: SearchQuery): Promise<SnippetsBySession> {
    if (!ids.length || !query.text.trim()) return {};
    const index = createSearchIndex();
    const [sessions, events] = await db.transaction('r', db.sessions, db.events, () =>
      Promise.all([db.sessions.bulkGet(ids), Promise.all(ids.map((id) => db.events.where('[sessionId+time]').between([id, -Infinity], [id, Infinity], true, true).toArray()))]),
    );
    ids.forEach((id, i) => {
      const session = sessions[i];
      if (session) index.addSession(session);
      index.addEvents(id, events[i]!);
    });
    return Object.fromEntries(index.search({ ...query, limit: ids.length, snippets: ids.length }).map((hit) => [hit.sessionId, hit.snippets]));
  }

  return {
    sessionIds: async (text, kinds) => [...(await idsOf(text, kinds))],
    snippets: snippetsOf,
    close: () => {},
  };
}
