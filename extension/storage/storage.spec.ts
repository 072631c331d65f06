import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { RumEvent } from '../../sdk/schema';
import { RumscopeDb } from './db';
import { persistBatch, type BatchInput } from './persistBatch';
import { deleteSessions, endOpenSessions, endSession, purgeLoads } from './sessionStore';

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

describe('persistBatch', () => {
  test('stores a batch, starts a session for the site and reports what is persisted', async () => {
    const result = await persistBatch(db, batch({ events: [click(T0), error(T0 + 1000)], now: T0 + 1000 }), options);
    expect(result).toMatchObject({ status: 'stored', upTo: 2, stored: 2 });
    const sessions = await db.sessions.toArray();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ site: 'http://a.test', startedAt: T0, lastEventAt: T0 + 1000, tz: 330 });
    expect(sessions[0]!.counts).toMatchObject({ events: 2, actions: 1, errors: 1 });
    const events = await db.events.toArray();
    expect(events.map((e) => [e.seq, e.sessionId, e.tabId])).toEqual([[0, sessions[0]!.id, 7], [1, sessions[0]!.id, 7]]);
  });

  test('a re-sent batch (worker died before the ack) neither duplicates events nor double-counts', async () => {
    await persistBatch(db, batch({ events: [click(T0), click(T0 + 1)] }), options);
    const again = await persistBatch(db, batch({ events: [click(T0), click(T0 + 1), click(T0 + 2)], now: T0 + 3 }), options);
    expect(again).toMatchObject({ status: 'stored', upTo: 3, stored: 1 });
    expect(await db.events.count()).toBe(3);
    expect((await db.sessions.toArray())[0]!.counts.actions).toBe(3);
  });

  test('a batch after a gap is refused so that the relay re-sends from the gap', async () => {
    await persistBatch(db, batch({}), options);
    expect(await persistBatch(db, batch({ first: 5 }), options)).toEqual({ status: 'gap', upTo: 1 });
    expect(await db.events.count()).toBe(1);
  });

  test('a load id seen on another tab is refused as forged', async () => {
    await persistBatch(db, batch({}), options);
    expect(await persistBatch(db, batch({ first: 1, tabId: 8 }), options)).toEqual({ status: 'foreign' });
    expect(await db.events.count()).toBe(1);
  });

  test("a frame's load keeps the site it started in when its tab's top page has moved on", async () => {
    await persistBatch(db, batch({ frameId: 3 }), options);
    const later = await persistBatch(db, batch({ first: 1, frameId: 3, site: 'http://b.test', events: [click(T0)] }), options);
    expect(later).toMatchObject({ status: 'stored', stored: 1 });
    expect((await db.sessions.toArray()).map((x) => x.site)).toEqual(['http://a.test']);
  });

  test('refused events consume their sequence number but store nothing', async () => {
    const result = await persistBatch(db, batch({ events: [click(T0), null, click(T0 + 2)] }), options);
    expect(result).toMatchObject({ status: 'stored', upTo: 3, stored: 2 });
    expect((await db.events.toArray()).map((e) => e.seq)).toEqual([0, 2]);
  });

  test('two loads (tabs) of one site share the live session; another site gets its own', async () => {
    await persistBatch(db, batch({}), options);
    await persistBatch(db, batch({ loadId: 'load-2', tabId: 9, now: T0 + 1000, events: [click(T0 + 1000)] }), options);
    await persistBatch(db, batch({ loadId: 'load-3', tabId: 9, site: 'http://b.test', now: T0 + 2000, events: [click(T0 + 2000)] }), options);
    const sessions = await db.sessions.orderBy('startedAt').toArray();
    expect(sessions.map((s) => [s.site, s.counts.actions])).toEqual([['http://a.test', 2], ['http://b.test', 1]]);
  });

  test('after 15 minutes without activity the next event starts a new session and ends the old one', async () => {
    await persistBatch(db, batch({}), options);
    const later = T0 + 15 * 60 * 1000;
    await persistBatch(db, batch({ first: 1, now: later, events: [click(later)] }), options);
    const sessions = await db.sessions.orderBy('startedAt').toArray();
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toMatchObject({ endedAt: T0, endReason: 'inactivity' });
    expect(sessions[1]).toMatchObject({ endedAt: null, startedAt: later });
    expect((await db.loads.get('load-1'))!.sessionId).toBe(sessions[1]!.id);
  });

  test('after the timeout, events without activity join the ended session without lengthening it; activity starts a new one', async () => {
    await persistBatch(db, batch({ events: [click(T0), click(T0 + 2000)], now: T0 + 2000 }), options);
    const later = T0 + 16 * 60 * 1000;
    const vital = (time: number): RumEvent => ({ type: 'vital', time, tz: 330, viewId: 'v', name: 'CLS', value: 0.01, supported: true, rating: 'good' });
    await persistBatch(db, batch({ first: 2, now: later, events: [vital(later)] }), options);
    let sessions = await db.sessions.toArray();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ startedAt: T0, lastEventAt: T0 + 2000, endedAt: T0 + 2000, endReason: 'inactivity' });
    expect(sessions[0]!.counts.events).toBe(3);
    // More than one inactivity period after the end, with nobody there: not recorded at all.
    const muchLater = T0 + 31 * 60 * 1000;
    expect(await persistBatch(db, batch({ first: 3, now: muchLater, events: [vital(muchLater)] }), options)).toMatchObject({ status: 'stored', stored: 0, upTo: 4 });
    expect(await db.sessions.count()).toBe(1);
    expect(await db.events.count()).toBe(3);
    await persistBatch(db, batch({ first: 4, now: later + 1, events: [click(later + 1)] }), options);
    sessions = await db.sessions.orderBy('startedAt').toArray();
    expect(sessions.map((x) => [x.startedAt, x.endedAt])).toEqual([[T0, T0 + 2000], [later + 1, null]]);
  });

  test("after a page's session is deleted, its background noise opens no session; its next activity does", async () => {
    const first = await persistBatch(db, batch({}), options);
    await deleteSessions(db, [first.status === 'stored' ? first.sessionId : '']);
    const vital: RumEvent = { type: 'vital', time: T0 + 5, tz: 330, viewId: 'v', name: 'LCP', value: 900, supported: true, rating: 'good' };
    expect(await persistBatch(db, batch({ first: 1, now: T0 + 5, events: [vital] }), options)).toMatchObject({ status: 'stored', stored: 0, upTo: 2 });
    expect(await db.sessions.count()).toBe(0);
    expect(await persistBatch(db, batch({ first: 2, now: T0 + 9, events: [click(T0 + 9)] }), options)).toMatchObject({ status: 'stored', stored: 1, upTo: 3 });
    expect((await db.sessions.toArray()).map((x) => x.startedAt)).toEqual([T0 + 9]);
  });

  test('a private window never joins the live session of the same site in a normal window', async () => {
    await persistBatch(db, batch({}), options);
    await persistBatch(db, batch({ loadId: 'private-1', tabId: 20, incognito: true, now: T0 + 10, events: [click(T0 + 10)] }), options);
    await persistBatch(db, batch({ loadId: 'private-2', tabId: 21, incognito: true, now: T0 + 20, events: [click(T0 + 20)] }), options);
    const sessions = await db.sessions.orderBy('startedAt').toArray();
    expect(sessions.map((x) => [x.incognito === true, x.counts.actions])).toEqual([[false, 1], [true, 2]]);
  });

  test('an unsampled session keeps its record but stores no events', async () => {
    const result = await persistBatch(db, batch({}), { ...options, sampleRate: 0 });
    expect(result).toMatchObject({ status: 'stored', session: { sampled: false, replay: false } });
    expect(await db.events.count()).toBe(0);
    expect(await db.sessions.count()).toBe(1);
  });

  test('page times are clamped to the background clock', async () => {
    await persistBatch(db, batch({ events: [click(T0 + 10 * 365 * 86_400_000)] }), options);
    expect((await db.sessions.toArray())[0]!.lastEventAt).toBe(T0);
  });
});

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
