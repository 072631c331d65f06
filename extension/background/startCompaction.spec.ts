import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DBCore, Middleware } from 'dexie';
import { base, makeSession, stored } from '../../tests/unit/support/sessionFixtures';
import { failingWrites, useTestDbs } from '../../tests/unit/support/testDb';
import { startCompaction } from './startCompaction';

const open = useTestDbs('start-compaction');
const stops: (() => void)[] = [];
afterEach(() => {
  stops.splice(0).forEach((stop) => stop());
  vi.restoreAllMocks();
});
async function seeded(...middlewares: Middleware<DBCore>[]) {
  const db = open(...middlewares);
  await db.sessions.bulkPut([makeSession({ id: 'a' }), makeSession({ id: 'b' })]);
  await db.events.bulkPut(['a', 'b'].map((id) => stored({ ...base(1), type: 'view', url: `https://shop.test/checkout/${id}`, referrer: '', title: '', navigation: 'initial', loadingTime: null }, id)));
  return db;
}
const start = (deps: Parameters<typeof startCompaction>[0]) => {
  const compaction = startCompaction(deps);
  stops.push(compaction.stop);
  return compaction;
};
const WAIT = { timeout: 3_000, interval: 10 };

describe('startCompaction (background scheduling)', () => {
  it('compacts once the writes have stopped for a moment, not while they go on', async () => {
    const db = await seeded();
    const rows = await db.searchTerms.count();
    const compaction = start({ db, delayMs: 400 });
    compaction.afterWrite();
    await new Promise((resolve) => setTimeout(resolve, 100));
    compaction.afterWrite(); // puts it off again
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await db.searchTerms.count()).toBe(rows);
    await vi.waitFor(async () => expect(await db.searchTerms.count()).toBe(0), WAIT);
    expect(await db.searchBlocks.count()).toBeGreaterThan(0);
  });

  it('goes on by itself, pass after pass, when a pass ran out of time', async () => {
    const db = await seeded();
    const compaction = start({ db, delayMs: 5, budgetMs: 0, maxRows: 1 });
    await compaction.run();
    expect(await db.searchTerms.count()).toBeGreaterThan(0);
    await vi.waitFor(async () => expect(await db.searchTerms.count()).toBe(0), WAIT);
  });

  it('logs a failure, throws nothing, and tries again at the next trigger', async () => {
    let failures = 1;
    const db = await seeded(failingWrites('searchBlocks', (req) => req.type === 'put' && failures-- > 0));
    const rows = await db.searchTerms.count();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const compaction = start({ db, delayMs: 5 });
    await expect(compaction.run()).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('could not compact the search postings'), expect.any(Error));
    expect(await db.searchTerms.count()).toBe(rows);
    compaction.afterWrite();
    await vi.waitFor(async () => expect(await db.searchTerms.count()).toBe(0), WAIT);
  });

  it('runs to the end at once for the test hook', async () => {
    const db = await seeded();
    const rows = await db.searchTerms.count();
    const compaction = start({ db, maxRows: 1, budgetMs: 0 });
    expect(await compaction.runToEnd()).toEqual({ moved: rows, done: true });
  });
});
