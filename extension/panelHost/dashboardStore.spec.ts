import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RumscopeDb } from '../storage/db';
import { deleteSessions } from '../storage/sessionStore';
import { createDexieSessionSource } from './dexieSessionSource';
import { READ_CHUNK } from './dashboardStore';
import { base, makeSession, stored } from '../../tests/unit/support/sessionFixtures';

const opened: RumscopeDb[] = [];
let counter = 0;

function setup() {
  const name = `rumscope-dashboard-${counter++}`;
  const writer = new RumscopeDb(name);
  const reader = new RumscopeDb(name);
  opened.push(writer, reader);
  return { writer, source: createDexieSessionSource(reader) };
}

afterEach(async () => {
  const dbs = opened.splice(0);
  for (const db of dbs) db.close();
  for (const name of new Set(dbs.map((db) => db.name))) await RumscopeDb.delete(name);
});

const HOUR = 3_600_000;
const counts = (errors: number, views = 1) => ({ ...makeSession().counts, errors, views });
const ids = (page: { sessions: { id: string }[] }) => page.sessions.map((s) => s.id);
/** The change feed is a BroadcastChannel between the two connections: give it a turn. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('the Dexie source answers the dashboard', () => {
  it('filters, counts each facet with the other filters applied, and follows writes', async () => {
    const { writer, source } = setup();
    const now = Date.now();
    await writer.sessions.bulkPut([
      makeSession({ id: 'a', startedAt: now - 10 * 60_000, counts: counts(0), geo: { country: 'India', city: null, region: null } }),
      makeSession({ id: 'b', startedAt: now - 2 * HOUR, counts: counts(3), geo: { country: 'France', city: null, region: null } }),
      makeSession({ id: 'c', startedAt: now - 3 * HOUR, counts: counts(12), browser: { name: 'Firefox', version: '128.0' } }),
    ]);

    expect(ids(await source.listSessions({ filter: { errors: { preset: 'some' } } }))).toEqual(['b', 'c']);
    expect(ids(await source.listSessions({ filter: { errors: { preset: 'some' }, browser: ['Chrome'] } }))).toEqual(['b']);
    expect(await source.countSessions({ time: { preset: '1h' } })).toBe(1);

    const facets = await source.getFacetCounts({ errors: { preset: 'some' } });
    expect(facets.total).toBe(2);
    expect(facets.errors).toEqual({ none: 1, some: 2, many: 1, critical: 1 });
    expect(facets.facets.country).toEqual([
      { value: 'France', count: 1 },
      { value: 'India', count: 1 },
    ]);
    expect(facets.time['1h']).toBe(0);

    // A write and a delete reach the next answer through the change feed (only those records are re-read).
    await writer.sessions.put(makeSession({ id: 'a', startedAt: now - 10 * 60_000, counts: counts(1) }));
    await deleteSessions(writer, ['c']);
    await settle();
    expect(ids(await source.listSessions({ filter: { errors: { preset: 'some' } } }))).toEqual(['a', 'b']);
  });

  it('reads more sessions than one chunk, and counts a session written while they are read', async () => {
    const { writer, source } = setup();
    const now = Date.now();
    const many = READ_CHUNK * 2 + 3;
    await writer.sessions.bulkPut(Array.from({ length: many }, (_, i) => makeSession({ id: `s-${String(i).padStart(5, '0')}`, startedAt: now - (i + 1) * 60_000, counts: counts(i % 2) })));
    const first = source.countSessions({ errors: { preset: 'some' } });
    await writer.sessions.put(makeSession({ id: 'late', startedAt: now - 1_000, counts: counts(4) }));
    expect([Math.floor(many / 2), Math.floor(many / 2) + 1]).toContain(await first);
    await settle();
    expect(await source.countSessions({ errors: { preset: 'some' } })).toBe(Math.floor(many / 2) + 1);
    expect((await source.getFacetCounts({})).total).toBe(many + 1);
    expect(ids(await source.listSessions({ filter: { errors: { preset: 'some' } }, limit: 2 }))).toEqual(['late', 's-00001']);
  });

  it('computes the KPIs with the spec bands, the daily trend and the previous period', async () => {
    const { writer, source } = setup();
    const now = Date.now();
    await writer.sessions.bulkPut([
      makeSession({ id: 'a', startedAt: now - HOUR, lastEventAt: now - HOUR + 120_000, counts: counts(0, 3) }),
      makeSession({ id: 'b', startedAt: now - 2 * HOUR, lastEventAt: now - 2 * HOUR + 240_000, counts: counts(2, 1) }),
      makeSession({ id: 'old', startedAt: now - 30 * HOUR, lastEventAt: now - 30 * HOUR + 10_000, counts: counts(0, 1) }),
    ]);
    const all = await source.getKpis({});
    expect(all.comparison).toBeNull();
    expect(all.summary.totalSessions).toBe(3);

    const day = await source.getKpis({ time: { preset: '24h' } });
    expect(day.summary).toMatchObject({ totalSessions: 2, avgDurationMs: 180_000, durationBand: 'normal', errorRate: 0.5, errorRateBand: 'critical', pagesPerSession: 2 });
    expect(day.daily.reduce((n, d) => n + d.sessions, 0)).toBe(2);
    expect(day.comparison?.previous.totalSessions).toBe(1);
    expect(day.comparison?.delta.totalSessions).toBe(1);
  });

  it('searches URLs, errors and actions from an index fed by new events only', async () => {
    const { writer, source } = setup();
    await writer.sessions.bulkPut([makeSession({ id: 's1' }), makeSession({ id: 's2', startedAt: 1 })]);
    await writer.events.bulkPut([
      stored({ ...base(100), type: 'view', url: 'http://127.0.0.1:5173/checkout', referrer: '', title: 'Checkout', navigation: 'initial', loadingTime: 1 }, 's1'),
      stored({ ...base(100), type: 'view', url: 'http://127.0.0.1:5173/', referrer: '', title: 'Home', navigation: 'initial', loadingTime: 1 }, 's2', 'load-2'),
    ]);
    expect((await source.search({ text: 'checkout' })).map((h) => h.sessionId)).toEqual(['s1']);
    expect(ids(await source.listSessions({ filter: { search: 'checkout' } }))).toEqual(['s1']);

    await writer.events.put(
      stored({ ...base(200), type: 'error', source: 'uncaught', errorType: 'TypeError', message: 'payment widget exploded', stack: null, frames: [] }, 's2', 'load-2'),
    );
    await settle();
    const hits = await source.search({ text: 'widget' });
    expect(hits.map((h) => h.sessionId)).toEqual(['s2']);
    expect(hits[0]!.snippets[0]).toMatchObject({ kind: 'error', text: 'TypeError: payment widget exploded' });

    await deleteSessions(writer, ['s1']);
    await settle();
    expect(await source.search({ text: 'checkout' })).toEqual([]);
  });

  it('orders the hits of a search newest first from the held records and reads snippets for the first few only', async () => {
    const { writer, source } = setup();
    const sessions = Array.from({ length: 2_500 }, (_, i) => makeSession({ id: `s${String(i).padStart(4, '0')}`, startedAt: 1_000 + ((i * 7919) % 2_500) }));
    await writer.sessions.bulkPut(sessions);
    await writer.events.bulkPut(
      sessions.map((s, i) => stored({ ...base(5_000), type: 'view', url: `https://shop.test/${i % 3 ? 'checkout' : 'cart'}/${i}`, referrer: '', title: '', navigation: 'initial', loadingTime: null }, s.id, `load-${i}`)),
    );
    const hits = await source.search({ text: 'checkout', limit: 4, snippets: 2 });
    // Independently: the matching sessions (i % 3 != 0), by start time, newest first.
    const expected = sessions
      .filter((_, i) => i % 3)
      .sort((a, b) => b.startedAt - a.startedAt)
      .slice(0, 4)
      .map((s) => s.id);
    expect(hits.map((h) => h.sessionId)).toEqual(expected);
    expect(hits.map((h) => h.snippets.map((snip) => snip.kind))).toEqual([['url'], ['url'], [], []]);
    expect(hits[0]!.snippets[0]!.text).toContain('checkout');
    expect(await source.search({ text: '  ' })).toEqual([]);
  });

  it('answers the facet counts and KPIs of the filter on screen after sessions changed, equal to a fresh source', async () => {
    const { writer, source } = setup();
    const now = Date.now();
    await writer.sessions.bulkPut([
      makeSession({ id: 'a', startedAt: now - 10 * 60_000, counts: counts(0) }),
      makeSession({ id: 'b', startedAt: now - 2 * HOUR, counts: counts(3), browser: { name: 'Firefox', version: '128.0' } }),
      makeSession({ id: 'c', startedAt: now - 30 * HOUR, counts: counts(12) }),
    ]);
    const filter = { time: { preset: '24h' as const }, errors: { preset: 'some' as const } };
    await source.getFacetCounts(filter); // held from here on
    await source.getKpis(filter);
    // A write to one session, a new one, a deleted one: what a fresh source (nothing kept) answers is the same.
    await writer.sessions.update('a', { counts: counts(2, 4), lastEventAt: now });
    await writer.sessions.put(makeSession({ id: 'd', startedAt: now - 60_000, counts: counts(1) }));
    await deleteSessions(writer, ['b']);
    await settle();
    const fresh = createDexieSessionSource(writer);
    const at = Date.now();
    const kept = await source.getFacetCounts(filter);
    expect(kept).toEqual(await fresh.getFacetCounts(filter));
    expect(kept.total).toBe(2);
    expect(kept.facets.browser).toEqual([{ value: 'Chrome', count: 2 }]);
    const kpis = await source.getKpis(filter);
    expect(kpis.summary).toEqual((await fresh.getKpis(filter)).summary);
    expect(kpis.summary).toMatchObject({ totalSessions: 2, errorRate: 1 });
    expect(Date.now() - at).toBeLessThan(60_000); // both answered at nearly the same now
  });
});

describe('a relative time range as the clock moves, nothing written', () => {
  afterEach(() => vi.useRealTimers());

  it('the list count, the KPI total and the facet counts move with the window, equal to a count of the records', async () => {
    const { writer, source } = setup();
    const start = Date.UTC(2026, 0, 10, 12);
    // Only Date is faked: fake-indexeddb and Dexie's change feed keep their own timers.
    vi.useFakeTimers({ toFake: ['Date'], now: start });
    // A session every 25 s over the last 40 minutes (some errors); the steps below cross, land on and pass the bounds.
    const sessions = Array.from({ length: 96 }, (_, i) => makeSession({ id: `s-${String(i).padStart(3, '0')}`, startedAt: start - i * 25_000, counts: counts(i % 3 ? 0 : 2) }));
    await writer.sessions.bulkPut(sessions);
    const filter = { time: { preset: '15m' as const } };
    const expected = (now: number, test: (s: (typeof sessions)[number]) => boolean = () => true) =>
      sessions.filter((s) => s.startedAt >= now - 15 * 60_000 && s.startedAt <= now && test(s)).length;

    // 0: the first answers (kept from here on); then steps that cross the lower bound, land on it and pass it by 1 ms.
    for (const step of [0, 7_000, 25_000, 18_000, 1, 24_999, 60_000, 3 * 60_000]) {
      vi.setSystemTime(Date.now() + step);
      const now = Date.now();
      const [count, kpis, facets] = [await source.countSessions(filter), await source.getKpis(filter), await source.getFacetCounts(filter)];
      const want = expected(now);
      expect({ step, count, kpis: kpis.summary.totalSessions, facets: facets.total, past15m: facets.time['15m'] }).toEqual({ step, count: want, kpis: want, facets: want, past15m: want });
      expect(facets.errors.some).toBe(expected(now, (s) => s.counts.errors > 0));
      // The previous period is as long as [now - 15 min, now + 1): it starts 1 ms before now - 30 min.
      expect({ step, previous: kpis.comparison?.previous.totalSessions }).toEqual({ step, previous: sessions.filter((s) => s.startedAt >= now - 30 * 60_000 - 1 && s.startedAt < now - 15 * 60_000).length });
      // What was kept and moved equals answering from scratch at the same now.
      const fresh = createDexieSessionSource(writer);
      expect(kpis).toEqual(await fresh.getKpis(filter));
      expect(facets).toEqual(await fresh.getFacetCounts(filter));
    }
  });

  it('the time options of a filter without a time range count at the time of asking', async () => {
    const { writer, source } = setup();
    const start = Date.UTC(2026, 0, 10, 12);
    vi.useFakeTimers({ toFake: ['Date'], now: start });
    await writer.sessions.bulkPut([makeSession({ id: 'a', startedAt: start - 5 * 60_000, counts: counts(1) }), makeSession({ id: 'b', startedAt: start - 50 * 60_000, counts: counts(2) })]);
    const filter = { errors: { preset: 'some' as const } };
    expect((await source.getFacetCounts(filter)).time).toMatchObject({ '15m': 1, '1h': 2 });
    vi.setSystemTime(start + 20 * 60_000);
    expect((await source.getFacetCounts(filter)).time).toMatchObject({ '15m': 0, '1h': 1 });
  });
});
