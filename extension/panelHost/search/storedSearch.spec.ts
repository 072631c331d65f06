import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import type { RumEvent } from '../../../sdk/schema';
import { base, makeSession, stored } from '../../../tests/unit/support/sessionFixtures';
import { useTestDbs } from '../../../tests/unit/support/testDb';
import { compactAllPostings, deleteOldBlocks } from '../../storage/compactPostings';
import { createStoredSearch } from './storedSearch';
import { namesOf } from '../../../tests/unit/support/sessionKeys';

const open = useTestDbs('stored-search');
const view = (url: string, at = 1): RumEvent => ({ ...base(at), type: 'view', url, referrer: '', title: '', navigation: 'initial', loadingTime: null });
const error = (message: string, at = 2): RumEvent => ({ ...base(at), type: 'error', source: 'uncaught', errorType: 'TypeError', message, stack: null, frames: [] });
/** The sessions named, each once (search may name one twice: a word in two kinds). */
const sorted = async (ids: Promise<string[]>) => [...new Set(await ids)].sort();

describe('stored search (postings written with the data)', () => {
  it('finds sessions by what their events and attributes say, as soon as they are written, and forgets deleted sessions', async () => {
    const db = open();
    const search = createStoredSearch(db);
    await db.sessions.bulkPut([makeSession({ id: 'a', startedAt: 1 }), makeSession({ id: 'b', startedAt: 2, global: { plan: 'gold' } })]);
    await db.events.bulkPut([stored(view('https://shop.test/checkout', 1), 'a'), stored(view('https://shop.test/cart', 1), 'b')]);
    expect(await namesOf(db, search.sessionKeys('checkout'))).toEqual(['a']);
    expect(await namesOf(db, search.sessionKeys('gold'))).toEqual(['b']);
    expect(await namesOf(db, search.sessionKeys('plan gold'))).toEqual(['b']);

    // Written later: found at once (no index to rebuild, no change notice needed).
    await db.events.put(stored(view('https://shop.test/checkout/pay', 5), 'b'));
    expect(await sorted(namesOf(db, search.sessionKeys('checkout')))).toEqual(['a', 'b']);
    // The last word is a prefix (as you type); the others are whole words; every word must match the session.
    expect(await sorted(namesOf(db, search.sessionKeys('chec')))).toEqual(['a', 'b']);
    expect(await namesOf(db, search.sessionKeys('checkout pa'))).toEqual(['b']);
    expect(await namesOf(db, search.sessionKeys('chec pay'))).toEqual([]);
    // Case does not matter; kinds narrow.
    expect(await namesOf(db, search.sessionKeys('PAY', ['url']))).toEqual(['b']);
    expect(await namesOf(db, search.sessionKeys('pay', ['error']))).toEqual([]);

    // Snippets for the asked sessions only: each one's matching texts, ranked.
    await db.events.put(stored(error("Cannot read properties of undefined (reading 'checkout')"), 'a'));
    const snippets = await search.snippets(['a', 'b'], { text: 'checkout' });
    expect(snippets.b!.map((s) => s.kind)).toEqual(['url']);
    expect(snippets.a!.map((s) => s.kind).sort()).toEqual(['error', 'url']);
    expect(await search.snippets(['b'], { text: 'widget' })).toEqual({});

    // A deleted session's postings go with it (one by one, and all at once).
    await db.sessions.delete('a');
    expect(await namesOf(db, search.sessionKeys('checkout'))).toEqual(['b']);
    expect(await db.searchTerms.where('sessionId').equals('a').count()).toBe(0);
    await db.sessions.clear();
    expect(await db.searchTerms.count()).toBe(0);
  });

  it('writes nothing when the write fails (the postings share its transaction)', async () => {
    const db = open();
    const search = createStoredSearch(db);
    await db.sessions.put(makeSession({ id: 'a' }));
    await expect(
      db.transaction('rw', db.events, async () => {
        await db.events.put(stored(view('https://shop.test/aborted'), 'a'));
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await namesOf(db, search.sessionKeys('aborted'))).toEqual([]);
    // Written again after the failure: indexed (what the failed write seemed to index was not remembered).
    await db.events.put(stored(view('https://shop.test/aborted'), 'a'));
    expect(await namesOf(db, search.sessionKeys('aborted'))).toEqual(['a']);
  });

  it('answers a common word over thousands of sessions with one key range per kind', async () => {
    const db = open();
    const search = createStoredSearch(db);
    const sessions = Array.from({ length: 3_000 }, (_, i) => makeSession({ id: `s${String(i).padStart(4, '0')}`, startedAt: i }));
    await db.sessions.bulkPut(sessions);
    await db.events.bulkPut(sessions.map((s, i) => stored(view(`https://shop.test/${i % 3 ? 'checkout' : 'cart'}/${i}`), s.id)));
    expect(await namesOf(db, search.sessionKeys('checkout'))).toHaveLength(2_000);
    expect(Object.keys(await search.snippets(['s2999', 's2998', 's2997'], { text: 'checkout' })).sort()).toEqual(['s2998', 's2999']);
  });

  it('keeps the blocks it read until a compaction, retention or a clear writes them, and then reads them again', async () => {
    const db = open();
    const search = createStoredSearch(db);
    const day = 86_400_000;
    await db.sessions.bulkPut([makeSession({ id: 'a', startedAt: 10 * day }), makeSession({ id: 'b', startedAt: 11 * day }), makeSession({ id: 'c', startedAt: 12 * day })]);
    await db.events.bulkPut([stored(view('https://shop.test/checkout'), 'a'), stored(view('https://shop.test/checkout'), 'b')]);
    await compactAllPostings(db);
    expect(await db.searchTerms.where('[kind+term+sessionId]').between(['url', 'checkout', ''], ['url', 'checkout', '\uffff']).count()).toBe(0);
    const reads = vi.spyOn(db.searchBlocks, 'where');
    expect(await sorted(namesOf(db, search.sessionKeys('checkout')))).toEqual(['a', 'b']);
    const first = reads.mock.calls.length;
    expect(first).toBeGreaterThan(0);

    // Asked again, and after a write of rows only: the blocks are not read again; the new row is found.
    expect(await sorted(namesOf(db, search.sessionKeys('checkout')))).toEqual(['a', 'b']);
    await db.events.put(stored(view('https://shop.test/checkout'), 'c'));
    expect(await sorted(namesOf(db, search.sessionKeys('checkout')))).toEqual(['a', 'b', 'c']);
    expect(reads.mock.calls.length).toBe(first);

    // A compaction moves that row into a block: the kept blocks would miss it, so they are read again.
    await compactAllPostings(db);
    expect(await sorted(namesOf(db, search.sessionKeys('checkout')))).toEqual(['a', 'b', 'c']);
    expect(reads.mock.calls.length).toBeGreaterThan(first);

    // Retention drops the oldest day's blocks (its session deleted first): read again, without it.
    await db.sessions.delete('a');
    await deleteOldBlocks(db, 11);
    expect(await sorted(namesOf(db, search.sessionKeys('checkout')))).toEqual(['b', 'c']);
    // Clearing every session clears the blocks.
    await db.sessions.clear();
    expect(await namesOf(db, search.sessionKeys('checkout'))).toEqual([]);
  });

  it('with every block held in memory (the Worker): the same answers with no read of a block, and current again after the blocks change', async () => {
    const db = open();
    const day = 86_400_000;
    // 1,200 sessions over 120 days and 30 words: more blocks than one read of all of them takes (500).
    const sessions = Array.from({ length: 1_200 }, (_, i) => makeSession({ id: `s${i}`, startedAt: (i % 120) * day + i }));
    await db.sessions.bulkPut(sessions);
    await db.events.bulkPut(sessions.map((s, i) => stored(view(`https://shop.test/w${i % 30}/checkout${i % 2 ? '/pay' : ''}`, (i % 120) * day + i), s.id)));
    await compactAllPostings(db);
    expect(await db.searchBlocks.count()).toBeGreaterThan(500);
    const plain = createStoredSearch(db);
    const held = createStoredSearch(db, { readAllBlocks: true });
    // Asked at once, as the panel may: questions sharing a word's key ranges each read them in their own transaction.
    const questions = ['checkout', 'chec', 'w1', 'w13 pay', 'pay w3', 'w12 pay', 'shop', 'nothing', 'w29 checkout pa'];
    const answersOf = (search: typeof plain) => Promise.all(questions.map((text) => sorted(namesOf(db, search.sessionKeys(text)))));
    const want = await answersOf(plain);
    expect(want[0]).toHaveLength(1_200);
    expect(want[3]).toHaveLength(40);
    expect(want[5]).toEqual([]);

    // Once all are read (right after it starts), no question reads a block.
    const ranges = vi.spyOn(db.searchBlocks, 'where');
    await vi.waitFor(async () => {
      ranges.mockClear();
      await held.sessionKeys('checkout');
      expect(ranges).not.toHaveBeenCalled();
    });
    expect(await answersOf(held)).toEqual(want);
    expect(ranges).not.toHaveBeenCalled();

    // A new session compacted into the blocks: the held copy is not used (its stamp is old), the new one is found.
    await db.sessions.put(makeSession({ id: 'late', startedAt: 5 * day }));
    await db.events.put(stored(view('https://shop.test/w1/late', 5 * day), 'late'));
    await compactAllPostings(db);
    expect(await db.searchTerms.count()).toBe(0);
    expect(await sorted(namesOf(db, held.sessionKeys('late')))).toEqual(['late']);
    expect(await namesOf(db, held.sessionKeys('w1'))).toContain('late');
    held.close();
    plain.close();

    // More keys than it may hold: nothing is held, and every question reads its blocks (the same answers).
    const small = createStoredSearch(db, { readAllBlocks: true, maxHeldKeys: 1_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    ranges.mockClear();
    expect(await sorted(namesOf(db, small.sessionKeys('w13 pay')))).toEqual(want[3]);
    expect(ranges).toHaveBeenCalled();
    small.close();
  });
});
