import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { SCHEMA_VERSION, type RumEvent, type SessionRecord, type StoredEvent } from '../../sdk/schema';
import { jsonSize, RumscopeDb } from './db';
import { isQuotaError } from './eviction';
import { exportSessions } from './exportBundle';
import { newSession, type BatchInput } from '../../sdk/model';
import { DAY_MS, runRetention } from './retention';
import { endSession } from './sessionStore';
import { makeQuotaError } from './makeQuotaError';
import { createBatchWriter } from './writeBatch';

/** A stored session record (any content will do: these tests are about storage). */
const makeSession = (over: Partial<SessionRecord> = {}): SessionRecord => ({ ...newSession('s1', 'http://127.0.0.1:5173', Date.UTC(2025, 11, 5, 12), 330, true, false), ...over });

let db: RumscopeDb;
let n = 0;
beforeEach(() => {
  db = new RumscopeDb(`life-${++n}`);
});
afterEach(async () => {
  db.close();
  await db.delete();
});

const T0 = 1_765_800_740_000;
const NOW = T0 + 100 * DAY_MS;
const click = (time: number, name = 'Buy'): RumEvent => ({
  type: 'action', time, tz: 330, viewId: 'v', action: 'click', name, selector: '#buy', x: 1, y: 2, rage: false, dead: false, errorClick: false,
});
const batch = (over: Partial<BatchInput>): BatchInput => ({
  loadId: 'load-1', tabId: 7, frameId: 0, site: 'http://a.test', url: 'http://a.test/', first: 0, events: [click(NOW)], now: NOW, ...over,
});
let ids = 0;
const newId = () => `s${++ids}`;

/** Old sessions with events, as a previous run of the extension left them. */
async function seed(sessions: Partial<SessionRecord>[]) {
  for (const over of sessions) {
    const session = makeSession(over);
    const events: StoredEvent[] = [0, 1].map((seq) => ({ ...click(session.startedAt + seq), sessionId: session.id, loadId: `l-${session.id}`, seq, tabId: 1, frameId: 0, schema: SCHEMA_VERSION }));
    session.bytes = jsonSize(session) + events.reduce((sum, e) => sum + jsonSize(e), 0);
    await db.sessions.put(session);
    await db.events.bulkPut(events);
  }
}
const ended = (id: string, daysAgo: number, over: Partial<SessionRecord> = {}): Partial<SessionRecord> => {
  const at = NOW - daysAgo * DAY_MS;
  return { id, site: `http://${id}.test`, startedAt: at - 60_000, lastEventAt: at, lastActivityAt: at, endedAt: at, endReason: 'inactivity', ...over };
};

describe('Dexie schema upgrade', () => {
  test('version 1 data opens in version 2 with every session, event and load kept, and sizes counted', async () => {
    const name = `upgrade-${++n}`;
    // The version-1 schema exactly as the last release shipped it.
    const v1 = new Dexie(name);
    v1.version(1).stores({ sessions: 'id, startedAt, [site+startedAt], pinned', events: '[loadId+seq], [sessionId+time]', loads: 'id, tabId, sessionId', tabStats: 'tabId' });
    const session = makeSession({ id: 'old', pinned: 1 });
    const events: StoredEvent[] = [0, 1, 2].map((seq) => ({ ...click(T0 + seq), sessionId: 'old', loadId: 'l', seq, tabId: 1, frameId: 0, schema: SCHEMA_VERSION }));
    await v1.table('sessions').bulkPut([session, makeSession({ id: 'empty', startedAt: T0 + 1 })]);
    await v1.table('events').bulkPut(events);
    await v1.table('loads').put({ id: 'l', tabId: 1, frameId: 0, site: session.site, sessionId: 'old', url: 'http://a/', startedAt: T0, nextSeq: 3 });
    await v1.table('tabStats').put({ tabId: 1, dropped: 2, reasons: { forged: 2 }, updatedAt: 1 });
    v1.close();

    const upgraded = new RumscopeDb(name);
    try {
      expect(upgraded.verno).toBeGreaterThanOrEqual(2);
      const old = await upgraded.sessions.get('old');
      expect(old).toMatchObject({ ...session, bytes: jsonSize(session) + events.reduce((sum, e) => sum + jsonSize(e), 0) });
      expect((await upgraded.sessions.get('empty'))!.bytes).toBe(jsonSize(makeSession({ id: 'empty', startedAt: T0 + 1 })));
      expect(await upgraded.events.toArray()).toEqual(events);
      expect(await upgraded.loads.count()).toBe(1);
      expect(await upgraded.tabStats.get(1)).toMatchObject({ dropped: 2 });
      expect(await upgraded.meta.count()).toBe(0);
    } finally {
      upgraded.close();
      await Dexie.delete(name);
    }
  });
});

describe('writeBatch', () => {
  test('keeps the session size and gives a new session the settings in force', async () => {
    const write = createBatchWriter(db);
    const defaults = { user: { name: 'Asha', email: 'asha@example.com' }, env: 'staging', privacyLevel: 'mask' as const };
    const result = await write(batch({ events: [click(NOW), click(NOW + 1)] }), { newId, defaults });
    expect(result).toMatchObject({ status: 'stored', upTo: 2 });
    const [session] = await db.sessions.toArray();
    expect(session).toMatchObject({ user: { name: 'Asha', email: 'asha@example.com' }, app: { env: 'staging' }, defaults });
    const events = await db.events.toArray();
    expect(session!.bytes).toBeGreaterThan(events.reduce((sum, e) => sum + jsonSize(e), 0));
  });

  test('a full disk: the oldest unpinned sessions are evicted, the batch is written again, a warning is kept', async () => {
    await seed([ended('old', 20), ended('older', 30), ended('pinned', 40, { pinned: 1 }), ended('recent', 1)]);
    let failures = [makeQuotaError('quota'), makeQuotaError('abort')];
    const write = createBatchWriter(db, { now: () => NOW, injectFailure: async () => failures.shift() ?? null });
    const result = await write(batch({}), { newId });
    expect(result).toMatchObject({ status: 'stored', upTo: 1 });
    // Each failure evicted at least one session, oldest unpinned first; the pinned one stays.
    const left = (await db.sessions.toArray()).map((s) => s.id).sort();
    expect(left).toContain('pinned');
    expect(left).not.toContain('older');
    expect(left).not.toContain('old');
    expect(await db.events.where('[sessionId+time]').between(['older', -Infinity], ['older', Infinity]).count()).toBe(0);
    const warning = await db.meta.get('storageWarning');
    expect(warning?.value).toMatchObject({ kind: 'quota', at: NOW, refusedWrites: 2 });
    expect((warning?.value as { evictedSessions: number }).evictedSessions).toBeGreaterThanOrEqual(2);

    // Nothing left to evict (all pinned): the write fails, nothing of it is stored, the warning says "full".
    await db.sessions.toCollection().modify({ pinned: 1 });
    failures = Array.from({ length: 10 }, () => makeQuotaError('abort'));
    await expect(write(batch({ loadId: 'load-2', events: [click(NOW, 'Lost')] }), { newId })).rejects.toMatchObject({ name: 'AbortError' });
    expect((await db.events.toArray()).filter((e) => e.loadId === 'load-2')).toEqual([]);
    expect((await db.meta.get('storageWarning'))?.value).toMatchObject({ kind: 'full' });
  });

  test('a disk that stays full costs at most three evictions per batch, idle sessions first, not everything', async () => {
    await seed([ended('s1', 50), ended('s2', 40), ended('s3', 30), ended('s4', 20), ended('s5', 10), ended('s6', 5)]);
    const write = createBatchWriter(db, { now: () => NOW, injectFailure: async () => makeQuotaError('quota') });
    await expect(write(batch({}), { newId })).rejects.toMatchObject({ name: 'QuotaExceededError' });
    const left = (await db.sessions.toArray()).map((s) => s.id).sort();
    expect(left).toEqual(['s4', 's5', 's6']);
  });

  test('errors that are not about space are not retried', async () => {
    const write = createBatchWriter(db, { injectFailure: async () => new Error('boom') });
    await expect(write(batch({}), { newId })).rejects.toThrow('boom');
    expect(await db.sessions.count()).toBe(0);
  });

  test('isQuotaError knows the browsers’ and Dexie’s shapes', () => {
    expect(isQuotaError(new DOMException('x', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaError(makeQuotaError('abort'))).toBe(true);
    expect(isQuotaError(new Dexie.QuotaExceededError('full'))).toBe(true);
    expect(isQuotaError(new Dexie.BulkError('bulk', [new DOMException('x', 'QuotaExceededError')]))).toBe(true);
    expect(isQuotaError(new Dexie.AbortError('aborted'))).toBe(false);
    expect(isQuotaError(new Error('quota'))).toBe(false);
  });
});

describe('retention', () => {
  test('deletes exactly the unpinned sessions older than the set days', async () => {
    await seed([ended('d29', 29), ended('d31', 31), ended('d90', 90), ended('d90pinned', 90, { pinned: 1 }), ended('open-old', 45, { endedAt: null, endReason: null })]);
    const { expired, overCap, usage } = await runRetention(db, { days: 30, capBytes: 1e9, now: NOW });
    expect(expired).toBe(3);
    expect(overCap).toBe(0);
    expect((await db.sessions.toArray()).map((s) => s.id).sort()).toEqual(['d29', 'd90pinned']);
    expect((await db.events.toArray()).map((e) => e.sessionId).sort()).toEqual(['d29', 'd29', 'd90pinned', 'd90pinned']);
    expect(usage).toMatchObject({ sessions: 2, pinned: 1, capBytes: 1e9, retentionDays: 30, lastRetention: { at: NOW, expired: 3, overCap: 0 } });
    expect((await db.meta.get('usage'))?.value).toEqual(usage);
    // 0 days: no age limit.
    expect((await runRetention(db, { days: 0, capBytes: 1e9, now: NOW + 1000 * DAY_MS })).expired).toBe(0);
  });

  test('over the size cap, the oldest unpinned idle sessions go until it fits; live and pinned ones stay', async () => {
    await seed([ended('a', 5), ended('b', 4), ended('c', 3, { pinned: 1 }), ended('d', 2), ended('live', 0, { endedAt: null, endReason: null, lastEventAt: NOW, lastActivityAt: NOW })]);
    const sizes = Object.fromEntries((await db.sessions.toArray()).map((s) => [s.id, s.bytes!]));
    const cap = sizes.c! + sizes.d! + sizes.live! + 10;
    const { overCap, usage } = await runRetention(db, { days: 30, capBytes: cap, now: NOW });
    expect(overCap).toBe(2);
    expect((await db.sessions.toArray()).map((s) => s.id).sort()).toEqual(['c', 'd', 'live']);
    expect(usage.bytes).toBeLessThanOrEqual(cap);
    // A cap smaller than the live and pinned sessions: those stay, everything else goes.
    await runRetention(db, { days: 30, capBytes: 1, now: NOW });
    expect((await db.sessions.toArray()).map((s) => s.id).sort()).toEqual(['c', 'live']);
  });
});

describe('export', () => {
  test('one JSON bundle with every session and its events, in start order', async () => {
    await seed([ended('x', 2), ended('y', 3)]);
    await endSession(db, 'x', NOW);
    const result = await exportSessions(db, 'all', { name: 'rumscope-extension', version: '0.1.0' }, NOW);
    expect(result).toMatchObject({ sessions: 2, events: 4 });
    expect(result.fileName).toMatch(/^rumscope-sessions-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d\.json$/);
    const bundle = JSON.parse(await result.blob.text());
    expect(bundle).toMatchObject({ format: 'rumscope.sessions', version: 1, schema: SCHEMA_VERSION, exportedAt: NOW, source: { name: 'rumscope-extension' } });
    expect(bundle.sessions.map((s: { session: SessionRecord }) => s.session.id)).toEqual(['y', 'x']);
    expect(bundle.sessions[0].events).toHaveLength(2);
    const some = JSON.parse(await (await exportSessions(db, ['x', 'missing'], { name: 't', version: '1' }, NOW)).blob.text());
    expect(some.sessions.map((s: { session: SessionRecord }) => s.session.id)).toEqual(['x']);
  });
});
