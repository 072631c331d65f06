import { describe, expect, it } from 'vitest';
import type { SessionRecord, VitalName } from '../../sdk/schema';
import { base, makeSession, stored } from '../../tests/unit/support/sessionFixtures';
import { applyEvent } from '../../sdk/model';
import { kpisOver } from './answerOver';
import {
  compareKpis,
  computeKpis,
  createKpiAccumulator,
  dayStart,
  durationBand,
  errorRateBand,
  p75,
  pagesBand,
  recordVitals,
  selectKth,
  sessionVitals,
  SortedValues,
  userKey,
  vitalRating,
  vitalSummary,
  vitalSummaryUnsorted,
} from './kpis';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const T0 = Date.UTC(2025, 11, 1, 10);

function s(id: string, o: { at?: number; minutes?: number; views?: number; actions?: number; errors?: number } & Partial<SessionRecord> = {}): SessionRecord {
  const { at = T0, minutes = 1, views = 1, actions = 0, errors = 0, ...rest } = o;
  const x = makeSession({ id, startedAt: at, lastEventAt: at + minutes * MIN, ...rest });
  return { ...x, counts: { ...x.counts, views, actions, errors } };
}

describe('benchmark bands (spec)', () => {
  it.each([
    [59_999, 'poor'],
    [60_000, 'normal'],
    [5 * MIN - 1, 'normal'],
    [5 * MIN, 'high'],
  ] as const)('average duration %d ms is %s', (ms, band) => expect(durationBand(ms)).toBe(band));

  it.each([
    [0, 'excellent'],
    [0.0499, 'excellent'],
    [0.05, 'good'],
    [0.1, 'good'],
    [0.15, 'needs-attention'],
    [0.2, 'needs-attention'],
    [0.21, 'critical'],
  ] as const)('error rate %d is %s', (rate, band) => expect(errorRateBand(rate)).toBe(band));

  it.each([
    [1.9, 'low'],
    [2, 'medium'],
    [5, 'medium'],
    [5.1, 'high'],
  ] as const)('%d pages per session is %s', (pages, band) => expect(pagesBand(pages)).toBe(band));

  it.each<[VitalName, number, string]>([
    ['LCP', 2500, 'good'],
    ['LCP', 2501, 'needs-improvement'],
    ['LCP', 4001, 'poor'],
    ['CLS', 0.1, 'good'],
    ['CLS', 0.25, 'needs-improvement'],
    ['CLS', 0.26, 'poor'],
    ['INP', 500, 'needs-improvement'],
    ['FID', 301, 'poor'],
    ['TTFB', 800, 'good'],
    ['FCP', 3001, 'poor'],
  ])('%s %d is %s', (name, value, rating) => expect(vitalRating(name, value)).toBe(rating));
});

describe('KPI accumulator', () => {
  const sessions = [
    s('a', { minutes: 2, views: 3, actions: 4, errors: 0, user: { id: 'u1' } }),
    s('b', { minutes: 4, views: 1, actions: 0, errors: 2, user: { id: 'u1' } }),
    s('c', { minutes: 6, views: 2, actions: 1, errors: 1, user: { email: 'X@y.z' } }),
    s('d', { minutes: 0.5, views: 1, actions: 0, errors: 0, visitorId: 'v9', at: T0 + DAY }),
  ];

  it('computes every KPI as the spec defines it', () => {
    const k = computeKpis(sessions, (id) => (id === 'a' ? { LCP: 2000, CLS: 0.3 } : id === 'b' ? { LCP: 5000 } : undefined));
    expect(k).toMatchObject({
      totalSessions: 4,
      avgDurationMs: (12.5 * MIN) / 4,
      durationBand: 'normal',
      errorRate: 0.5,
      errorRateBand: 'critical',
      errorsPerSession: 0.75,
      pagesPerSession: 7 / 4,
      pagesBand: 'low',
      actionsPerSession: 5 / 4,
      bounceRate: 0.5,
      users: 3,
      sessionsPerUser: 4 / 3,
    });
    expect(k.vitals.find((v) => v.name === 'LCP')).toEqual({
      name: 'LCP',
      p75: 5000,
      rating: 'poor',
      samples: 2,
      good: 1,
      needsImprovement: 0,
      poor: 1,
    });
    expect(k.vitals.find((v) => v.name === 'INP')).toMatchObject({ p75: null, rating: null, samples: 0 });
  });

  it('has no averages over no sessions', () => {
    expect(computeKpis([])).toMatchObject({ totalSessions: 0, avgDurationMs: null, errorRate: null, durationBand: null, sessionsPerUser: null });
  });

  it('adds, replaces and removes sessions to the same result as computing from scratch', () => {
    const acc = createKpiAccumulator();
    for (const x of sessions) acc.put(x, { LCP: 1000 + x.counts.views });
    // A live update: b gains errors and views, d goes away.
    const b2 = { ...sessions[1]!, counts: { ...sessions[1]!.counts, errors: 5, views: 4 }, lastEventAt: sessions[1]!.lastEventAt + MIN };
    acc.put(b2, { LCP: 1004 });
    acc.remove('d');
    acc.remove('missing');
    const expected = computeKpis([sessions[0]!, b2, sessions[2]!], (id) => ({ LCP: 1000 + (id === 'b' ? 4 : id === 'a' ? 3 : 2) }));
    expect(acc.summary()).toEqual(expected);
    expect(acc.size).toBe(3);
    expect(acc.has('d')).toBe(false);
  });

  it('keeps a daily trend in the viewer zone', () => {
    const acc = createKpiAccumulator({ tzOffsetMinutes: 330 });
    for (const x of sessions) acc.put(x);
    acc.put(s('late', { at: Date.UTC(2025, 11, 1, 20), errors: 1 })); // 01:30 on Dec 2 in India
    const days = acc.daily();
    expect(days.map((d) => [new Date(d.dayStart).toISOString(), d.sessions, d.errorSessions])).toEqual([
      ['2025-11-30T18:30:00.000Z', 3, 2],
      ['2025-12-01T18:30:00.000Z', 2, 1],
    ]);
    expect(days[0]!.errorRate).toBeCloseTo(2 / 3);
    acc.remove('late');
    acc.remove('d');
    expect(acc.daily()).toHaveLength(1);
  });

  it.each([
    [[], null],
    [[7], 7],
    [[1, 2, 3, 4], 3],
    [[1, 2, 3, 4, 5], 4],
  ])('p75 of %j is %s', (list, value) => expect(p75(list)).toBe(value));

  it.each([
    [0, '2025-12-01T00:00:00.000Z'],
    [-300, '2025-12-01T05:00:00.000Z'],
    [330, '2025-11-30T18:30:00.000Z'],
  ])('day start at offset %d', (offset, iso) => expect(new Date(dayStart(T0, offset)).toISOString()).toBe(iso));
});

describe('comparison with the previous period', () => {
  const now = T0 + 10 * DAY;
  const sessions = [
    s('in1', { at: now - 1 * DAY, errors: 1, views: 4 }),
    s('in2', { at: now - 2 * DAY, views: 2 }),
    s('prev', { at: now - 9 * DAY, views: 1 }),
    s('old', { at: now - 20 * DAY }),
  ];
  it('splits the sessions into the range and the period before', () => {
    const c = compareKpis(sessions, { preset: '7d' }, now);
    expect(c.current.totalSessions).toBe(2);
    expect(c.previous.totalSessions).toBe(1);
    expect(c.delta).toEqual({ totalSessions: 1, avgDurationMs: 0, errorRate: 0.5, pagesPerSession: 2, bounceRate: -1 });
    expect(c.period).toEqual({ from: now - 7 * DAY, to: now + 1, previousFrom: now - 14 * DAY - 1, previousTo: now - 7 * DAY });
    const empty = compareKpis([], { preset: 'custom', from: 0, to: 10 }, now);
    expect(empty.delta.errorRate).toBeNull();
  });
});

describe('session vitals and users', () => {
  it('takes the last measured value of each vital', () => {
    const v = sessionVitals([
      stored({ ...base(1), type: 'vital', name: 'LCP', value: 1200, supported: true, rating: 'good' }),
      stored({ ...base(3), type: 'vital', name: 'LCP', value: 2600, supported: true, rating: 'needs-improvement' }),
      stored({ ...base(2), type: 'vital', name: 'LCP', value: 900, supported: true, rating: 'good' }),
      stored({ ...base(2), type: 'vital', name: 'CLS', value: null, supported: false, rating: null }),
    ]);
    expect(v).toEqual({ LCP: 2600 });
  });

  it('the session record keeps the same values as vital events are applied, and the KPIs read them', async () => {
    const events = [
      stored({ ...base(T0 + 1), type: 'vital', name: 'LCP', value: 1200, supported: true, rating: 'good' }),
      stored({ ...base(T0 + 3), type: 'vital', name: 'LCP', value: 2600, supported: true, rating: 'needs-improvement' }),
      stored({ ...base(T0 + 2), type: 'vital', name: 'LCP', value: 900, supported: true, rating: 'good' }),
      stored({ ...base(T0 + 2), type: 'vital', name: 'CLS', value: null, supported: false, rating: null }),
      stored({ ...base(T0 + 2), type: 'vital', name: 'TTFB', value: 2000, supported: true, rating: 'poor' }),
    ];
    const session = s('a');
    for (const e of events) applyEvent(session, e);
    expect(recordVitals(session)).toEqual(sessionVitals(events));
    expect(session.vitals).toEqual({ LCP: { value: 2600, time: T0 + 3 }, TTFB: { value: 2000, time: T0 + 2 } });

    // Four sessions' LCP: 1000, 2000, 3000, 5000 → nearest-rank p75 = 3000, needs improvement; CLS not measured.
    const sessions = [1000, 2000, 3000, 5000].map((value, i) => s(`l${i}`, { vitals: { LCP: { value, time: T0 }, CLS: { value: value / 10_000, time: T0 } } }));
    const report = await kpisOver(sessions, {}, {}, T0 + DAY);
    const lcp = report.summary.vitals.find((v) => v.name === 'LCP')!;
    expect(lcp).toEqual({ name: 'LCP', p75: 3000, rating: 'needs-improvement', samples: 4, good: 2, needsImprovement: 1, poor: 1 });
    expect(report.summary.vitals.find((v) => v.name === 'CLS')).toMatchObject({ p75: 0.3, rating: 'poor', samples: 4, good: 1, needsImprovement: 1, poor: 2 });
    expect(report.summary.vitals.find((v) => v.name === 'INP')).toMatchObject({ p75: null, samples: 0 });
  });

  it.each([
    [{ user: { id: 'u', email: 'a@b' } }, 'id:u'],
    [{ user: { email: 'A@b' } }, 'email:a@b'],
    [{ user: null, visitorId: 'v' }, 'visitor:v'],
    [{ user: null }, null],
  ])('user key of %j', (session, key) => expect(userKey(session)).toBe(key));
});

describe('vital summary of unsorted values', () => {
  it('selects the k-th smallest value as a sort places it, with many equal values or none', () => {
    let seed = 3;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const [n, spread] of [[1, 10], [2, 1], [7, 3], [100, 1], [1_000, 5], [1_000, 1e6], [5_000, 2]] as const) {
      const values = Float64Array.from({ length: n }, () => Math.floor(rand() * spread) + rand() * (spread > 100 ? 1 : 0));
      const sorted = values.slice().sort();
      for (const k of [0, n - 1, Math.ceil(n * 0.75) - 1, Math.floor(rand() * n)]) expect(selectKth(values.slice(), k)).toBe(sorted[k]);
    }
  });

  it('gives the same p75, rating and bands as the summary of the sorted values', () => {
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const names: VitalName[] = ['LCP', 'FCP', 'TTFB', 'FID', 'INP', 'CLS'];
    for (const name of names) {
      for (const n of [0, 1, 3, 4, 999, 4_000]) {
        // Values around the thresholds, exactly on them too.
        const scale = name === 'CLS' ? 0.3 : 5_000;
        const values = Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? Math.round(rand() * 4) * scale * 0.125 : rand() * scale));
        expect(vitalSummaryUnsorted(name, values.slice())).toEqual(vitalSummary(name, values.slice().sort()));
      }
    }
  });
});

describe('SortedValues', () => {
  it('keeps a sorted multiset through adds and removes, in any order', () => {
    const rand = (() => {
      let x = 7;
      return () => (x = (x * 48271) % 2147483647) / 2147483647;
    })();
    const set = new SortedValues();
    const reference: number[] = [];
    for (let step = 0; step < 400; step++) {
      if (reference.length && rand() < 0.4) {
        const value = reference.splice(Math.floor(rand() * reference.length), 1)[0]!;
        set.remove(value);
      } else {
        const value = Math.floor(rand() * 20);
        reference.push(value);
        set.add(value);
      }
      if (step % 7 === 0) expect(set.values()).toEqual([...reference].sort((a, b) => a - b));
    }
    set.remove(999);
    expect(set.values()).toEqual([...reference].sort((a, b) => a - b));
  });

  it('puts a few values added to a large set in their places (a live update)', () => {
    const set = new SortedValues();
    const reference = Array.from({ length: 2_000 }, (_, i) => (i * 7919) % 1000);
    reference.forEach((v) => set.add(v));
    expect(set.values()).toEqual([...reference].sort((a, b) => a - b));
    for (const v of [-5, 500, 500.5, 2_000]) {
      set.add(v);
      reference.push(v);
    }
    set.remove(3);
    reference.splice(reference.indexOf(3), 1);
    expect(set.values()).toEqual([...reference].sort((a, b) => a - b));
  });
});

describe('KPI accumulator live updates', () => {
  it('a session updated with the same or with new vitals gives the report of its last version', async () => {
    const { createKpiAccumulator } = await import('./kpis');
    const others = Array.from({ length: 300 }, (_, i) =>
      makeSession({ id: `o${i}`, vitals: { LCP: { value: 1000 + i * 10, time: 1 } } }),
    );
    const live = makeSession({ id: 'live', vitals: { LCP: { value: 9000, time: 1 } } });
    const updated = createKpiAccumulator();
    for (const s of [...others, live]) updated.put(s);
    updated.summary();
    updated.put({ ...live, counts: { ...live.counts, actions: 5 } }); // same vitals
    const last = { ...live, counts: { ...live.counts, actions: 6 }, vitals: { LCP: { value: 1500, time: 2 } } };
    updated.put(last); // new vitals
    const fresh = createKpiAccumulator();
    for (const s of [...others, last]) fresh.put(s);
    expect(updated.summary()).toEqual(fresh.summary());
  });
});

describe('createLiveKpis', () => {
  it('follows puts, removals and a moving now to the same report as computing from scratch', async () => {
    const { createLiveKpis } = await import('./kpis');
    const { kpisOver: answerKpis } = await import('./answerOver');
    const NOW = Date.UTC(2025, 11, 10, 12);
    const H = 3_600_000;
    const all = [0.5, 23.9, 24.1, 47.9, 48.5, 3].map((hours, i) =>
      makeSession({ id: `s${i}`, startedAt: NOW - hours * H, lastEventAt: NOW - hours * H + 60_000, counts: { ...makeSession().counts, views: i + 1, errors: i % 2 } }),
    );
    const range = { preset: '24h' as const };
    // kpisOver adds the latest version change (over all sessions, not the KPIs'): compared without it.
    const kpisOver = async (...args: Parameters<typeof answerKpis>) => {
      const { versionChange: _change, ...report } = await answerKpis(...args);
      return report;
    };
    const live = createLiveKpis(range, () => true, {}, NOW);
    for (const s of all) live.put(s);
    expect(live.report()).toEqual(await kpisOver(all, { time: range }, {}, NOW));
    const later = NOW + 0.2 * H; // s1 leaves the current day for the previous one, s3 leaves the previous one
    live.advance(later, (from, to) => all.filter((s) => s.startedAt >= from && s.startedAt < to));
    expect(live.report()).toEqual(await kpisOver(all, { time: range }, {}, later));
    live.remove('s0');
    expect(live.report()).toEqual(await kpisOver(all.slice(1), { time: range }, {}, later));
  });
});
