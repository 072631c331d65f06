import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RumscopeDb } from '../storage/db';
import { deleteSessions } from '../storage/sessionStore';
import { createDexieSessionSource } from './dexieSessionSource';
import { COLUMNS_CACHE_KEY, READ_CHUNK } from './dashboardStore';
import { COLUMN_FORMAT } from '../../panel/dashboard/sessionColumns';
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

  it('shows the rows of the list as they are now: a row read before and written since is read again', async () => {
    const { writer, source } = setup();
    const now = Date.now();
    await writer.sessions.bulkPut([makeSession({ id: 'a', startedAt: now - 1_000, counts: counts(1) }), makeSession({ id: 'b', startedAt: now - 2_000, counts: counts(2) })]);
    const errorsOf = async () => (await source.listSessions({ filter: { errors: { preset: 'some' } } })).sessions.map((s) => [s.id, s.counts.errors]);
    expect(await errorsOf()).toEqual([['a', 1], ['b', 2]]);
    await writer.sessions.update('a', { counts: counts(5) });
    await settle();
    expect(await errorsOf()).toEqual([['a', 5], ['b', 2]]);
    await deleteSessions(writer, ['b']);
    await settle();
    expect(await errorsOf()).toEqual([['a', 5]]);
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

describe('the columns kept between openings', () => {
  /** A panel opening: its own connection and source, the copy written 10 ms after the answer that asks for it. */
  function open(name: string) {
    const db = new RumscopeDb(name);
    opened.push(db);
    const readAll = vi.spyOn(db.sessions, 'orderBy');
    return { db, readAll, source: createDexieSessionSource(db, { dashboard: { keepDelayMs: 10 } }) };
  }
  const kept = async (db: RumscopeDb) => {
    for (let i = 0; i < 100; i++) {
      const row = await db.derivedCache.get(COLUMNS_CACHE_KEY);
      if (row) return row;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the columns were never kept');
  };
  const filter = { errors: { preset: 'some' as const } };
  /** Every answer the dashboard shows for `filter`, and the list by another column. */
  const everything = async (source: ReturnType<typeof createDexieSessionSource>) => ({
    list: ids(await source.listSessions({ filter })),
    count: await source.countSessions(filter),
    facets: await source.getFacetCounts(filter),
    kpis: await source.getKpis(filter),
    byErrors: ids(await source.listSessions({ filter, sort: { key: 'errors', direction: 'desc' } })),
    byLocation: ids(await source.listSessions({ filter, sort: { key: 'location', direction: 'asc' }, limit: 5 })),
    search: (await source.search({ text: 'checkout' })).map((h) => h.sessionId),
  });

  it('a new opening starts from the copy and reads only the sessions written since; its answers equal reading every record', async () => {
    const { writer } = setup();
    const now = Date.now();
    const sessions = Array.from({ length: 40 }, (_, i) =>
      makeSession({ id: `s${String(i).padStart(2, '0')}`, startedAt: now - (i + 1) * 60_000, counts: counts(i % 3), app: { version: i < 20 ? '2.0.0' : '1.0.0', env: null } as never }),
    );
    await writer.sessions.bulkPut(sessions);
    await writer.events.bulkPut(
      sessions.slice(0, 5).map((s, i) => stored({ ...base(now), type: 'view', url: `https://shop.test/checkout/${i}`, referrer: '', title: '', navigation: 'initial', loadingTime: null }, s.id, `load-${i}`)),
    );
    const first = open(writer.name);
    await first.source.getFacetCounts(filter);
    expect(first.readAll).toHaveBeenCalledTimes(1);
    const copy = await kept(writer);
    expect(copy.value).toMatchObject({ format: COLUMN_FORMAT, size: 40 });

    // Written while no panel is open: one session changed, one new, one deleted, one moved to another start.
    await writer.sessions.update('s01', { counts: counts(7, 3), lastEventAt: now });
    await writer.sessions.put(makeSession({ id: 'new', startedAt: now - 1_000, counts: counts(2), app: { version: '3.0.0', env: null } as never }));
    await deleteSessions(writer, ['s02']);
    await writer.sessions.update('s05', { startedAt: now - 90 * 60_000 });

    const second = open(writer.name);
    const fromCopy = await everything(second.source);
    // The columns came from the copy: no read of every record, a sort by another column included.
    expect(second.readAll).not.toHaveBeenCalled();
    const fresh = open(writer.name);
    await writer.derivedCache.clear();
    expect(await everything(fresh.source)).toEqual(fromCopy);
    expect(fromCopy.list[0]).toBe('new');
    expect(fromCopy.list).not.toContain('s02');
    // 2.0.0's first session is now s05, moved before every 1.0.0 one: the change is from 1.0.0.
    expect(fromCopy.kpis.versionChange).toMatchObject({ version: '3.0.0', previous: '1.0.0' });
    const withErrors = sessions.filter((s) => s.counts.errors > 0 && s.id !== 's02').length + 1; // + 'new'
    expect(fromCopy.count).toBe(withErrors);
    // The visits to checkout were s00–s04's; s02 is deleted. Newest first.
    expect(fromCopy.search).toEqual(['s00', 's01', 's03', 's04']);
  });

  it('the list, the count, the facets and the KPIs come from the copy without reading every record', async () => {
    const { writer } = setup();
    const now = Date.now();
    await writer.sessions.bulkPut(Array.from({ length: 30 }, (_, i) => makeSession({ id: `s${i}`, startedAt: now - (i + 1) * 60_000, counts: counts(i % 2) })));
    const first = open(writer.name);
    await first.source.getKpis({});
    await kept(writer);
    await writer.sessions.put(makeSession({ id: 'late', startedAt: now - 1, counts: counts(1) }));
    const second = open(writer.name);
    expect(ids(await second.source.listSessions({ filter, limit: 3 }))).toEqual(['late', 's1', 's3']);
    expect(await second.source.countSessions(filter)).toBe(16);
    expect((await second.source.getFacetCounts(filter)).total).toBe(16);
    expect((await second.source.getKpis({})).summary.totalSessions).toBe(31);
    expect(second.readAll).not.toHaveBeenCalled();
  });

  it('a failed read of the sessions written since is read again by the next question', async () => {
    const { writer } = setup();
    const now = Date.now();
    await writer.sessions.put(makeSession({ id: 'a', startedAt: now - 2_000 }));
    const first = open(writer.name);
    await first.source.getFacetCounts({});
    await kept(writer);
    await writer.sessions.put(makeSession({ id: 'b', startedAt: now - 1_000 }));
    const second = open(writer.name);
    const transaction = second.db.transaction.bind(second.db) as (...args: unknown[]) => unknown;
    let failed = false;
    vi.spyOn(second.db, 'transaction').mockImplementation(((...args: unknown[]) => {
      if (!failed && args.includes(second.db.sessionChanges)) {
        failed = true;
        return Promise.reject(new Error('the read was aborted'));
      }
      return transaction(...args);
    }) as never);
    await expect(second.source.getFacetCounts({})).rejects.toThrow('the read was aborted');
    expect((await second.source.getFacetCounts({})).total).toBe(2);
    expect(ids(await second.source.listSessions({ filter: { errors: { preset: 'none' } } }))).toEqual(['b', 'a']);
  });

  it('keeps a copy when the first question read every record (cohorts)', async () => {
    const { writer } = setup();
    await writer.sessions.bulkPut([makeSession({ id: 'a', startedAt: 1_000 }), makeSession({ id: 'b', startedAt: 2_000 })]);
    const first = open(writer.name);
    await first.source.getCohorts!({});
    expect((await kept(writer)).value).toMatchObject({ size: 2 });
  });

  it('a copy of another format, or newer than the database, is not read: every record is', async () => {
    const { writer } = setup();
    const now = Date.now();
    await writer.sessions.bulkPut([makeSession({ id: 'a', startedAt: now - 1_000, counts: counts(1) }), makeSession({ id: 'b', startedAt: now - 2_000, counts: counts(0) })]);
    for (const row of [
      { key: COLUMNS_CACHE_KEY, rev: 0, value: { format: 'columns-0', size: 0 } },
      { key: COLUMNS_CACHE_KEY, rev: 99, value: { format: COLUMN_FORMAT, size: 0, ids: [] } },
    ]) {
      await writer.derivedCache.put(row);
      const reader = open(writer.name);
      expect(await reader.source.countSessions(filter)).toBe(1);
      expect(reader.readAll).toHaveBeenCalledTimes(1);
    }
  });
});
