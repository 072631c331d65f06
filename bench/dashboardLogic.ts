/**
 * `npx tsx bench/dashboardLogic.ts [--sessions N] [--search-sessions N] [--runs N]` — the dashboard's pure
 * logic over synthetic sessions in Node: applying each filter, counting the facets, the KPIs of 30 days
 * (from scratch and one live update), building the search index and answering searches. A benchmark, not a
 * test: it prints medians and [min–max] over the runs and never fails. The browser figures (IndexedDB,
 * first paint) are the panel benchmark's.
 */
import { SCHEMA_VERSION, type RumEvent, type SessionFilter, type SessionRecord, type StoredEvent } from '../sdk/schema';
import { createMatcher, facetCounts } from '../panel/dashboard/filter';
import { compareKpis, createKpiAccumulator } from '../panel/dashboard/kpis';
import { createSearchIndex, loadSearchIndex } from '../panel/dashboard/searchIndex';
import { columnFacetCounts, columnKpis, matchingRows } from '../panel/dashboard/columnAnswers';
import { createSessionColumns } from '../panel/dashboard/sessionColumns';
import { createLiveKpis } from '../panel/dashboard/kpis';
import { picker, rng } from './rng';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SESSIONS = arg('sessions', 100_000);
const SEARCH_SESSIONS = arg('search-sessions', 20_000);
const RUNS = arg('runs', 5);
const NOW = Date.UTC(2026, 0, 31);
const DAY = 86_400_000;

const rand = rng(42);
const pick = picker(rand);

const COUNTRIES = ['India', 'United States', 'United Kingdom', 'France', 'Germany', 'Brazil', 'Japan', null];
const CITIES = ['Mumbai', 'New York', 'London', 'Paris', 'Berlin', null];
const BROWSERS = ['Chrome', 'Firefox', 'Safari', 'Edge', 'Opera'];
const OSES = ['Windows', 'Mac OS X', 'Linux', 'iOS', 'Android'];
const DEVICES = ['Desktop', 'Mobile', 'Tablet'] as const;
const PAGES = ['/', '/cart', '/checkout', '/product/42', '/search', '/account', '/login', '/help'];
const ACTIONS = ['Add to cart', 'Checkout', 'Sign in', 'Search', 'Open menu', 'Pay'];
const ERRORS = ["TypeError: Cannot read properties of undefined (reading 'id')", 'ReferenceError: foo is not defined', 'Payment declined'];

function session(i: number): SessionRecord {
  const startedAt = NOW - Math.floor(rand() * 60 * DAY);
  const minutes = rand() < 0.3 ? rand() : rand() < 0.8 ? 1 + rand() * 9 : 10 + rand() * 50;
  const errors = rand() < 0.85 ? 0 : Math.floor(rand() * 15);
  return {
    id: `s${i}`,
    site: pick(['https://shop.test', 'https://admin.test']),
    visitorId: `v${Math.floor(rand() * SESSIONS * 0.6)}`,
    startedAt,
    lastEventAt: startedAt + minutes * 60_000,
    lastActivityAt: startedAt + minutes * 60_000,
    endedAt: null,
    endReason: null,
    tz: 0,
    user: rand() < 0.5 ? { email: `user${Math.floor(rand() * 5_000)}@example.com` } : null,
    global: {},
    app: { service: 'shop', env: pick(['production', 'staging', 'development']), version: pick(['1.0.0', '1.1.0', '1.2.0']) },
    browser: { name: pick(BROWSERS), version: '1' },
    os: { name: pick(OSES), version: '1' },
    deviceType: pick(DEVICES),
    screen: null,
    viewport: null,
    connectionType: null,
    effectiveType: pick(['4g', '3g', 'wifi']),
    language: 'en',
    timeZone: 'UTC',
    geo: { country: pick(COUNTRIES), city: pick(CITIES), region: null },
    counts: { events: 50, views: 1 + Math.floor(rand() * 8), actions: Math.floor(rand() * 20), errors, apiCalls: 3, resources: 10, longTasks: 0 },
    sampled: true,
    replay: false,
    pinned: 0,
    overheadMs: 0,
  };
}

function events(s: SessionRecord): StoredEvent[] {
  const out: RumEvent[] = [];
  const base = { time: s.startedAt, tz: 0, viewId: 'v' };
  for (let i = 0; i < s.counts.views; i++) out.push({ ...base, type: 'view', url: `${s.site}${pick(PAGES)}?p=${i}`, referrer: '', title: '', navigation: 'push', loadingTime: null });
  for (let i = 0; i < Math.min(5, s.counts.actions); i++) {
    out.push({ ...base, type: 'action', action: 'click', name: pick(ACTIONS), selector: `button#b${i}`, x: 0, y: 0, rage: false, dead: false, errorClick: false });
  }
  for (let i = 0; i < Math.min(3, s.counts.errors); i++) out.push({ ...base, type: 'error', source: 'uncaught', errorType: 'Error', message: pick(ERRORS), stack: null, frames: [] });
  out.push({ ...base, type: 'api', via: 'fetch', method: 'POST', url: `${s.site}/api/${pick(['pay', 'cart', 'search'])}`, status: pick([200, 200, 500]), duration: 10, requestSize: null, responseSize: null, timing: null });
  return out.map((e, seq) => ({ ...e, sessionId: s.id, loadId: 'l', seq, tabId: 1, frameId: 0, schema: SCHEMA_VERSION }));
}

function time(label: string, fn: () => unknown, runs = RUNS): void {
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)]!;
  console.log(`${label.padEnd(58)} ${median.toFixed(1).padStart(9)} ms  [${ms[0]!.toFixed(1)}–${ms.at(-1)!.toFixed(1)}]`);
}

const sessions = Array.from({ length: SESSIONS }, (_, i) => session(i));
console.log(`${SESSIONS.toLocaleString('en-US')} sessions, Node ${process.version}, ${RUNS} runs each`);

const FILTERS: [string, SessionFilter][] = [
  ['time: past 7 days', { time: { preset: '7d' } }],
  ['email contains', { userEmailContains: 'user12' }],
  ['errors > 5', { errors: { preset: 'many' } }],
  ['country India', { country: ['India'] }],
  ['browser + OS + device', { browser: ['Chrome'], os: ['Windows'], deviceType: ['Desktop'] }],
  ['duration long', { duration: { preset: 'long' } }],
  ['env + version + site', { env: ['production'], version: ['1.2.0'], site: ['https://shop.test'] }],
  ['all of them', { time: { preset: '30d' }, errors: { preset: 'some' }, country: ['India', 'France'], browser: ['Chrome'], duration: { preset: 'medium' } }],
];
for (const [label, filter] of FILTERS) time(`filter ${label}`, () => sessions.filter(createMatcher(filter, NOW)).length);
for (const [label, filter] of [FILTERS[0]!, FILTERS.at(-1)!]) time(`facetCounts with ${label}`, () => facetCounts(sessions, filter, NOW));

// The same questions over columns (what the extension's panel answers them with).
const byStart = [...sessions].sort((a, b) => a.startedAt - b.startedAt);
time('columns: build over every session', () => createSessionColumns(byStart));
const columns = createSessionColumns(byStart);
for (const [label, filter] of FILTERS) time(`columns: filter ${label}`, () => matchingRows(columns, filter, NOW).length);
for (const [label, filter] of [FILTERS[0]!, FILTERS.at(-1)!]) time(`columns: facetCounts with ${label}`, () => columnFacetCounts(columns, filter, NOW));
time('columns: KPIs of 30 days with the previous 30', () => columnKpis(columns, { time: { preset: '30d' } }, { tzOffsetMinutes: 330 }, NOW));
time('records: KPIs of 30 days with the previous 30 (createLiveKpis)', () => {
  const live = createLiveKpis({ preset: '30d' }, () => true, { tzOffsetMinutes: 330 }, NOW);
  for (const s of sessions) live.put(s);
  return live.report();
});
time('columns: one record changed (apply)', () => {
  const s = byStart[50_000 % byStart.length]!;
  columns.apply(new Map([[s.id, { ...s, counts: { ...s.counts, errors: s.counts.errors + 1 } }]]));
}, 50);

const inRange = sessions.filter(createMatcher({ time: { preset: '30d' } }, NOW));
time(`KPIs of 30 days from scratch (${inRange.length} sessions)`, () => {
  const acc = createKpiAccumulator();
  for (const s of inRange) acc.put(s, { LCP: s.counts.views * 400 });
  return acc.summary();
});
time('KPIs 30 days vs previous 30 (compareKpis)', () => compareKpis(sessions, { preset: '30d' }, NOW));
const live = createKpiAccumulator();
for (const s of inRange) live.put(s, { LCP: s.counts.views * 400 });
time('one live update (put + summary)', () => {
  const s = inRange[7]!;
  live.put({ ...s, counts: { ...s.counts, errors: s.counts.errors + 1 } }, { LCP: 1234 });
  return live.summary();
}, 50);

const searchSessions = sessions.slice(0, SEARCH_SESSIONS);
let index = createSearchIndex();
const built = performance.now();
for (const s of searchSessions) index.addEvents(s.id, events(s));
console.log(`${'search index build'.padEnd(58)} ${(performance.now() - built).toFixed(0).padStart(9)} ms  (${SEARCH_SESSIONS} sessions, ${index.textCount} texts)`);
for (const q of ['checkout', 'cannot read', 'declined', 'api pay 500', 'chec', 'button#b3 pay']) time(`search "${q}" (${index.sessionIds(q).size} sessions)`, () => index.search(q));
time('live addEvents (one new URL in a session)', () => index.addEvents('s3', [{ time: 0, tz: 0, viewId: 'v', type: 'view', url: `https://shop.test/new/${Math.random()}`, referrer: '', title: '', navigation: 'push', loadingTime: null }]), 50);
let json = '';
time('toJSON + stringify', () => (json = JSON.stringify(index.toJSON())), 3);
console.log(`${'serialized size'.padEnd(58)} ${(json.length / 1e6).toFixed(1).padStart(9)} MB`);
time('loadSearchIndex', () => (index = loadSearchIndex(json)), 3);
