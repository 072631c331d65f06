import { describe, expect, it, vi } from 'vitest';
import type { SessionRecord, VitalName } from '../../sdk/schema';
import type { SessionFilter } from '../source/SessionSource';
import { makeSession } from '../../tests/unit/support/sessionFixtures';
import { columnFacetCounts, columnKpis, columnVersionChange, matchingRows, sortRows } from './columnAnswers';
import { compareSessions } from '../source/sessionSort';
import { SESSION_SORT_KEYS } from '../source/SessionSource';
import { facetsOver, kpisOver } from './answerOver';
import { createFacetCounter, createMatcher } from './filter';
import { createLiveKpis } from './kpis';
import { columnsFromSnapshot, createSessionColumns, type ColumnSnapshot } from './sessionColumns';
import { latestVersionChange } from './qualityViews';
import { rng } from '../../bench/rng';
import { keyTable, sessionKeys } from '../../sdk/model/sessionKey';

const NOW = Date.UTC(2025, 11, 10, 12, 0, 0);
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

const VITALS: VitalName[] = ['LCP', 'FID', 'CLS', 'TTFB', 'INP', 'FCP'];

function sessions(count: number, seed: number): SessionRecord[] {
  const rand = rng(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rand() * values.length)]!;
  return Array.from({ length: count }, (_, i) => {
    // Starts over 70 days, some at the same millisecond (ties), one in the future.
    const startedAt = i === 0 ? NOW + MIN : NOW - Math.floor(rand() * 70) * DAY - (rand() < 0.2 ? 0 : Math.floor(rand() * DAY));
    const base = makeSession({ id: `s${i}`, startedAt });
    const vitals = Object.fromEntries(VITALS.filter(() => rand() < 0.4).map((name) => [name, { value: Math.round(rand() * 5000) / (name === 'CLS' ? 10_000 : 1), rating: 'good' as const }]));
    return {
      ...base,
      lastEventAt: startedAt + pick([0, 30_000, 5 * MIN, 11 * MIN, 45 * MIN]),
      user: pick([null, { email: 'Ana@Shop.test' }, { email: 'bo@shop.test' }, { id: 'u7' }, { email: '   ' }]),
      visitorId: pick([null, 'v1', 'v2', 'v3']) ?? undefined,
      geo: { country: pick(['India', 'France', null, 'United States']), city: pick(['Paris', null, 'Mumbai']), region: null },
      browser: { name: pick(['Chrome', 'Firefox', 'Safari', '']), version: '1' },
      os: { name: pick(['Windows', 'Mac OS X', 'Linux']), version: '1' },
      deviceType: pick(['Desktop', 'Mobile', 'Tablet', null] as const),
      app: { service: 'shop', env: pick(['production', 'staging', null]), version: pick(['1.0.0', '1.1.0', null]) },
      site: pick(['https://shop.test', 'https://admin.test']),
      counts: { ...base.counts, views: Math.floor(rand() * 6), actions: Math.floor(rand() * 3), errors: pick([0, 0, 0, 1, 3, 7, 12]) },
      vitals: Object.keys(vitals).length ? vitals : undefined,
    } as SessionRecord;
  });
}

const byStart = (list: SessionRecord[]) => [...list].sort((a, b) => a.startedAt - b.startedAt);

const FILTERS: [string, SessionFilter][] = [
  ['nothing', {}],
  ['past 7 days', { time: { preset: '7d' } }],
  ['past 30 days + errors > 0', { time: { preset: '30d' }, errors: { preset: 'some' } }],
  ['custom range + Chrome', { time: { preset: 'custom', from: NOW - 20 * DAY, to: NOW - 3 * DAY }, browser: ['Chrome'] }],
  ['email contains "shop" + India, France', { userEmailContains: ' SHOP ', country: ['India', 'France'] }],
  ['email contains "unknown" (no session has it)', { userEmailContains: 'unknown' }],
  ['unknown country + mobile', { country: ['Unknown'], deviceType: ['Mobile'] }],
  ['duration short + version 1.1.0 + env production', { duration: { preset: 'short' }, version: ['1.1.0'], env: ['production'] }],
  ['custom errors + custom duration', { errors: { preset: 'custom', min: 1, max: 7 }, duration: { preset: 'custom', minMs: 60_000, maxMs: null } }],
  ['a value no session has', { browser: ['Netscape'] }],
  ['start bounds + past 24 hours', { startedFrom: NOW - 10 * DAY, startedBefore: NOW - 2 * DAY, time: { preset: '24h' } }],
  ['start bounds + site', { startedFrom: NOW - 40 * DAY, startedBefore: NOW, site: ['https://admin.test'] }],
  ['search', { search: 'checkout', time: { preset: '30d' } }],
  ['novelty', { novelty: 'region', time: { preset: '7d' } }],
];

/** The search's and novelty's answers, as the host would give them. */
const context = (all: SessionRecord[]) => ({
  searchHits: new Set(all.filter((_, i) => i % 3 === 0).map((s) => s.id)),
  newRegion: new Set(all.filter((_, i) => i % 5 === 0).map((s) => s.id)),
  newDevice: new Set(all.filter((_, i) => i % 7 === 0).map((s) => s.id)),
});

/** The answers filter.ts and kpis.ts give over the records (the reference). */
function reference(all: SessionRecord[], filter: SessionFilter, tzOffsetMinutes: number) {
  const { startedFrom, startedBefore, ...rest } = filter;
  const inBounds = (s: SessionRecord) => s.startedAt >= (startedFrom ?? -Infinity) && s.startedAt < (startedBefore ?? Infinity);
  const ctx = context(all);
  const match = createMatcher(rest, NOW, ctx);
  const facets = createFacetCounter(rest, NOW, ctx);
  const { time, ...withoutTime } = rest;
  const matchWithoutTime = createMatcher(withoutTime, NOW, ctx);
  const kpis = createLiveKpis(time, (s) => inBounds(s) && matchWithoutTime(s), { tzOffsetMinutes }, NOW);
  for (const s of all) {
    if (inBounds(s)) facets.put(s);
    kpis.put(s);
  }
  return { rows: byStart(all).filter((s) => inBounds(s) && match(s)).map((s) => s.id), facets: facets.counts(), kpis: kpis.report() };
}

function answers(all: SessionRecord[], columns: ReturnType<typeof createSessionColumns>, filter: SessionFilter, tzOffsetMinutes: number) {
  const ctx = context(all);
  return {
    rows: matchingRows(columns, filter, NOW, ctx).map((row) => columns.ids[row]!),
    facets: columnFacetCounts(columns, filter, NOW, ctx),
    kpis: columnKpis(columns, filter, { tzOffsetMinutes }, NOW, ctx),
  };
}

/** Rows of equal start may come in any order: compare the ids as sets, and the order of starts. */
function expectSame(got: ReturnType<typeof answers>, want: ReturnType<typeof reference>, all: SessionRecord[]) {
  const start = new Map(all.map((s) => [s.id, s.startedAt]));
  expect([...got.rows].sort()).toEqual([...want.rows].sort());
  expect(got.rows.map((id) => start.get(id))).toEqual(want.rows.map((id) => start.get(id)));
  expect(got.facets).toEqual(want.facets);
  expect(got.kpis).toEqual(want.kpis);
}

describe('answers over columns', () => {
  const all = sessions(600, 7);

  it.each(FILTERS)('%s: the same rows, facet counts and KPIs as over the records', (_, filter) => {
    const columns = createSessionColumns(byStart(all));
    const want = reference(all, filter, 330);
    expectSame(answers(all, columns, filter, 330), want, all);
  });

  it('is compared on filters that match some sessions and not others', () => {
    const totals = FILTERS.map(([, filter]) => reference(all, filter, 0).facets.total);
    expect(totals.filter((n) => n > 0 && n < all.length).length).toBeGreaterThanOrEqual(10);
  });

  it('stays the same as records are changed, added and deleted', () => {
    const held = new Map(all.map((s) => [s.id, s]));
    const columns = createSessionColumns(byStart(all));
    const more = sessions(200, 99).map((s) => ({ ...s, id: `n${s.id}` }));
    const rand = rng(3);
    for (let step = 0; step < 300; step++) {
      const ids = [...held.keys()];
      const id = ids[Math.floor(rand() * ids.length)]!;
      const before = held.get(id)!;
      const roll = rand();
      if (roll < 0.4) {
        // A live update: more errors and a later last event, same start.
        const after = { ...before, lastEventAt: before.lastEventAt + MIN, counts: { ...before.counts, errors: before.counts.errors + 1 } };
        columns.apply(new Map([[id, after]]));
        held.set(id, after);
      } else if (roll < 0.6) {
        // A start moved (an import of an older copy).
        const after = { ...before, startedAt: before.startedAt - DAY };
        columns.apply(new Map([[id, after]]));
        held.set(id, after);
      } else if (roll < 0.8 && more.length) {
        const added = more.pop()!;
        columns.apply(new Map([[added.id, added]]));
        held.set(added.id, added);
      } else {
        columns.apply(new Map([[id, undefined]]));
        held.delete(id);
      }
    }
    const now = [...held.values()];
    expect([...columns.startedAt.subarray(0, columns.size)]).toEqual(byStart(now).map((s) => s.startedAt));
    expect(new Set(columns.ids)).toEqual(new Set(held.keys()));
    expect(columns.ids.map((id) => held.get(id)!.startedAt)).toEqual(byStart(now).map((s) => s.startedAt));
    // Each row's key moved with its row.
    expect([...columns.idKeys.subarray(0, columns.size)]).toEqual([...sessionKeys(columns.ids)]);
    for (const [, filter] of FILTERS) expectSame(answers(now, columns, filter, -300), reference(now, filter, -300), now);
  });

  it("answers a search given as rows (the extension's hits by session key) as it answers the ids", () => {
    const columns = createSessionColumns(byStart(all));
    const { searchHits, ...novelty } = context(all);
    // The keys of the hits and of a session no longer held (a stale key of a compacted block), turned into rows.
    const table = keyTable(columns.idKeys, columns.size);
    const searchRows = new Uint8Array(columns.size);
    for (const key of sessionKeys([...searchHits, 'deleted-long-ago'])) if (table.rowOf(key) >= 0) searchRows[table.rowOf(key)] = 1;
    const filter: SessionFilter = { search: 'checkout', time: { preset: '30d' } };
    const byRows = { ...novelty, searchRows };
    const want = reference(all, filter, 0);
    expect(want.facets.total).toBeGreaterThan(0);
    expectSame(
      { rows: matchingRows(columns, filter, NOW, byRows).map((row) => columns.ids[row]!), facets: columnFacetCounts(columns, filter, NOW, byRows), kpis: columnKpis(columns, filter, { tzOffsetMinutes: 0 }, NOW, byRows) },
      want,
      all,
    );
  });

  it('grows past its first capacity', () => {
    const many = sessions(3_000, 11);
    const columns = createSessionColumns(byStart(many.slice(0, 10)));
    for (const s of many.slice(10)) columns.apply(new Map([[s.id, s]]));
    expect(columns.size).toBe(3_000);
    expectSame(answers(many, columns, FILTERS[2]![1], 0), reference(many, FILTERS[2]![1], 0), many);
  });

  it('tests the same search hits again after the rows changed', () => {
    const few = sessions(20, 5);
    const columns = createSessionColumns(byStart(few));
    const searchHits = new Set(['s1', 's2', 'late']);
    const filter = { search: 'x' };
    expect(matchingRows(columns, filter, NOW, { searchHits }).map((row) => columns.ids[row]!).sort()).toEqual(['s1', 's2']);
    columns.apply(new Map([['late', { ...few[3]!, id: 'late', startedAt: NOW - 1 }]]));
    columns.apply(new Map([['s1', undefined]]));
    expect(matchingRows(columns, filter, NOW, { searchHits }).map((row) => columns.ids[row]!).sort()).toEqual(['late', 's2']);
    expect(columnFacetCounts(columns, filter, NOW, { searchHits }).total).toBe(2);
  });

  it('answers the same through answerOver over records in any order (the team dashboard fetches them)', async () => {
    const shuffled = [...all].reverse();
    for (const [, filter] of FILTERS.filter(([, f]) => !f.search && !f.novelty)) {
      const want = reference(all, filter, 60);
      expect(await facetsOver(shuffled, filter, NOW)).toEqual(want.facets);
      const { versionChange: _v, ...kpis } = await kpisOver(shuffled, filter, { tzOffsetMinutes: 60 }, NOW);
      expect(kpis).toEqual(want.kpis);
    }
  });
});

describe('columns kept as a snapshot', () => {
  const all = sessions(600, 13);

  it('read back (as a structured clone), answer the same as the columns they were taken from', () => {
    const columns = createSessionColumns(byStart(all));
    const restored = columnsFromSnapshot(structuredClone(columns.snapshot()));
    expect(restored).not.toBeNull();
    expect(restored!.ids).toEqual(columns.ids);
    for (const [, filter] of FILTERS) expectSame(answers(all, restored!, filter, 330), reference(all, filter, 330), all);
  });

  it('put their values back by name: a snapshot whose ids number the values otherwise answers the same', () => {
    const snapshot = createSessionColumns(byStart(all)).snapshot();
    // Another page numbered every value in reverse order (and knew a value no row has).
    const renumber = (column: Int32Array, values: string[]) => {
      const n = values.length;
      return { column: column.map((id) => (id < 0 ? id : n - id)), values: ['never seen', ...[...values].reverse()] };
    };
    const other: ColumnSnapshot = { ...snapshot, facets: [], facetValues: [] };
    snapshot.facets.forEach((column, k) => {
      const r = renumber(column, snapshot.facetValues[k]!);
      other.facets.push(r.column);
      other.facetValues.push(r.values);
    });
    ({ column: other.email, values: other.emails } = renumber(snapshot.email, snapshot.emails));
    ({ column: other.user, values: other.users } = renumber(snapshot.user, snapshot.users));
    const restored = columnsFromSnapshot(other)!;
    for (const [, filter] of FILTERS) expectSame(answers(all, restored, filter, 0), reference(all, filter, 0), all);
  });

  it('are refused when of another format, not whole, out of order or naming a value they do not list', () => {
    const snapshot = createSessionColumns(byStart(all)).snapshot();
    expect(columnsFromSnapshot(snapshot)).not.toBeNull();
    expect(columnsFromSnapshot({ ...snapshot, format: 'columns-0' })).toBeNull();
    expect(columnsFromSnapshot({ ...snapshot, errors: snapshot.errors.subarray(0, 10) })).toBeNull();
    expect(columnsFromSnapshot({ ...snapshot, ids: snapshot.ids.slice(1) })).toBeNull();
    expect(columnsFromSnapshot({ ...snapshot, startedAt: snapshot.startedAt.slice().reverse() })).toBeNull();
    expect(columnsFromSnapshot({ ...snapshot, emails: [] })).toBeNull();
    expect(columnsFromSnapshot({ ...snapshot, vitals: snapshot.vitals.slice(1) })).toBeNull();
    expect(columnsFromSnapshot(null)).toBeNull();
  });
});

describe('the version change over columns', () => {
  it('is the one latestVersionChange finds in the records', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const list = sessions(80, seed);
      expect(columnVersionChange(createSessionColumns(byStart(list)))).toEqual(latestVersionChange(list));
    }
    expect(columnVersionChange(createSessionColumns([]))).toBeNull();
  });
});

describe('the list sorted by a column over the columns', () => {
  it('is the order compareSessions gives the records, for every column and direction, ties included', () => {
    // Negative time spent and the same email in other cases too (they sort as one).
    const list = sessions(400, 21).map((s, i) => (i % 50 === 0 ? { ...s, lastEventAt: s.startedAt - 1_000 } : i % 7 === 0 ? { ...s, user: { email: 'ANA@shop.test' } } : s));
    const columns = createSessionColumns(byStart(list));
    const rows = columns.ids.map((_, row) => row);
    const byId = new Map(list.map((s) => [s.id, s]));
    for (const key of SESSION_SORT_KEYS) {
      for (const direction of ['asc', 'desc'] as const) {
        const sort = { key, direction };
        expect({ key, direction, ids: sortRows(columns, rows, sort).map((row) => columns.ids[row]) }).toEqual({
          key,
          direction,
          ids: [...list].sort(compareSessions(sort)).map((s) => s.id),
        });
      }
    }
    // A part of the rows (a filter's) keeps its order too.
    const some = rows.filter((row) => byId.get(columns.ids[row]!)!.counts.errors > 0);
    const sort = { key: 'email' as const, direction: 'desc' as const };
    expect(sortRows(columns, some, sort).map((row) => columns.ids[row])).toEqual(
      some.map((row) => byId.get(columns.ids[row]!)!).sort(compareSessions(sort)).map((s) => s.id),
    );
  });
});

describe('a record the columns cannot take', () => {
  it('is left out (with a warning) and the other changes of the same apply are kept', () => {
    const few = sessions(10, 8);
    const columns = createSessionColumns(byStart(few));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const broken = { ...few[2]!, counts: undefined } as unknown as SessionRecord;
      const changed = { ...few[3]!, counts: { ...few[3]!.counts, errors: 99 } };
      const added = { ...few[4]!, id: 'new', startedAt: NOW - 5 };
      columns.apply(new Map([[broken.id, broken], [changed.id, changed], ['new', added]]));
      expect(columns.ids).not.toContain(broken.id);
      expect(columns.ids).toContain('new');
      expect(columns.errors[columns.ids.indexOf(changed.id)]).toBe(99);
      expect(columns.size).toBe(10);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(broken.id), expect.any(Error));
    } finally {
      warn.mockRestore();
    }
  });
});
