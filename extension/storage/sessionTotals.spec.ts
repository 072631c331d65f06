import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { SessionRecord } from '../../sdk/schema';
import { newSession, type BatchInput } from '../../sdk/model';
import { RumscopeDb } from './db';
import { DAY_MS, runRetention } from './retention';
import { deleteSessions, endSession } from './sessionStore';
import { currentTotals, readTotals, recountTotals } from './sessionTotals';
import { createBatchWriter } from './writeBatch';

const T0 = 1_765_800_740_000;
const session = (id: string, over: Partial<SessionRecord> = {}): SessionRecord => ({
  ...newSession(id, `http://${id}.test`, T0, 0, true, false),
  bytes: 1_000,
  ...over,
});

/** What a full count says (the test's own sum, independent of the middleware). */
async function counted(db: RumscopeDb) {
  const all = await db.sessions.toArray();
  return { sessions: all.length, pinned: all.filter((s) => s.pinned === 1).length, bytes: all.reduce((sum, s) => sum + (s.bytes ?? 0), 0) };
}

let db: RumscopeDb;
let n = 0;
beforeEach(() => {
  db = new RumscopeDb(`totals-${++n}`);
});
afterEach(async () => {
  db.close();
  await db.delete();
});

describe('running storage totals', () => {
  test('a new database counts from zero, then every kind of write keeps the totals equal to a full count', async () => {
    expect(await currentTotals(db)).toEqual({ sessions: 0, pinned: 0, bytes: 0 });
    await db.sessions.bulkPut([session('a'), session('b', { bytes: 2_500 }), session('c', { pinned: 1 })]);
    expect(await readTotals(db)).toEqual(await counted(db));
    expect(await readTotals(db)).toEqual({ sessions: 3, pinned: 1, bytes: 4_500 });

    await db.sessions.put(session('a', { bytes: 1_200 })); // grows
    await db.sessions.update('b', { pinned: 1 }); // pin
    await endSession(db, 'c', T0 + 60_000); // modify without a size change
    expect(await readTotals(db)).toEqual(await counted(db));

    await deleteSessions(db, ['a']);
    await db.sessions.where('id').equals('zzz').delete(); // nothing
    expect(await readTotals(db)).toEqual({ sessions: 2, pinned: 2, bytes: 3_500 });

    await db.sessions.clear(); // a range delete
    expect(await readTotals(db)).toEqual({ sessions: 0, pinned: 0, bytes: 0 });
  });

  test('writes in parallel in one transaction all count; a rolled-back write counts nothing', async () => {
    await currentTotals(db);
    await db.transaction('rw', db.sessions, () => Promise.all(['a', 'b', 'c', 'd'].map((id) => db.sessions.put(session(id)))));
    expect(await readTotals(db)).toEqual({ sessions: 4, pinned: 0, bytes: 4_000 });
    await expect(
      db.transaction('rw', db.sessions, async () => {
        await db.sessions.put(session('e'));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await readTotals(db)).toEqual({ sessions: 4, pinned: 0, bytes: 4_000 });
  });

  test('the write path keeps them: batches grow the session, retention reads them and deletes by them', async () => {
    await currentTotals(db);
    const write = createBatchWriter(db);
    const now = T0 + 10 * DAY_MS;
    const click = (time: number) => ({ type: 'action' as const, time, tz: 0, viewId: 'v', action: 'click' as const, name: 'Buy', selector: '#b', x: 1, y: 1, rage: false, dead: false, errorClick: false });
    const input = (first: number): BatchInput => ({ loadId: 'l1', tabId: 1, frameId: 0, site: 'http://shop.test', url: 'http://shop.test/', first, events: [click(now + first)], now: now + first });
    for (let i = 0; i < 5; i++) await write(input(i), { newId: () => 'live' });
    expect(await readTotals(db)).toEqual(await counted(db));
    // An old ended session, beyond 1 day of retention: the pass deletes it and the figures follow.
    await db.sessions.put(session('old', { startedAt: T0, lastEventAt: T0, endedAt: T0, endReason: 'inactivity' }));
    const { expired, usage } = await runRetention(db, { days: 1, capBytes: 1e9, now: now + 10 });
    expect(expired).toBe(1);
    const after = await counted(db);
    expect(after.sessions).toBe(1);
    expect(await readTotals(db)).toEqual(after);
    expect({ sessions: usage.sessions, pinned: usage.pinned, bytes: usage.bytes }).toEqual(after);
  });

  test('sessions written behind the extension (no totals row) are counted once, then kept', async () => {
    await db.sessions.bulkPut([session('a'), session('b', { pinned: 1 })]);
    expect(await readTotals(db)).toBeNull(); // nothing guessed
    expect(await currentTotals(db)).toEqual({ sessions: 2, pinned: 1, bytes: 2_000 });
    await db.sessions.put(session('c'));
    expect(await readTotals(db)).toEqual({ sessions: 3, pinned: 1, bytes: 3_000 });
    // A recount agrees with what was kept.
    expect(await recountTotals(db)).toEqual(await readTotals(db));
  });
});

describe('totals on a database from before them', () => {
  test('version 3 data (no totals) opens with every session kept; the first retention pass counts them, writes keep them', async () => {
    const name = `totals-upgrade-${++n}`;
    // The version-3 schema exactly as it shipped, without the totals middleware.
    const v3 = new Dexie(name);
    v3.version(1).stores({ sessions: 'id, startedAt, [site+startedAt], pinned', events: '[loadId+seq], [sessionId+time]', loads: 'id, tabId, sessionId', tabStats: 'tabId' });
    v3.version(2).stores({ meta: 'key' });
    v3.version(3).stores({ replaySegments: '[loadId+seq], [sessionId+start]' });
    const now = Date.now();
    const old = [
      session('x', { startedAt: now - 60_000, lastEventAt: now - 50_000, bytes: 700 }),
      session('y', { startedAt: now - 70_000, lastEventAt: now - 60_000, bytes: 300, pinned: 1 }),
    ];
    await v3.table('sessions').bulkPut(old);
    await v3.table('meta').put({ key: 'usage', value: { bytes: 1, sessions: 1, pinned: 0, capBytes: 1, retentionDays: 30, browserUsage: null, browserQuota: null, updatedAt: 0, lastRetention: null } });
    v3.close();

    const upgraded = new RumscopeDb(name);
    try {
      expect((await upgraded.sessions.toArray()).map((s) => s.id).sort()).toEqual(['x', 'y']);
      expect(await readTotals(upgraded)).toBeNull();
      const { usage } = await runRetention(upgraded, { days: 30, capBytes: 1e9, now });
      expect({ sessions: usage.sessions, pinned: usage.pinned, bytes: usage.bytes }).toEqual({ sessions: 2, pinned: 1, bytes: 1_000 });
      await upgraded.sessions.update('x', { bytes: 900 });
      expect(await readTotals(upgraded)).toEqual({ sessions: 2, pinned: 1, bytes: 1_200 });
    } finally {
      upgraded.close();
      await upgraded.delete();
    }
  });
});
