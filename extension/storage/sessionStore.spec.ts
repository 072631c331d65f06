import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { RumEvent } from '../../sdk/schema';
import { RumscopeDb } from './db';
import { ingestBatch, type BatchInput, type IngestOptions } from '../../sdk/model';
import { createDexieRepository } from './dexieRepository';
import { deleteSessions, endOpenSessions, endSession, purgeLoads } from './sessionStore';
import { makeSession } from '../../tests/unit/support/sessionFixtures';

let db: RumscopeDb;
let n = 0;
beforeEach(() => {
  db = new RumscopeDb(`test-${++n}`);
});
afterEach(async () => {
  db.close();
  await db.delete();
});

const T0 = 1_765_800_740_000;
const click = (time: number): RumEvent => ({
  type: 'action', time, tz: 330, viewId: 'v', action: 'click', name: 'Buy', selector: '#buy', x: 1, y: 2, rage: false, dead: false, errorClick: false,
});
const error = (time: number): RumEvent => ({
  type: 'error', time, tz: 330, viewId: 'v', source: 'uncaught', errorType: 'Error', message: 'boom', stack: null, frames: [],
});
const batch = (over: Partial<BatchInput>): BatchInput => ({
  loadId: 'load-1', tabId: 7, frameId: 0, site: 'http://a.test', url: 'http://a.test/', first: 0, events: [click(T0)], now: T0, ...over,
});
let ids = 0;
const options = { newId: () => `s${++ids}` };
const persistBatch = (database: RumscopeDb, input: BatchInput, opts: IngestOptions) => ingestBatch(createDexieRepository(database), input, opts);

describe('sessionStore', () => {
  test('ending a session makes the next event start a new one', async () => {
    const first = await persistBatch(db, batch({}), options);
    await endSession(db, first.status === 'stored' ? first.sessionId : '', T0 + 10);
    const second = await persistBatch(db, batch({ first: 1, now: T0 + 20, events: [click(T0 + 20)] }), options);
    expect(second.status === 'stored' && second.sessionId).not.toBe(first.status === 'stored' && first.sessionId);
  });

  test('open sessions end at their last event when the browser starts again', async () => {
    await persistBatch(db, batch({ events: [click(T0), click(T0 + 5000)], now: T0 + 5000 }), options);
    expect(await endOpenSessions(db, 'browser_closed')).toBe(1);
    expect((await db.sessions.toArray())[0]).toMatchObject({ endedAt: T0 + 5000, endReason: 'browser_closed' });
  });

  test('at a browser start only the sessions left open end; one the user ended keeps its end', async () => {
    const a = await persistBatch(db, batch({ events: [click(T0)] }), options);
    await endSession(db, a.status === 'stored' ? a.sessionId : '', T0 + 10);
    await persistBatch(db, batch({ loadId: 'load-b', site: 'http://b.test', url: 'http://b.test/', events: [click(T0 + 100)], now: T0 + 100 }), options);
    await persistBatch(db, batch({ loadId: 'load-c', site: 'http://c.test', url: 'http://c.test/', events: [click(T0 + 200), click(T0 + 900)], now: T0 + 900 }), options);
    expect(await endOpenSessions(db, 'browser_closed')).toBe(2);
    const bySite = Object.fromEntries((await db.sessions.toArray()).map((s) => [s.site, [s.endedAt, s.endReason]]));
    expect(bySite).toEqual({ 'http://a.test': [T0, 'user'], 'http://b.test': [T0 + 100, 'browser_closed'], 'http://c.test': [T0 + 900, 'browser_closed'] });
    expect(await endOpenSessions(db, 'browser_closed')).toBe(0);
  });

  test('every open session is found among thousands of ended ones, and only the open ones end', async () => {
    const ended = Array.from({ length: 2_100 }, (_, i) => makeSession({ id: `e-${String(i).padStart(5, '0')}`, startedAt: T0 + i, lastEventAt: T0 + i, endedAt: T0 + i, endReason: 'inactivity' }));
    const open = ['e-00999x', 'e-01999x', 'z-last'].map((id, i) => makeSession({ id, startedAt: T0 + i, lastEventAt: T0 + 50 + i, endedAt: null }));
    await db.sessions.bulkPut([...ended, ...open]);
    expect(await endOpenSessions(db, 'browser_closed')).toBe(3);
    const closed = await db.sessions.where('id').anyOf(open.map((s) => s.id)).toArray();
    expect(closed.map((s) => [s.id, s.endedAt, s.endReason])).toEqual(open.map((s) => [s.id, s.lastEventAt, 'browser_closed']));
    expect(await db.sessions.filter((s) => s.endReason === 'inactivity').count()).toBe(2_100);
  });

  test('finding the open sessions is read-only: a read of sessions made meanwhile is not held until they are ended', async () => {
    const ended = Array.from({ length: 3_000 }, (_, i) => makeSession({ id: `e-${String(i).padStart(5, '0')}`, startedAt: T0 + i, lastEventAt: T0 + i, endedAt: T0 + i, endReason: 'inactivity' }));
    await db.sessions.bulkPut([...ended, makeSession({ id: 'open', startedAt: T0, lastEventAt: T0 + 50, endedAt: null })]);
    const order: string[] = [];
    const ending = endOpenSessions(db, 'browser_closed').then((n) => order.push(`ended ${n}`));
    await new Promise((resolve) => setTimeout(resolve, 0));
    // As the panel's first rows at a browser start: asked while the scan runs.
    const read = db.sessions.get('e-00001').then((s) => order.push(`read ${s?.id}`));
    await Promise.all([ending, read]);
    expect(order).toEqual(['read e-00001', 'ended 1']);
  });

  test('deleting a session removes its events, leaves its loads as tombstones and touches nothing else', async () => {
    await persistBatch(db, batch({}), options);
    await persistBatch(db, batch({ loadId: 'load-b', site: 'http://b.test', events: [click(T0)] }), options);
    const a = (await db.sessions.toArray()).find((s) => s.site === 'http://a.test');
    expect(await deleteSessions(db, [a!.id])).toBe(1);
    expect((await db.sessions.toArray()).map((s) => s.site)).toEqual(['http://b.test']);
    expect((await db.events.toArray()).map((e) => e.loadId)).toEqual(['load-b']);
    // No session, no URL: only what lets the still-open page go on (its next seq) until its tab closes.
    expect((await db.loads.toArray()).map((l) => [l.id, l.sessionId, l.url])).toEqual([
      ['load-1', '', ''],
      ['load-b', (await db.sessions.toArray())[0]!.id, 'http://a.test/'],
    ]);
    expect(await purgeLoads(db)).toBe(1);
    expect((await db.loads.toArray()).map((l) => l.id)).toEqual(['load-b']);
  });

  test('a page whose session was deleted goes on in a new session, with no gap and nothing duplicated', async () => {
    const first = await persistBatch(db, batch({ events: [click(T0), click(T0 + 1)] }), options);
    await deleteSessions(db, 'all');
    const next = await persistBatch(db, batch({ first: 2, now: T0 + 10, events: [click(T0 + 10)] }), options);
    expect(next).toMatchObject({ status: 'stored', upTo: 3, stored: 1 });
    expect(next.status === 'stored' && next.sessionId).not.toBe(first.status === 'stored' && first.sessionId);
    expect((await db.events.toArray()).map((e) => e.seq)).toEqual([2]);
  });
});
