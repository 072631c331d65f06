/**
 * Compaction of the search postings (storage/searchPostings.ts): the rows of `searchTerms` (one per kind, term and
 * session: cheap to write with the data, slow to read by the tens of thousands) are moved into `searchBlocks` (one
 * per kind, term and day of the sessions' start, holding their keys: sdk/model/sessionKey.ts). Pure storage code:
 * the background schedules it (background/startCompaction.ts), search reads rows and blocks alike, so a row is found
 * before and after its move.
 *
 * The middleware remembers the postings it wrote and does not put them again: a moved row is not written back by
 * the next event with the same URL, and needs not be, since its block answers for it.
 */
import type { SearchKind } from '../../sdk/schema';
import type { RumscopeDb } from './db';
import { BLOCK_DAY_MS, blockDayOf, saysTermsEmpty, TERMS_STATE_KEY, type SearchBlockRow } from './searchPostings';
import { sessionKey } from '../../sdk/model/sessionKey';

export interface CompactOptions {
  /** Rows moved in this one transaction at most (bounds how long capture writes wait behind it). */
  maxRows: number;
  /**
   * Block days of sessions already known (sessionDays): only the others are read. A session's start never changes;
   * a backlog of rows names each session many times (once per term), and reading its record each time was most of
   * the move.
   */
  days?: Map<string, number>;
}

/** Every stored session's block day, from the start-time index alone (keys, no records). */
export async function sessionDays(db: RumscopeDb): Promise<Map<string, number>> {
  return db.transaction('r', db.sessions, async () => {
    const [starts, ids] = await Promise.all([db.sessions.orderBy('startedAt').keys(), db.sessions.orderBy('startedAt').primaryKeys()]);
    return new Map(ids.map((id, i) => [id, blockDayOf(starts[i] as number)]));
  });
}

/**
 * Moves up to `maxRows` posting rows (the first in key order) into their blocks. Which rows, and the days of their
 * sessions, are read first in a read-only transaction: a readwrite one over `sessions` would hold the panel's reads
 * (its first rows, its filters) for as long as the move takes. The move itself is one readwrite transaction over the
 * postings alone, which reads the range again: a row written since (of a session not looked up) stays for the next
 * pass, a row deleted since (its session deleted) is not moved, a row whose session was gone at the first read is
 * dropped. A failure moves nothing. Returns how many rows it took (moved or dropped).
 */
export async function compactPostings(db: RumscopeDb, { maxRows, days: known }: CompactOptions): Promise<number> {
  const first = await db.transaction('r', [db.searchTerms, db.sessions, db.meta], async () => {
    const keys = await db.searchTerms.toCollection().limit(maxRows).primaryKeys();
    if (!keys.length) return { keys, days: new Map<string, number | null>(), flagged: saysTermsEmpty(await db.meta.get(TERMS_STATE_KEY)) };
    const days = new Map<string, number | null>();
    const unknown: string[] = [];
    for (const id of new Set(keys.map((key) => key[2]))) {
      const day = known?.get(id);
      if (day === undefined) unknown.push(id);
      else days.set(id, day);
    }
    (await db.sessions.bulkGet(unknown)).forEach((session, i) => {
      const day = session ? blockDayOf(session.startedAt) : null;
      days.set(unknown[i]!, day);
      if (day !== null) known?.set(unknown[i]!, day);
    });
    return { keys, days, flagged: false };
  });
  if (!first.keys.length) {
    if (!first.flagged) await flagEmpty(db);
    return 0;
  }
  const { days } = first;
  return db.transaction('rw', [db.searchTerms, db.searchBlocks, db.meta], async () => {
    const keys = await db.searchTerms.where(':id').between(first.keys[0]!, first.keys.at(-1)!, true, true).primaryKeys();
    const blocks = new Map<string, { kind: SearchKind; term: string; day: number; keys: number[] }>();
    const taken: (typeof keys)[number][] = [];
    for (const key of keys) {
      const [kind, term, id] = key;
      const day = days.get(id);
      if (day === undefined) continue; // written since the first read: the next pass
      taken.push(key);
      if (day === null) continue; // its session was gone: dropped
      const name = JSON.stringify([kind, term, day]);
      const block = blocks.get(name);
      if (block) block.keys.push(sessionKey(id));
      else blocks.set(name, { kind: kind as SearchKind, term, day, keys: [sessionKey(id)] });
    }
    const targets = [...blocks.values()];
    const stored = await db.searchBlocks.bulkGet(targets.map((b) => [b.kind, b.term, b.day] as [string, string, number]));
    const merged = targets.map((block, i): SearchBlockRow => {
      const before = stored[i]?.keys ?? [];
      return { ...block, keys: Float64Array.from(new Set([...before, ...block.keys])) };
    });
    if (merged.length) await db.searchBlocks.bulkPut(merged);
    // Usually every row of the range is taken: one range delete, not one per key.
    if (taken.length === keys.length) await db.searchTerms.where(':id').between(keys[0]!, keys.at(-1)!, true, true).delete();
    else await db.searchTerms.bulkDelete(taken);
    if (first.keys.length < maxRows) await flagEmpty(db);
    return taken.length;
  });
}

/**
 * Says `searchTerms` is empty (meta TERMS_STATE_KEY) if it is: readers then skip the rows' key ranges until the next
 * write of a row clears it. In the caller's transaction if any, else in one of its own.
 */
function flagEmpty(db: RumscopeDb): Promise<void> {
  return db.transaction('rw', [db.searchTerms, db.meta], async () => {
    if (!(await db.searchTerms.limit(1).primaryKeys()).length) await db.meta.put({ key: TERMS_STATE_KEY, value: { empty: true } });
  });
}

export interface CompactLoopOptions {
  /** Rows per transaction (default COMPACT_ROWS). */
  maxRows?: number;
  /** Stop starting transactions after this long (ms; default no limit). */
  budgetMs?: number;
  /** Between two transactions, so that capture writes waiting for the stores go first (default: a 0 ms timer). */
  pause?: () => Promise<void>;
  /** Asked between transactions: true stops the loop early (e.g. writes have resumed). */
  stop?: () => boolean;
  now?: () => number;
}

/** Rows per move: about a second of holding the postings (capture writes wait for them) on a loaded 2-core machine. */
export const COMPACT_ROWS = 5_000;

/**
 * Compacts transaction after transaction until fewer than `maxRows` rows were left (`done`) or the budget is spent
 * or `stop` says so (not `done`: call again later).
 */
export async function compactAllPostings(db: RumscopeDb, options: CompactLoopOptions = {}): Promise<{ moved: number; done: boolean }> {
  const { maxRows = COMPACT_ROWS, budgetMs = Infinity, now = Date.now } = options;
  const pause = options.pause ?? (() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
  const started = now();
  let moved = 0;
  let days: Map<string, number> | undefined;
  for (;;) {
    const step = await compactPostings(db, { maxRows, days });
    moved += step;
    if (step < maxRows) return { moved, done: true };
    // A backlog: the sessions' days from the start-time index once, instead of their records at every move.
    days ??= await sessionDays(db);
    if (now() - started >= budgetMs || options.stop?.()) return { moved, done: false };
    await pause();
  }
}

/**
 * Deletes the blocks of days before `beforeDay`, and every block of days before the oldest stored session's (only
 * deleted sessions' ids are left in those). Sessions kept although that old (pinned, or still live) keep their ids:
 * their days' blocks are cut down to them instead of deleted. Returns how many blocks went.
 */
export async function deleteOldBlocks(db: RumscopeDb, beforeDay: number): Promise<number> {
  return db.transaction('rw', [db.searchBlocks, db.sessions], async () => {
    const oldest = await db.sessions.orderBy('startedAt').first();
    const until = Math.max(beforeDay, oldest ? blockDayOf(oldest.startedAt) : Infinity);
    const old = db.searchBlocks.where('day').below(until);
    const kept = new Set(Number.isFinite(until) ? await db.sessions.where('startedAt').below(until * BLOCK_DAY_MS).primaryKeys() : []);
    if (!kept.size) return old.delete();
    let deleted = 0;
    const keptKeys = new Set([...kept].map((id) => sessionKey(id as string)));
    await old.modify((block, ref) => {
      const keys = block.keys.filter((key) => keptKeys.has(key));
      if (!keys.length) {
        deleted++;
        delete (ref as { value?: SearchBlockRow }).value;
      } else if (keys.length < block.keys.length) block.keys = keys;
    });
    return deleted;
  });
}
