import { describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../sdk/schema';
import { makeSession } from '../../tests/unit/support/sessionFixtures';
import { cohortsBy, deviceKey, novelSessions, returningSessions, segmentPerformance } from './cohorts';
import { matchesFilter } from './filter';
import { latestVersionChange, qualityViews } from './qualityViews';
import { cohortsOver } from './answerOver';

const DAY = 24 * 3_600_000;
// Monday 1 December 2025, 12:00 UTC.
const MON = Date.UTC(2025, 11, 1, 12);

function s(id: string, at: number, o: Partial<SessionRecord> & { errors?: number } = {}): SessionRecord {
  const { errors = 0, ...rest } = o;
  const x = makeSession({ id, startedAt: at, lastEventAt: at + 60_000, ...rest });
  return { ...x, counts: { ...x.counts, errors, views: 1 } };
}

describe('cohorts', () => {
  it('by version, newest version first', () => {
    const sessions = [
      s('a', MON, { app: { service: null, env: null, version: '1.0' } }),
      s('b', MON + DAY, { app: { service: null, env: null, version: '1.1' }, errors: 1 }),
      s('c', MON + 2 * DAY, { app: { service: null, env: null, version: '1.1' } }),
    ];
    expect(cohortsBy(sessions, 'version').map((c) => [c.key, c.label, c.kpis.totalSessions, c.kpis.errorRate])).toEqual([
      ['1.1', 'Version 1.1', 2, 0.5],
      ['1.0', 'Version 1.0', 1, 0],
    ]);
  });

  it.each([
    [0, ['weekday', 'weekday', 'weekday', 'weekday', 'weekday', 'weekend', 'weekend']],
    // 23:00 on Sunday in UTC is already Monday in India; 11:00 Saturday UTC is still Saturday.
    [330, ['weekday', 'weekday', 'weekday', 'weekday', 'weekday', 'weekend', 'weekend']],
  ])('weekday vs weekend at offset %d', (offset, kinds) => {
    const week = Array.from({ length: 7 }, (_, i) => s(`d${i}`, MON + i * DAY));
    const cohorts = cohortsBy(week, 'weekday', { tzOffsetMinutes: offset });
    const byId = new Map<string, string>();
    for (let i = 0; i < 7; i++) byId.set(`d${i}`, cohortsBy([week[i]!], 'weekday', { tzOffsetMinutes: offset })[0]!.key);
    expect([...byId.values()]).toEqual(kinds);
    expect(cohorts.map((c) => [c.key, c.kpis.totalSessions])).toEqual([
      ['weekday', 5],
      ['weekend', 2],
    ]);
    const sundayLate = s('x', Date.UTC(2025, 11, 7, 23), {});
    expect(cohortsBy([sundayLate], 'weekday', { tzOffsetMinutes: offset })[0]!.key).toBe(offset === 0 ? 'weekend' : 'weekday');
  });

  it('new vs returning users by visitor id, with earlier sessions as history only', () => {
    const sessions = [
      s('old', MON - 10 * DAY, { visitorId: 'v1' }),
      s('back', MON, { visitorId: 'v1' }),
      s('first', MON + 1, { visitorId: 'v2' }),
      s('again', MON + 2, { visitorId: 'v2' }),
      s('anon', MON + 3),
    ];
    expect(returningSessions(sessions).returning).toEqual(new Set(['back', 'again']));
    const cohorts = cohortsBy(sessions, 'userType', { include: (x) => x.startedAt >= MON });
    expect(cohorts.map((c) => [c.key, c.kpis.totalSessions])).toEqual([
      ['new', 1],
      ['returning', 2],
      ['unknown', 1],
    ]);
  });

  it('by feature, from the sessions that used it', () => {
    const sessions = [s('a', MON), s('b', MON), s('c', MON, { errors: 2 })];
    const cohorts = cohortsBy(sessions, 'feature', { featureSessions: new Set(['c']), featureLabel: '/checkout' });
    expect(cohorts.map((c) => [c.label, c.kpis.totalSessions, c.kpis.errorRate])).toEqual([
      ['Used /checkout', 1, 1],
      ['Did not use /checkout', 2, 0],
    ]);
    expect(() => cohortsBy(sessions, 'feature')).toThrow(/featureSessions/);
  });
});

describe('segments', () => {
  it.each([
    ['country', ['India', 'France']],
    ['deviceType', ['Desktop', 'Mobile']],
    ['browser', ['Chrome', 'Firefox']],
    ['connection', ['4g', 'wifi']],
  ] as const)('Web Vitals p75 and error rate by %s', (dimension, order) => {
    const sessions = [
      s('a', MON, { errors: 1 }),
      s('b', MON),
      s('c', MON, { geo: { country: 'France', city: null, region: null }, deviceType: 'Mobile', browser: { name: 'Firefox', version: null }, effectiveType: null, connectionType: 'wifi' }),
    ];
    const lcp: Record<string, number> = { a: 1000, b: 3000, c: 4500 };
    const rows = segmentPerformance(sessions, dimension, (id) => ({ LCP: lcp[id]! }));
    expect(rows.map((r) => r.segment)).toEqual(order);
    expect(rows[0]).toMatchObject({ sessions: 2, errorRate: 0.5 });
    expect(rows[0]!.vitals.find((v) => v.name === 'LCP')).toMatchObject({ p75: 3000, rating: 'needs-improvement', samples: 2 });
    expect(rows[1]!.vitals.find((v) => v.name === 'LCP')).toMatchObject({ p75: 4500, rating: 'poor' });
  });
});

describe('new regions or devices', () => {
  const from = MON;
  const to = MON + 7 * DAY;
  const sessions = [
    s('history', from - 5 * DAY),
    s('too-old', from - 31 * DAY, { geo: { country: 'Peru', city: null, region: null } }),
    s('known', from + DAY),
    s('new-country', from + DAY, { geo: { country: 'Peru', city: null, region: null } }),
    s('new-device', from + DAY, { deviceType: 'Tablet', os: { name: 'iOS', version: null } }),
    s('no-country', from + DAY, { geo: { country: null, city: null, region: null } }),
    s('after', to, { geo: { country: 'Chile', city: null, region: null } }),
  ];
  it('marks sessions whose region or device was not seen in the 30 days before', () => {
    const n = novelSessions(sessions, from, to);
    expect(n.newRegion).toEqual(new Set(['new-country']));
    expect(n.newDevice).toEqual(new Set(['new-device']));
    expect(n.regions).toEqual(['Peru']);
    expect(n.devices).toEqual([deviceKey(sessions[4]!)]);
    expect(deviceKey(sessions[4]!)).toBe('Tablet · iOS · Chrome');
    const inView = sessions.filter((x) => matchesFilter(x, { novelty: 'region-or-device' }, to, n));
    expect(inView.map((x) => x.id)).toEqual(['new-country', 'new-device']);
  });
});

describe('quality views', () => {
  it('offers the spec views, the version one after a change', () => {
    const v = (version: string) => ({ service: null, env: null, version });
    const sessions = [s('a', MON, { app: v('1.0') }), s('b', MON + DAY, { app: v('1.1') }), s('c', MON + 2 * DAY, { app: v('1.0') })];
    expect(latestVersionChange(sessions)).toEqual({ version: '1.1', since: MON + DAY, previous: '1.0' });
    const views = qualityViews(sessions, { time: { preset: '7d' }, country: ['India'] });
    expect(views.map((x) => x.id)).toEqual(['high-errors', 'short', 'long', 'new-regions-devices', 'after-version-change']);
    expect(views.at(-1)!.filter).toEqual({ time: { preset: '7d' }, version: ['1.1'] });
    expect(views[0]!.filter).toEqual({ time: { preset: '7d' }, errors: { preset: 'many' } });
    expect(qualityViews([sessions[0]!]).map((x) => x.id)).not.toContain('after-version-change');
  });
});

describe('cohortsOver (what a source answers)', () => {
  const v = (version: string) => ({ service: null, env: null, version });
  const sessions = [
    // History before the range: the visitor's first session, in France.
    s('first-visit', MON - 3 * DAY, { visitorId: 'v1', app: v('1.0'), geo: { country: 'France', city: null, region: null } }),
    // In the range (the past 7 days before MON + 6 days): v1 returns; v2 is new; one with no visitor id.
    s('returning', MON + DAY, { visitorId: 'v1', app: v('1.1'), errors: 2, vitals: { LCP: { value: 3000, time: MON + DAY } } }),
    s('new', MON + 5 * DAY, { visitorId: 'v2', app: v('1.1'), vitals: { LCP: { value: 1000, time: MON + 5 * DAY } }, deviceType: 'Mobile' }),
    s('anonymous', MON + 2 * DAY, { app: v('1.0') }),
  ];
  const now = MON + 6 * DAY;
  const feature = (text: string) => new Set(text === 'checkout' ? ['new'] : []);

  it('new vs returning over the whole history, cohorts of the filtered sessions, segments with p75, novelty and the version change', async () => {
    const report = await cohortsOver(sessions, { time: { preset: '7d' } }, { feature: 'checkout' }, now, undefined, feature);
    const brief = (cohorts: { key: string; kpis: { totalSessions: number; errorRate: number | null } }[] | null) =>
      cohorts?.map((c) => [c.key, c.kpis.totalSessions, c.kpis.errorRate]);
    expect(brief(report.cohorts.userType)).toEqual([['new', 1, 0], ['returning', 1, 1], ['unknown', 1, 0]]);
    expect(brief(report.cohorts.version)).toEqual([['1.1', 2, 0.5], ['1.0', 1, 0]]);
    expect(brief(report.cohorts.feature)).toEqual([['with', 1, 0], ['without', 2, 0.5]]);
    // MON + DAY is a Tuesday, MON + 2 days a Wednesday, MON + 5 days a Saturday.
    expect(brief(report.cohorts.weekday)).toEqual([['weekday', 2, 0.5], ['weekend', 1, 0]]);
    expect(report.segments.deviceType.map((r) => [r.segment, r.sessions, r.vitals.find((x) => x.name === 'LCP')!.p75])).toEqual([
      ['Desktop', 2, 3000],
      ['Mobile', 1, 1000],
    ]);
    // The history's session was a Desktop in France: India and the Mobile are new.
    expect(report.novelty).toEqual({ regions: ['India'], devices: ['Mobile · Mac OS X · Chrome'] });
    expect(report.versionChange).toEqual({ version: '1.1', since: MON + DAY, previous: '1.0' });
    expect(qualityViews(report.versionChange, { time: { preset: '7d' } }).at(-1)!.filter).toEqual({ time: { preset: '7d' }, version: ['1.1'] });
  });

  it('without a feature or a range: no feature cohorts, no novelty; a filter narrows the cohorts, not the history', async () => {
    const report = await cohortsOver(sessions, { version: ['1.1'] }, {}, now);
    expect(report.cohorts.feature).toBeNull();
    expect(report.novelty).toBeNull();
    expect(report.cohorts.userType.map((c) => [c.key, c.kpis.totalSessions])).toEqual([['new', 1], ['returning', 1]]);
    await expect(cohortsOver(sessions, {}, { feature: 'x' }, now)).rejects.toThrow(/search index/);
  });
});
