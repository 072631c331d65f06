/**
 * Search over the postings the database keeps with the data (storage/searchPostings.ts): which sessions match is
 * a few key ranges, whatever is stored, answered as the sessions' keys (sdk/model/sessionKey.ts); the hits' order is
 * the page's (its columns turn keys into rows), and only the few hits that show snippets have their texts read and
 * ranked here. Nothing is built when the panel opens and nothing follows the change feed: a write's postings commit
 * with it. The keys may name deleted sessions (a compacted block keeps them until its day expires): the panel's
 * source tests them against the sessions it holds, and the snippets skip sessions not found.
 */
import type { SearchKind, SearchQuery } from '../../../sdk/schema';
import type { RumscopeDb } from '../../storage/db';
import { BLOCKS_STAMP_KEY, saysTermsEmpty, sessionKeysMatching, TERMS_STATE_KEY, type PostingsReader } from '../../storage/searchPostings';
import { createSearchIndex } from '../../../panel/dashboard/searchIndex';
import type { SearchService, SnippetsBySession } from './protocol';

/** Key ranges of blocks kept at most (a few searches' terms and kinds). */
const KEPT_BLOCK_RANGES = 256;

export function postingsReader(db: RumscopeDb): PostingsReader {
  return {
    keysBetween: (lower, upper) => db.searchTerms.where('[kind+term+sessionId]').between(lower, upper, true, true).primaryKeys() as Promise<[SearchKind, string, string][]>,
    // One getAll of a few dozen arrays: what makes a common word fast once compacted (storage/compactPostings.ts).
    blocksBetween: async (lower, upper) => (await db.searchBlocks.where('[kind+term+day]').between(lower, upper, true, true).toArray()).map((block) => block.keys),
  };
}

/**
 * The blocks read per key range, kept while their stamp (meta `searchBlocks`, written with every write of the blocks)
 * is the one read with them: a search asked again, or a keystroke that extends a word already read, reads only the
 * rows not yet compacted. New postings are written as rows, and blocks change only by compaction, retention or a
 * clear, each of which writes a new stamp.
 */
function keptBlocks(db: RumscopeDb, reader: PostingsReader) {
  const kept = new Map<string, Promise<Float64Array[]>>();
  let stamp: string | undefined | null = null;
  let noRows = false;
  return {
    /** In the question's read transaction, before its ranges are read. */
    async check() {
      const [blocks, terms] = await db.meta.bulkGet([BLOCKS_STAMP_KEY, TERMS_STATE_KEY]);
      const now = blocks?.value as { stamp: string } | undefined;
      if (now?.stamp !== stamp) kept.clear();
      stamp = now?.stamp;
      // Every row moved into blocks (searchPostings.ts): their key ranges would find nothing, slowly.
      noRows = saysTermsEmpty(terms);
    },
    reader: {
      keysBetween: (lower, upper) => (noRows ? Promise.resolve([]) : reader.keysBetween(lower, upper)),
      blocksBetween(lower, upper) {
        const key = JSON.stringify([lower, upper]);
        let blocks = kept.get(key);
        if (!blocks) {
          blocks = reader.blocksBetween(lower, upper);
          kept.set(key, blocks);
          blocks.catch(() => kept.get(key) === blocks && kept.delete(key));
          if (kept.size > KEPT_BLOCK_RANGES) kept.delete(kept.keys().next().value!);
        }
        return blocks;
      },
    } satisfies PostingsReader,
  };
}

export function createStoredSearch(db: RumscopeDb): SearchService {
  const blocks = keptBlocks(db, postingsReader(db));
  // One read transaction for all of a question's key ranges, rows, blocks and their stamp: a compaction is seen whole
  // or not at all.
  const keysOf = (text: string, kinds?: readonly SearchKind[]) =>
    db.transaction('r', db.searchTerms, db.searchBlocks, db.meta, async () => {
      await blocks.check();
      return sessionKeysMatching(blocks.reader, text, kinds?.length ? kinds : undefined);
    });

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
    sessionKeys: keysOf,
    snippets: snippetsOf,
    close: () => {},
  };
}
