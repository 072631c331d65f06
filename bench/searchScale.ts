/**
 * `npx tsx bench/searchScale.ts [--sessions 10000,100000] [--runs N]` — search at scale, in Node over synthetic
 * sessions (the same shapes as bench/dashboardLogic.ts): what one keystroke costs before and after the search
 * index answered the filter from its term postings and moved to the panel host's Worker.
 *
 * - before: the panel page asked the ranked search for every session id four times per keystroke (list, count,
 *   facet counts, KPIs: `search({ limit: Infinity })`) plus once for the hits, all on its main thread;
 * - after: the Worker answers the ids once from the postings (memoised for the other three) and the hits once; the
 *   page's main thread only receives the answers (structured clone of the id list, measured here).
 * `--before-queries N` measures "before" for the first N queries only.
 * A benchmark, not a test: medians and [min–max] over the runs; it never fails.
 */
import { SCHEMA_VERSION, type RumEvent, type StoredEvent } from '../sdk/schema';
import { createSearchIndex } from '../panel/dashboard/searchIndex';
import { picker, rng } from './rng';

const argText = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const SIZES = argText('sessions', '10000,100000').split(',').map(Number);
const RUNS = Number(argText('runs', '3'));
/** The "before" column only for the first N queries (it takes minutes at 100,000 sessions). */
const BEFORE_QUERIES = Number(argText('before-queries', '5'));

const rand = rng(7);
const pick = picker(rand);
const PAGES = ['/', '/cart', '/checkout', '/product/42', '/search', '/account', '/login', '/help'];
const ACTIONS = ['Add to cart', 'Checkout', 'Sign in', 'Search', 'Open menu', 'Pay'];
const ERRORS = ["TypeError: Cannot read properties of undefined (reading 'id')", 'ReferenceError: foo is not defined', 'Payment declined'];

function eventsOf(id: string): StoredEvent[] {
  const site = pick(['https://shop.test', 'https://admin.test']);
  const base = { time: 0, tz: 0, viewId: 'v' };
  const out: RumEvent[] = [];
  for (let i = 0; i < 1 + Math.floor(rand() * 8); i++) out.push({ ...base, type: 'view', url: `${site}${pick(PAGES)}?p=${i}`, referrer: '', title: '', navigation: 'push', loadingTime: null });
  for (let i = 0; i < Math.floor(rand() * 5); i++) out.push({ ...base, type: 'action', action: 'click', name: pick(ACTIONS), selector: `button#b${i}`, x: 0, y: 0, rage: false, dead: false, errorClick: false });
  if (rand() < 0.15) out.push({ ...base, type: 'error', source: 'uncaught', errorType: 'Error', message: pick(ERRORS), stack: null, frames: [] });
  out.push({ ...base, type: 'api', via: 'fetch', method: 'POST', url: `${site}/api/${pick(['pay', 'cart', 'search'])}`, status: pick([200, 200, 500]), duration: 10, requestSize: null, responseSize: null, timing: null });
  return out.map((e, seq) => ({ ...e, sessionId: id, loadId: 'l', seq, tabId: 1, frameId: 0, schema: SCHEMA_VERSION }));
}

function time(fn: () => unknown, runs = RUNS): { median: number; min: number; max: number } {
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)]!, min: ms[0]!, max: ms.at(-1)! };
}
const fmt = (t: { median: number; min: number; max: number }) => `${t.median.toFixed(1)} ms [${t.min.toFixed(1)}–${t.max.toFixed(1)}]`;

console.log(`Node ${process.version}, ${RUNS} runs each`);
console.log('| sessions | query | matching sessions | before: page main thread per keystroke | after: Worker, ids (postings) | after: Worker, ranked hits (1,000, 8 with snippets) | after: page main thread (receive ids) |');
console.log('|---|---|---|---|---|---|---|');
for (const size of SIZES) {
  const index = createSearchIndex();
  const started = performance.now();
  for (let i = 0; i < size; i++) index.addEvents(`s${i}`, eventsOf(`s${i}`));
  const buildMs = performance.now() - started;
  for (const [n, q] of ['checkout', 'chec', 'declined', 'api pay 500', 'button#b3 pay'].entries()) {
    const ids = index.sessionIds(q);
    const before = n >= BEFORE_QUERIES ? null : time(() => {
      for (let k = 0; k < 4; k++) index.search({ text: q, limit: Infinity, snippets: 0 });
      index.search({ text: q, limit: 1_000, snippets: 8 });
    }, Math.min(RUNS, 2));
    const afterIds = time(() => index.sessionIds(q));
    const afterHits = time(() => index.search({ text: q, limit: 1_000, snippets: 8 }));
    const list = [...ids];
    const receive = time(() => structuredClone(list));
    console.log(`| ${size.toLocaleString('en-US')} | "${q}" | ${ids.size.toLocaleString('en-US')} | ${before ? fmt(before) : 'not run'} | ${fmt(afterIds)} | ${fmt(afterHits)} | ${fmt(receive)} |`);
  }
  const live = time(() => index.addEvents('s3', [{ time: 0, tz: 0, viewId: 'v', type: 'view', url: `https://shop.test/new/${Math.random()}`, referrer: '', title: '', navigation: 'push', loadingTime: null }]), 20);
  console.log(`\n${size.toLocaleString('en-US')} sessions: index build ${(buildMs / 1000).toFixed(1)} s in the Worker (${index.textCount.toLocaleString('en-US')} texts); one new event indexed live ${fmt(live)}\n`);
}
