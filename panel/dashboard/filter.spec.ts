import { describe, expect, it } from 'vitest';
import type { SessionFilter, SessionRecord } from '../../sdk/schema';
import { makeSession } from '../../tests/unit/support/sessionFixtures';
import { createFacetCounter, createMatcher, facetCounts, facetValue, isEmptyFilter, matchesFilter, rangeBounds } from './filter';
import { filterFromParams, filterToParams } from './filterParams';

const NOW = Date.UTC(2025, 11, 10, 12, 0, 0);
const MIN = 60_000;

function session(id: string, over: Partial<SessionRecord> & { ago?: number; minutes?: number; errors?: number } = {}): SessionRecord {
  const { ago = MIN, minutes = 2, errors = 0, ...rest } = over;
  const startedAt = NOW - ago;
  const base = makeSession({ id, startedAt, lastEventAt: startedAt + minutes * MIN });
  return { ...base, counts: { ...base.counts, errors }, ...rest };
}

describe('matchesFilter', () => {
  const s = session('a', {
    ago: 30 * MIN,
    minutes: 5,
    errors: 3,
    user: { email: 'Root@Example.com' },
    geo: { country: 'India', city: 'Mumbai', region: null },
    app: { service: 'shop', env: 'production', version: '2.1.0' },
  });
  it.each<[string, SessionFilter, boolean]>([
    ['empty filter', {}, true],
    ['past 15 min (started 30 min ago)', { time: { preset: '15m' } }, false],
    ['past hour', { time: { preset: '1h' } }, true],
    ['custom range containing the start', { time: { preset: 'custom', from: NOW - 31 * MIN, to: NOW - 29 * MIN } }, true],
    ['custom range ending at the start (end exclusive)', { time: { preset: 'custom', from: NOW - 40 * MIN, to: NOW - 30 * MIN } }, false],
    ['email substring, any case', { userEmailContains: 'root@EXAMPLE' }, true],
    ['other email', { userEmailContains: 'admin@' }, false],
    ['errors = 0', { errors: { preset: 'none' } }, false],
    ['errors > 0', { errors: { preset: 'some' } }, true],
    ['errors > 5', { errors: { preset: 'many' } }, false],
    ['errors > 10', { errors: { preset: 'critical' } }, false],
    ['errors custom 3..3', { errors: { preset: 'custom', min: 3, max: 3 } }, true],
    ['errors custom 4..', { errors: { preset: 'custom', min: 4, max: null } }, false],
    ['short', { duration: { preset: 'short' } }, false],
    ['medium (5 min)', { duration: { preset: 'medium' } }, true],
    ['long', { duration: { preset: 'long' } }, false],
    ['custom duration ..5 min', { duration: { preset: 'custom', minMs: null, maxMs: 5 * MIN } }, true],
    ['country India or France', { country: ['France', 'India'] }, true],
    ['country France', { country: ['France'] }, false],
    ['empty facet list = any', { country: [] }, true],
    ['city', { city: ['Mumbai'] }, true],
    ['browser', { browser: ['Chrome'] }, true],
    ['os', { os: ['Windows'] }, false],
    ['device type', { deviceType: ['Desktop'] }, true],
    ['environment', { env: ['production'] }, true],
    ['version', { version: ['2.0.0'] }, false],
    ['site', { site: ['http://127.0.0.1:5173'] }, true],
    ['exact email facet', { userEmail: ['Root@Example.com'] }, true],
    ['all combined', { time: { preset: '1h' }, errors: { preset: 'some' }, country: ['India'], env: ['production'] }, true],
    ['combined with one miss', { time: { preset: '1h' }, errors: { preset: 'some' }, country: ['India'], env: ['staging'] }, false],
  ])('%s', (_, filter, expected) => {
    expect(matchesFilter(s, filter, NOW)).toBe(expected);
    expect(createMatcher(filter, NOW)(s)).toBe(expected);
  });

  it.each<[number, 'short' | 'medium' | 'long']>([
    [59_999, 'short'],
    [60_000, 'medium'],
    [600_000, 'medium'],
    [600_001, 'long'],
  ])('duration %d ms is %s', (ms, preset) => {
    const x = { ...s, lastEventAt: s.startedAt + ms };
    for (const p of ['short', 'medium', 'long'] as const) expect(matchesFilter(x, { duration: { preset: p } }, NOW)).toBe(p === preset);
  });

  it.each<[number, string[]]>([
    [0, ['none']],
    [1, ['some']],
    [5, ['some']],
    [6, ['some', 'many']],
    [11, ['some', 'many', 'critical']],
  ])('%d errors match %j', (errors, presets) => {
    const x = { ...s, counts: { ...s.counts, errors } };
    const matched = (['none', 'some', 'many', 'critical'] as const).filter((preset) => matchesFilter(x, { errors: { preset } }, NOW));
    expect(matched).toEqual(presets);
  });

  it('takes search hits and novelty from the context, and says so when they are missing', () => {
    expect(matchesFilter(s, { search: 'checkout' }, NOW, { searchHits: new Set(['a']) })).toBe(true);
    expect(matchesFilter(s, { search: 'checkout' }, NOW, { searchHits: new Set(['b']) })).toBe(false);
    expect(() => matchesFilter(s, { search: 'checkout' }, NOW)).toThrow(/searchHits/);
    const context = { newRegion: new Set(['a']), newDevice: new Set<string>() };
    expect(matchesFilter(s, { novelty: 'region' }, NOW, context)).toBe(true);
    expect(matchesFilter(s, { novelty: 'device' }, NOW, context)).toBe(false);
    expect(matchesFilter(s, { novelty: 'region-or-device' }, NOW, context)).toBe(true);
    expect(() => matchesFilter(s, { novelty: 'region' }, NOW)).toThrow(/novelSessions/);
  });

  it('shows missing values as Unknown', () => {
    const bare = makeSession({ geo: { country: null, city: ' ', region: null }, app: { service: null, env: null, version: null }, deviceType: null });
    expect(facetValue(bare, 'country')).toBe('Unknown');
    expect(facetValue(bare, 'city')).toBe('Unknown');
    expect(facetValue(bare, 'userEmail')).toBe('Unknown');
    expect(facetValue(bare, 'deviceType')).toBe('Unknown');
    expect(facetValue({ ...bare, defaults: { user: null, env: 'qa', privacyLevel: 'mask' } }, 'env')).toBe('qa');
    expect(matchesFilter(bare, { city: ['Unknown'] }, NOW)).toBe(true);
  });

  it('bounds presets at now', () => {
    expect(rangeBounds({ preset: '24h' }, NOW)).toEqual({ from: NOW - 24 * 60 * MIN, to: NOW + 1 });
    expect(rangeBounds({ preset: 'custom', from: 1, to: 2 }, NOW)).toEqual({ from: 1, to: 2 });
  });
});

describe('facetCounts', () => {
  const sessions = [
    session('1', { ago: 5 * MIN, minutes: 0.5, errors: 0, browser: { name: 'Chrome', version: '1' } }),
    session('2', { ago: 50 * MIN, minutes: 3, errors: 2, browser: { name: 'Firefox', version: '1' } }),
    session('3', { ago: 5 * 60 * MIN, minutes: 20, errors: 7, browser: { name: 'Chrome', version: '1' }, geo: { country: 'France', city: 'Paris', region: null } }),
    session('4', { ago: 3 * 24 * 60 * MIN, minutes: 5, errors: 12, browser: { name: 'Safari', version: '1' }, deviceType: 'Mobile' }),
  ];

  /** Independent reference: count by brute force with the facet's own selection removed. */
  function reference(filter: SessionFilter, key: 'browser' | 'country') {
    const others = { ...filter, [key]: undefined };
    const counts = new Map<string, number>();
    for (const s of sessions.filter((s) => matchesFilter(s, others, NOW))) counts.set(facetValue(s, key), (counts.get(facetValue(s, key)) ?? 0) + 1);
    return Object.fromEntries(counts);
  }

  it.each<[string, SessionFilter]>([
    ['no filter', {}],
    ['browser selected', { browser: ['Chrome'] }],
    ['browser and country', { browser: ['Chrome'], country: ['India'] }],
    ['time and errors', { time: { preset: '6h' }, errors: { preset: 'some' } }],
    ['everything excluded', { browser: ['Opera'], country: ['Peru'] }],
  ])('counts each facet with the other facets applied: %s', (_, filter) => {
    const counts = facetCounts(sessions, filter, NOW);
    for (const key of ['browser', 'country'] as const) {
      expect(Object.fromEntries(counts.facets[key].map((v) => [v.value, v.count]))).toEqual(reference(filter, key));
    }
    expect(counts.total).toBe(sessions.filter((s) => matchesFilter(s, filter, NOW)).length);
  });

  it('counts time presets, error and duration buckets', () => {
    const counts = facetCounts(sessions, { browser: ['Chrome'] }, NOW);
    expect(counts.facets.browser).toEqual([
      { value: 'Chrome', count: 2 },
      { value: 'Firefox', count: 1 },
      { value: 'Safari', count: 1 },
    ]);
    expect(counts.time).toEqual({ '15m': 1, '1h': 1, '6h': 2, '24h': 2, '7d': 2, '30d': 2 });
    expect(counts.errors).toEqual({ none: 1, some: 1, many: 1, critical: 0 });
    expect(counts.duration).toEqual({ short: 1, medium: 0, long: 1 });
    const all = facetCounts(sessions, { errors: { preset: 'none' } }, NOW);
    expect(all.errors).toEqual({ none: 1, some: 3, many: 2, critical: 1 });
    expect(all.total).toBe(1);
  });
});

describe('filter URL parameters', () => {
  it.each<[string, SessionFilter]>([
    ['empty', {}],
    ['preset range', { time: { preset: '7d' } }],
    ['custom range', { time: { preset: 'custom', from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 0, 2) } }],
    ['error presets', { errors: { preset: 'critical' } }],
    ['error range', { errors: { preset: 'custom', min: 2, max: null } }],
    ['duration preset', { duration: { preset: 'long' } }],
    ['duration range', { duration: { preset: 'custom', minMs: 60_000, maxMs: 300_000 } }],
    ['error range with no bound yet', { errors: { preset: 'custom', min: null, max: null } }],
    ['duration range with no bound yet', { duration: { preset: 'custom', minMs: null, maxMs: null } }],
    ['error range up to 0', { errors: { preset: 'custom', min: null, max: 0 } }],
    [
      'facets and text',
      { userEmailContains: 'a@b', country: ['India', 'France'], deviceType: ['Tablet'], site: ['https://x.test'], novelty: 'device', search: 'pay failed' },
    ],
  ])('round-trips %s', (_, filter) => {
    const params = new URLSearchParams(filterToParams(filter).toString());
    expect(filterFromParams(params)).toEqual({ filter, issues: [] });
  });

  it.each([
    ['range=2y', /range/],
    ['range=custom&from=2025-01-02&to=2025-01-01', /from < to/],
    ['errors=lots', /errors/],
    ['errors=7-3', /errors/],
    ['duration=forever', /duration/],
    ['novelty=new', /novelty/],
  ])('reports %s and leaves it out', (query, issue) => {
    const parsed = filterFromParams(new URLSearchParams(query + '&country=India&tabId=3'));
    expect(parsed.filter).toEqual({ country: ['India'] });
    expect(parsed.issues).toEqual([expect.stringMatching(issue)]);
  });

  it('knows an empty filter', () => {
    expect(isEmptyFilter({})).toBe(true);
    expect(isEmptyFilter({ country: [], search: '' })).toBe(true);
    expect(isEmptyFilter({ country: ['India'] })).toBe(false);
  });
});

describe('createFacetCounter', () => {
  it('follows puts, replacements and removals to the same counts as counting from scratch', () => {
    const filter: SessionFilter = { browser: ['Chrome'], errors: { preset: 'some' } };
    const all = [
      session('1', { errors: 1 }),
      session('2', { errors: 0, browser: { name: 'Firefox', version: '1' } }),
      session('3', { errors: 4, geo: { country: 'France', city: null, region: null } }),
      session('4', { errors: 2, browser: { name: 'Safari', version: '1' } }),
    ];
    const counter = createFacetCounter(filter, NOW);
    for (const s of all) counter.put(s);
    expect(counter.counts()).toEqual(facetCounts(all, filter, NOW));
    const changed = { ...all[1]!, counts: { ...all[1]!.counts, errors: 3 } };
    counter.put(changed);
    counter.remove('3');
    counter.remove('missing');
    const now = [all[0]!, changed, all[3]!];
    expect(counter.counts()).toEqual(facetCounts(now, filter, NOW));
    for (const s of now) counter.remove(s.id);
    expect(counter.counts()).toEqual(facetCounts([], filter, NOW));
  });
});

describe('createFacetCounter as time moves', () => {
  it('after advance, counts what counting from scratch at the new now counts (sessions crossing every preset and the filter range)', () => {
    const filter: SessionFilter = { time: { preset: '1h' }, errors: { preset: 'some' } };
    // Starts just inside each bound at NOW, so moving on by 2 minutes takes them across it; one starts after NOW.
    const all = [
      session('in-15m', { ago: 14 * MIN, errors: 1 }),
      session('in-1h', { ago: 59 * MIN, errors: 2 }),
      session('in-6h', { ago: 6 * 60 * MIN - MIN }),
      session('in-24h', { ago: 24 * 60 * MIN - MIN, errors: 1 }),
      session('old', { ago: 40 * 24 * 60 * MIN }),
      session('later', { ago: -MIN, errors: 3 }),
    ];
    const startedIn = (from: number, to: number) => all.filter((s) => s.startedAt >= from && s.startedAt < to);
    const counter = createFacetCounter(filter, NOW);
    for (const s of all) counter.put(s);
    expect(counter.counts()).toEqual(facetCounts(all, filter, NOW));
    const later = NOW + 2 * MIN;
    counter.advance(later, startedIn);
    const expected = facetCounts(all, filter, later);
    expect(counter.counts()).toEqual(expected);
    expect(expected).not.toEqual(facetCounts(all, filter, NOW)); // sessions did cross bounds
    // Removing after the move subtracts what each session counted for.
    for (const s of all) counter.remove(s.id);
    expect(counter.counts()).toEqual(facetCounts([], filter, later));
  });
});
