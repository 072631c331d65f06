import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import type { RumEvent, SearchKind } from '../../sdk/schema';
import { base, makeSession, stored } from '../../tests/unit/support/sessionFixtures';
import { failingWrites, useTestDbs } from '../../tests/unit/support/testDb';
import { createDexieSessionSource } from '../panelHost/dexieSessionSource';
import { createStoredSearch } from '../panelHost/search/storedSearch';
import { compactAllPostings, compactPostings, deleteOldBlocks, sessionDays } from './compactPostings';
import type { RumscopeDb } from './db';
import { DAY_MS, runRetention } from './retention';
import { sessionKeysMatching, TERMS_STATE_KEY, type PostingsReader } from './searchPostings';
import { sessionKeys } from '../../sdk/model/sessionKey';
import { namesOf } from '../../tests/unit/support/sessionKeys';
import { deleteSessions } from './sessionStore';

const open = useTestDbs('compact-postings');
const DAY0 = Date.UTC(2025, 11, 5);
const view = (url: string, at = DAY0): RumEvent => ({ ...base(at), type: 'view', url, referrer: '', title: '', navigation: 'initial', loadingTime: null });
const error = (message: string, at = DAY0): RumEvent => ({ ...base(at), type: 'error', source: 'uncaught', errorType: 'TypeError', message, stack: null, frames: [] });
/** The sessions named, each once (search may name one twice: a word in two kinds). */
const sorted = async (ids: Promise<string[]>) => [...new Set(await ids)].sort();
/** Ids of deleted sessions a test's blocks may still hold. */
const GONE = ['a', 'gone'];
/** The blocks with the ids their keys stand for, sorted. */
const blocks = async (db: RumscopeDb) =>
  Promise.all((await db.searchBlocks.toArray()).map(async ({ keys, ...b }) => ({ ...b, ids: (await namesOf(db, keys, GONE)).sort() })));

/** Sessions a, b (day 0) and c (day 1), visiting checkout pages; c also has an error. */
async function seed(db: RumscopeDb) {
  await db.sessions.bulkPut([
    makeSession({ id: 'a', startedAt: DAY0 + 1_000 }),
    makeSession({ id: 'b', startedAt: DAY0 + 2_000, global: { plan: 'gold' } }),
    makeSession({ id: 'c', startedAt: DAY0 + DAY_MS + 5 }),
  ]);
  await db.events.bulkPut([
    stored(view('https://shop.test/checkout'), 'a'),
    stored(view('https://shop.test/checkout/pay'), 'b'),
    stored(view('https://shop.test/cart'), 'c'),
    stored(view('https://shop.test/checkout'), 'c'),
    stored(error('card declined'), 'c'),
  ]);
}

/** What a set of questions answers: compared before and after compaction. */
const QUESTIONS: [string, SearchKind[]?][] = [['checkout'], ['chec'], ['checkout pa'], ['gold'], ['plan gold'], ['declined', ['error']], ['declined', ['url']], ['cart checkout'], ['shop']];
async function answers(db: RumscopeDb) {
  const search = createStoredSearch(db);
  return Promise.all(QUESTIONS.map(([text, kinds]) => sorted(namesOf(db, search.sessionKeys(text, kinds)))));
}

describe('compactPostings', () => {
  it('moves a backlog in bounded steps with the days read once from the start-time index: the same blocks and answers', async () => {
    const db = open();
    await seed(db);
    const before = await answers(db);
    expect(await sessionDays(db)).toEqual(new Map([['a', DAY0 / DAY_MS], ['b', DAY0 / DAY_MS], ['c', DAY0 / DAY_MS + 1]]));
    const rows = await db.searchTerms.count();
    expect(await compactAllPostings(db, { maxRows: 3 })).toEqual({ moved: rows, done: true });
    expect(await db.searchTerms.count()).toBe(0);
    expect((await blocks(db)).filter((b) => b.kind === 'url' && b.term === 'checkout')).toEqual([
      { kind: 'url', term: 'checkout', day: DAY0 / DAY_MS, ids: ['a', 'b'] },
      { kind: 'url', term: 'checkout', day: DAY0 / DAY_MS + 1, ids: ['c'] },
    ]);
    expect(await answers(db)).toEqual(before);
  });

  it('holds no write lock on the sessions: a read of sessions made while it runs answers before it ends', async () => {
    const db = open();
    const sessions = Array.from({ length: 400 }, (_, i) => makeSession({ id: `s${String(i).padStart(4, '0')}`, startedAt: DAY0 + i }));
    await db.sessions.bulkPut(sessions);
    await db.events.bulkPut(sessions.map((s, i) => stored(view(`https://shop.test/checkout/${i}`), s.id, `load-${i}`)));
    const order: string[] = [];
    const moving = compactPostings(db, { maxRows: 10_000 }).then(() => order.push('moved'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    // As the panel's first rows while the background compacts.
    const read = db.sessions.get('s0001').then((s) => order.push(`read ${s?.id}`));
    await Promise.all([moving, read]);
    expect(order).toEqual(['read s0001', 'moved']);
    expect(await db.searchTerms.count()).toBe(0);
  });

  it('moves rows into blocks by kind, term and day of the session start; search answers the same', async () => {
    const db = open();
    await seed(db);
    const before = await answers(db);
    expect(before[0]).toEqual(['a', 'b', 'c']);
    const rows = await db.searchTerms.count();

    expect(await compactPostings(db, { maxRows: 10_000 })).toBe(rows);
    expect(await db.searchTerms.count()).toBe(0);
    const checkout = (await blocks(db)).filter((b) => b.kind === 'url' && b.term === 'checkout');
    expect(checkout).toEqual([
      { kind: 'url', term: 'checkout', day: DAY0 / DAY_MS, ids: ['a', 'b'] },
      { kind: 'url', term: 'checkout', day: DAY0 / DAY_MS + 1, ids: ['c'] },
    ]);
    expect(await answers(db)).toEqual(before);
    // Idempotent: nothing left to move, nothing changes.
    const compacted = await blocks(db);
    expect(await compactPostings(db, { maxRows: 10_000 })).toBe(0);
    expect(await blocks(db)).toEqual(compacted);
  });

  it('merges later rows into existing blocks without duplicates (a row written again after a worker restart)', async () => {
    const db = open();
    await seed(db);
    await compactPostings(db, { maxRows: 10_000 });
    // A new session on day 0, and a's posting written again as a new worker does (it remembers nothing).
    await db.sessions.put(makeSession({ id: 'd', startedAt: DAY0 + 3_000 }));
    await db.events.put(stored(view('https://shop.test/checkout'), 'd'));
    await db.searchTerms.put({ kind: 'url', term: 'checkout', sessionId: 'a' });
    // Mixed: rows and blocks answer together.
    expect(await sorted(namesOf(db, createStoredSearch(db).sessionKeys('checkout')))).toEqual(['a', 'b', 'c', 'd']);
    await compactPostings(db, { maxRows: 10_000 });
    const day0 = await db.searchBlocks.get(['url', 'checkout', DAY0 / DAY_MS]);
    expect((await namesOf(db, day0!.keys)).sort()).toEqual(['a', 'b', 'd']);
    expect(await sorted(namesOf(db, createStoredSearch(db).sessionKeys('checkout')))).toEqual(['a', 'b', 'c', 'd']);
    // Each session counts once in the panel's answers, although search names a (in a row and a block) twice.
    expect(await createDexieSessionSource(db).countSessions({ search: 'checkout' })).toBe(4);
  });

  it("drops the rows of sessions that no longer exist, and moves at most maxRows rows per call (the first in key order)", async () => {
    const db = open();
    await seed(db);
    // A row left without its session (written by hand: the middleware deletes a session's rows with it).
    await db.searchTerms.put({ kind: 'url', term: 'checkout', sessionId: 'gone' });
    const keys = await db.searchTerms.toCollection().primaryKeys();
    expect(await compactPostings(db, { maxRows: 3 })).toBe(3);
    expect(await db.searchTerms.toCollection().primaryKeys()).toEqual(keys.slice(3));
    const result = await compactAllPostings(db, { maxRows: 3 });
    expect(result).toEqual({ moved: keys.length - 3, done: true });
    expect(await db.searchTerms.count()).toBe(0);
    expect((await blocks(db)).some((b) => b.ids.includes('gone'))).toBe(false);
  });

  it('stops a loop at its budget or when told to, and says it is not done', async () => {
    const db = open();
    await seed(db);
    let clock = 0;
    const first = await compactAllPostings(db, { maxRows: 2, budgetMs: 5, now: () => (clock += 10) });
    expect(first).toEqual({ moved: 2, done: false });
    const second = await compactAllPostings(db, { maxRows: 2, stop: () => true });
    expect(second).toEqual({ moved: 2, done: false });
    expect((await compactAllPostings(db, { maxRows: 2 })).done).toBe(true);
    expect(await db.searchTerms.count()).toBe(0);
  });

  it('leaves rows and blocks as they were when its transaction fails midway', async () => {
    let failing = false;
    // Fails the delete of the moved rows, after the blocks were put in the same transaction.
    const db = open(failingWrites('searchTerms', (req) => failing && req.type === 'deleteRange'));
    await seed(db);
    await compactPostings(db, { maxRows: 4 });
    const [rows, compacted] = [await db.searchTerms.toArray(), await blocks(db)];
    failing = true;
    await expect(compactPostings(db, { maxRows: 10_000 })).rejects.toThrow('disk full');
    expect(await db.searchTerms.toArray()).toEqual(rows);
    expect(await blocks(db)).toEqual(compacted);
  });

  it("keeps finding a moved posting when the same text is written again (the middleware remembers it and does not put it)", async () => {
    const db = open();
    await seed(db);
    await compactPostings(db, { maxRows: 10_000 });
    await db.events.put(stored(view('https://shop.test/checkout'), 'a'));
    expect(await db.searchTerms.count()).toBe(0);
    expect(await sorted(namesOf(db, createStoredSearch(db).sessionKeys('checkout')))).toEqual(['a', 'b', 'c']);
  });

  it('says the rows are all moved, search then reads only blocks; the next row written is found at once', async () => {
    const db = open();
    await seed(db);
    const state = async () => ((await db.meta.get(TERMS_STATE_KEY))?.value as { empty: boolean } | undefined)?.empty;
    await compactPostings(db, { maxRows: 4 });
    expect(await state()).toBeUndefined();
    await compactAllPostings(db, { maxRows: 4 });
    expect(await state()).toBe(true);

    const search = createStoredSearch(db);
    const rowReads = vi.spyOn(db.searchTerms, 'where');
    expect(await sorted(namesOf(db, search.sessionKeys('checkout')))).toEqual(['a', 'b', 'c']);
    expect(rowReads).not.toHaveBeenCalled();

    // A new session's posting is a row again: the same transaction says so, and the same reader finds it.
    await db.transaction('rw', db.sessions, db.events, async () => {
      await db.sessions.put(makeSession({ id: 'd', startedAt: DAY0 + 9 }));
      await db.events.put(stored(view('https://shop.test/checkout/new'), 'd'));
    });
    expect(await state()).toBe(false);
    expect(await sorted(namesOf(db, search.sessionKeys('checkout')))).toEqual(['a', 'b', 'c', 'd']);
    expect(await namesOf(db, search.sessionKeys('new'))).toEqual(['d']);
    expect(rowReads).toHaveBeenCalled();

    // Moved again: said again, even by a pass that finds no row left (a store emptied before this version).
    await compactAllPostings(db);
    expect(await state()).toBe(true);
    await db.meta.delete(TERMS_STATE_KEY);
    expect(await compactAllPostings(db)).toEqual({ moved: 0, done: true });
    expect(await state()).toBe(true);
    expect(await sorted(namesOf(db, search.sessionKeys('checkout')))).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('reading rows and blocks (sessionKeysMatching)', () => {
  /** A reader over given rows and blocks, to compare layouts of the same postings. */
  function fakeReader(rows: [string, string, string][], blockRows: { kind: string; term: string; day: number; ids: string[] }[]): PostingsReader {
    const cmp = (a: (string | number)[], b: (string | number)[]) => {
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
      return 0;
    };
    const within = (key: (string | number)[], lower: (string | number)[], upper: (string | number)[]) => cmp(key, lower) >= 0 && cmp(key, upper) <= 0;
    return {
      keysBetween: async (lower, upper) => rows.filter((key) => within(key, lower, upper)) as [SearchKind, string, string][],
      blocksBetween: async (lower, upper) => blockRows.filter((b) => within([b.kind, b.term, b.day], lower, upper)).map((b) => sessionKeys(b.ids)),
    };
  }
  const postings: [string, string, string][] = [
    ['url', 'checkout', 'a'],
    ['url', 'checkout', 'b'],
    ['url', 'checkouts', 'c'],
    ['url', 'pay', 'b'],
    ['error', 'checkout', 'd'],
    ['action', 'pay', 'd'],
  ];
  const dayOf: Record<string, number> = { a: 1, b: 1, c: 2, d: 3 };
  const asBlocks = (list: [string, string, string][]) => {
    const out = new Map<string, { kind: string; term: string; day: number; ids: string[] }>();
    for (const [kind, term, id] of list) {
      const key = `${kind} ${term} ${dayOf[id]}`;
      if (!out.has(key)) out.set(key, { kind, term, day: dayOf[id]!, ids: [] });
      out.get(key)!.ids.push(id);
    }
    return [...out.values()];
  };
  const layouts = {
    rows: fakeReader(postings, []),
    blocks: fakeReader([], asBlocks(postings)),
    mixed: fakeReader(postings.filter((_, i) => i % 2 === 0), asBlocks(postings.filter((_, i) => i % 2 === 1))),
    // A posting in both a row and a block (a row written again after its move).
    both: fakeReader(postings, asBlocks(postings)),
  };
  const byKey = new Map(['a', 'b', 'c', 'd'].map((id, i) => [sessionKeys([id])[0]!, id] as const));
  const ask = async (reader: PostingsReader, text: string, kinds?: SearchKind[]) => sorted(Promise.resolve([...(await sessionKeysMatching(reader, text, kinds))].map((key) => byKey.get(key) ?? `?${key}`)));

  it.each(Object.keys(layouts))('answers the same from %s: exact terms, prefixes, kinds, every term', async (layout) => {
    const reader = layouts[layout as keyof typeof layouts];
    expect(await ask(reader, 'checkout')).toEqual(['a', 'b', 'c', 'd']);
    expect(await ask(reader, 'check', ['url'])).toEqual(['a', 'b', 'c']);
    expect(await ask(reader, 'checkout', ['error'])).toEqual(['d']);
    expect(await ask(reader, 'checkout pa')).toEqual(['b', 'd']);
    expect(await ask(reader, 'pay checkout', ['url'])).toEqual(['b']);
    expect(await ask(reader, 'checkouts pay')).toEqual([]);
    expect(await ask(reader, 'nothing')).toEqual([]);
  });
});

describe('deleting compacted postings', () => {
  it('keeps a deleted session id in its blocks (never shown), and clears every block when no session is left', async () => {
    const db = open();
    await seed(db);
    await compactPostings(db, { maxRows: 10_000 });
    await deleteSessions(db, ['a']);
    // Stale: its day's block still names it; the panel's source tests ids against its records (dexieSessionSource.spec.ts).
    expect(await namesOf(db, (await db.searchBlocks.get(['url', 'checkout', DAY0 / DAY_MS]))!.keys, GONE)).toContain('a');
    await deleteSessions(db, 'all');
    expect(await db.searchBlocks.count()).toBe(0);
    expect(await db.searchTerms.count()).toBe(0);
  });

  it('clears the blocks with a clear() of the sessions, and keeps them when that transaction fails', async () => {
    const db = open();
    await seed(db);
    await compactPostings(db, { maxRows: 10_000 });
    const compacted = await blocks(db);
    await expect(
      db.transaction('rw', db.sessions, async () => {
        await db.sessions.clear();
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await blocks(db)).toEqual(compacted);
    await db.sessions.clear();
    expect(await db.searchBlocks.count()).toBe(0);
  });

  it('retention deletes the blocks of expired days, and of days before the oldest stored session; kept old sessions keep their ids', async () => {
    const db = open();
    const day = (d: number) => DAY0 + d * DAY_MS;
    const old = { lastEventAt: day(0) + 60_000 };
    await db.sessions.bulkPut([
      makeSession({ id: 'old', startedAt: day(0), ...old }),
      makeSession({ id: 'pinned', startedAt: day(0) + 10, ...old, pinned: 1 }),
      makeSession({ id: 'older', startedAt: day(-5), lastEventAt: day(-5) + 60_000 }),
      makeSession({ id: 'recent', startedAt: day(9), lastEventAt: day(9) + 60_000 }),
    ]);
    await db.events.bulkPut(['old', 'pinned', 'older', 'recent'].map((id) => stored(view('https://shop.test/checkout'), id)));
    await compactPostings(db, { maxRows: 10_000 });
    expect(await sorted(namesOf(db, createStoredSearch(db).sessionKeys('checkout')))).toEqual(['old', 'older', 'pinned', 'recent']);

    // 5 days kept at day 10: old (day 0) and older (day -5) expire; the pinned one (day 0) stays.
    const { expired } = await runRetention(db, { days: 5, capBytes: 1e12, now: day(10) });
    expect(expired).toBe(2);
    expect((await blocks(db)).map((b) => [b.day - DAY0 / DAY_MS, b.ids])).toEqual(
      expect.arrayContaining([
        [0, ['pinned']],
        [9, ['recent']],
      ]),
    );
    expect((await db.searchBlocks.where('day').below(DAY0 / DAY_MS).count())).toBe(0);
    expect(await sorted(namesOf(db, createStoredSearch(db).sessionKeys('checkout')))).toEqual(['pinned', 'recent']);

    // Unpinned and deleted: its day is before the oldest stored session's, so its block goes even without an age limit.
    await deleteSessions(db, ['pinned']);
    expect(await deleteOldBlocks(db, -Infinity)).toBeGreaterThan(0);
    expect((await db.searchBlocks.toArray()).every((b) => b.day === DAY0 / DAY_MS + 9)).toBe(true);
  });
});
