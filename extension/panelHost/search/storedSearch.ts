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
import { BLOCKS_STAMP_KEY, saysTermsEmpty, sessionKeysMatching, TERMS_STATE_KEY, type PostingsReader, type SearchBlockRow } from '../../storage/searchPostings';
import { createSearchIndex } from '../../../panel/dashboard/searchIndex';
import { lowerBound } from '../../../sdk/model/lowerBound';
import type { SearchService, SnippetsBySession } from './protocol';

/** Key ranges of blocks kept at most (a few searches' terms and kinds). */
const KEPT_BLOCK_RANGES = 256;
/** Blocks per read when every block is read (each read its own transaction, with the stamp). */
const ALL_BLOCKS_CHUNK = 500;
/** How long after the blocks last changed they are all read again (compaction runs in steps while capture writes). */
const READ_ALL_AFTER_MS = 5_000;

/** Every block in memory, as of one stamp: per kind, its terms in key order and each term's blocks (one per day). */
interface AllBlocks {
  stamp: string | undefined;
  kinds: Map<string, { terms: string[]; blocks: Float64Array[][] }>;
}

/** The blocks of `all` between two block keys (as blocksBetween asks: every day of the terms from lower's to upper's). */
function blocksFromMemory(all: AllBlocks, lower: [string, string, number], upper: [string, string, number]): Float64Array[] {
  const kind = all.kinds.get(lower[0]);
  if (!kind || lower[0] !== upper[0]) return [];
  const out: Float64Array[] = [];
  for (let i = lowerBound(kind.terms, lower[1]); i < kind.terms.length && kind.terms[i]! <= upper[1]; i++) out.push(...kind.blocks[i]!);
  return out;
}

/** The stamp and the next ALL_BLOCKS_CHUNK blocks after `after` (from the first when null), in one transaction. */
async function blocksAfter(db: RumscopeDb, after: [string, string, number] | null): Promise<{ now: string | undefined; chunk: SearchBlockRow[] }> {
  return db.transaction('r', db.searchBlocks, db.meta, async () => {
    const [meta, chunk] = await Promise.all([db.meta.get(BLOCKS_STAMP_KEY), (after ? db.searchBlocks.where(':id').above(after) : db.searchBlocks.toCollection()).limit(ALL_BLOCKS_CHUNK).toArray()]);
    return { now: (meta?.value as { stamp: string } | undefined)?.stamp, chunk };
  });
}

/** Keys held in memory at most (32 MB): beyond, the blocks are read per question as without `readAllBlocks`. */
export const MAX_HELD_KEYS = 4_000_000;

/**
 * Reads every block, ALL_BLOCKS_CHUNK per transaction, each with the stamp: null when a chunk's stamp is not the first
 * one's (the blocks changed meanwhile), 'too many' past `maxKeys`. 1,836 blocks of 2,233,100 keys (100,000 sessions)
 * read in 0.2–0.35 s, 18 MB.
 */
async function readAllBlocks(db: RumscopeDb, maxKeys: number): Promise<AllBlocks | null | 'too many'> {
  let held = 0;
  const kinds = new Map<string, { terms: string[]; blocks: Float64Array[][] }>();
  let stamp: string | undefined | null = null;
  let after: [string, string, number] | null = null;
  for (;;) {
    const { now, chunk } = await blocksAfter(db, after);
    if (stamp === null) stamp = now;
    else if (now !== stamp) return null;
    for (const block of chunk) {
      held += block.keys.length;
      if (held > maxKeys) return 'too many';
      let kind = kinds.get(block.kind);
      if (!kind) kinds.set(block.kind, (kind = { terms: [], blocks: [] }));
      // In key order: a term's days follow each other.
      if (kind.terms.at(-1) === block.term) kind.blocks.at(-1)!.push(block.keys);
      else {
        kind.terms.push(block.term);
        kind.blocks.push([block.keys]);
      }
    }
    if (chunk.length < ALL_BLOCKS_CHUNK) return { stamp, kinds };
    const end: SearchBlockRow = chunk.at(-1)!;
    after = [end.kind, end.term, end.day];
  }
}

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
 *
 * `readAll` (the panel's Worker): every block is read once and held, and read again READ_ALL_AFTER_MS after the
 * blocks last changed; while the stamp is the one they were read with, a word never read before is answered from
 * memory too (its blocks' first read was 15–40 ms of a new word's answer at 100,000 sessions).
 */
function keptBlocks(db: RumscopeDb, reader: PostingsReader, readAll: boolean, maxKeys: number) {
  const kept = new Map<string, Float64Array[]>();
  let stamp: string | undefined | null = null;
  let all: AllBlocks | null = null;
  let allTimer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  const readAllLater = (delay: number) => {
    if (!readAll || closed) return;
    if (allTimer) clearTimeout(allTimer);
    allTimer = setTimeout(() => {
      allTimer = null;
      readAllBlocks(db, maxKeys).then(
        (read) => {
          if (closed) return;
          // Too many to hold: not read again by this Worker (a store that big keeps growing until retention trims it).
          if (read === 'too many') return void (readAll = false);
          // Changed meanwhile: read again once they settle. Else held while the stamp stays.
          if (!read || (stamp !== null && read.stamp !== stamp)) readAllLater(READ_ALL_AFTER_MS);
          else all = read;
        },
        (error) => {
          if (!closed && (error as Error | null)?.name !== 'DatabaseClosedError') console.warn('[rumscope] search: could not read the postings into memory', error);
        },
      );
    }, delay);
  };
  readAllLater(0);
  return {
    /**
     * In the question's read transaction, before its ranges are read: the stamp and whether rows are left, and a
     * reader for this question alone. It never waits for another transaction's read (a transaction that awaits
     * something else while none of its own requests is pending commits early): what it keeps are answers already
     * read, and a range being read by another question is read again.
     */
    async check(): Promise<PostingsReader> {
      const [blocks, terms] = await db.meta.bulkGet([BLOCKS_STAMP_KEY, TERMS_STATE_KEY]);
      const seen = (blocks?.value as { stamp: string } | undefined)?.stamp;
      if (seen !== stamp) kept.clear();
      stamp = seen;
      if (all && all.stamp !== seen) {
        all = null;
        readAllLater(READ_ALL_AFTER_MS);
      }
      const held = all;
      // Every row moved into blocks (searchPostings.ts): their key ranges would find nothing, slowly.
      const noRows = saysTermsEmpty(terms);
      return {
        keysBetween: (lower, upper) => (noRows ? Promise.resolve([]) : reader.keysBetween(lower, upper)),
        async blocksBetween(lower, upper) {
          if (held) return blocksFromMemory(held, lower, upper);
          const key = JSON.stringify([lower, upper]);
          const known = kept.get(key);
          if (known) return known;
          const read = await reader.blocksBetween(lower, upper);
          // Kept only while the blocks are the ones this question read.
          if (stamp === seen) {
            kept.set(key, read);
            if (kept.size > KEPT_BLOCK_RANGES) kept.delete(kept.keys().next().value!);
          }
          return read;
        },
      };
    },
    close() {
      closed = true;
      if (allTimer) clearTimeout(allTimer);
      all = null;
    },
  };
}

export interface StoredSearchOptions {
  /** Hold every block in memory (read again after they change): the panel's Worker. Default false. */
  readAllBlocks?: boolean;
  /** Keys held at most (default MAX_HELD_KEYS): with more, every question reads its blocks. */
  maxHeldKeys?: number;
}

export function createStoredSearch(db: RumscopeDb, { readAllBlocks: readAll = false, maxHeldKeys = MAX_HELD_KEYS }: StoredSearchOptions = {}): SearchService {
  const blocks = keptBlocks(db, postingsReader(db), readAll, maxHeldKeys);
  // One read transaction for all of a question's key ranges, rows, blocks and their stamp: a compaction is seen whole
  // or not at all.
  const keysOf = (text: string, kinds?: readonly SearchKind[]) =>
    db.transaction('r', db.searchTerms, db.searchBlocks, db.meta, async () => sessionKeysMatching(await blocks.check(), text, kinds?.length ? kinds : undefined));

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
    close: () => blocks.close(),
  };
}
