/**
 * Panel cost (issue: "the open Sessions panel costs almost nothing while you browse"): main-thread CPU of the
 * Sessions panel page per 10 s, with 1,000 / 10,000 / 100,000 sessions stored, while a page records 10
 * events a second, while the panel is hidden, and while nothing is recorded. Two peers in the same run:
 *   - `subject`: the working tree's build (RUMSCOPE_DIST, built by bench/run.ts);
 *   - `landed`: the landed build (git ref `main` by default, `--landed-ref`), built here from `git archive`.
 *
 * One Chromium per peer (the built extension, a release build, loaded). Sessions are seeded by cloning the
 * recorded page's session record in IndexedDB from the extension's service worker (ids and start times changed,
 * older than the live one, `bytes` small so retention keeps them). The panel is opened as a tab on the recording tab (`?tabId=`),
 * as the popup's "Open Sessions" does. CPU is CDP threadTicks ScriptDuration / TaskDuration of the panel
 * page's main thread (bench/measure.ts). Extension pages share one renderer main thread: while the panel is
 * measured it is the only extension page open; everything the bench does in the extension (seeding, reading
 * counts, the `direct` writer, telling the panel it is hidden) runs in the service worker, on its own thread.
 * "Hidden": the panel is told it is hidden the way DevTools tells it
 * (the DevTools page's shown/hidden notice) and its document is hidden (another tab in front, where the
 * browser supports it); the landed build has neither signal, so it is measured in the same state.
 *
 * Options: --writer clicks|direct (default clicks: the background stores what the page records; direct: 10
 * writes/s from the service worker, announced on Dexie's channel, for when the background cannot keep up);
 * --sizes 1000,10000,100000; --landed-sizes 1000,10000 (the landed panel renders every row, and at
 * 100,000 takes minutes and gigabytes; add 100000 to try); --landed-ref main; --window-ms 10000; --rounds 3 (the
 * three windows repeated on the same stored sessions; the report adds medians and ranges); --landed-sizes 0 measures
 * the subject alone (nothing built for the landed peer); --trace DIR writes a Chrome trace of each size's last
 * recording window (bench/traceSummary.ts sums it by activity).
 */
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { launchChromium, type ChromiumWithExtension } from '../tests/e2e/support/chromium';
import { buildRef } from './buildRef';
import { cpuDelta, openMeter, summarize, type CpuSample } from './measure';

const root = resolve(import.meta.dirname, '..');
const log = (message: string) => process.stderr.write(message + '\n');
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}
const list = (value: string | undefined, fallback: number[]) => (value ? value.split(',').map(Number).filter((n) => n > 0) : fallback);

const TARGET_PCT_RECORDING = 2;
/** --rounds N: the three windows taken N times per size (same stored sessions, same panel); the summary gives medians and ranges. */
const ROUNDS = Math.max(1, Number(option('--rounds') ?? 3));

interface PeerBuild {
  name: 'subject' | 'landed';
  description: string;
  /** RUMSCOPE_DIST for it, relative to the repo. */
  dist: string;
  sizes: number[];
}

interface Row {
  peer: string;
  sessions: number;
  state: 'recording' | 'hidden, recording' | 'idle';
  cpu: CpuSample | null;
  windowMs: number;
  /** Actions stored during the window. */
  recorded?: number;
  /** 1-based: the three windows are taken `--rounds` times on the same stored sessions. */
  round?: number;
  note?: string;
}

/** --trace DIR: a Chrome trace of the panel page during the last round's recording window of each size and a JS CPU profile beside it (`.cpuprofile`; open either in DevTools' Performance panel). */
const TRACE_DIR = option('--trace');

/** Starts a trace on the page's CDP session; the returned function ends it and writes it to `path`. */
async function startTrace(page: Page): Promise<(path: string) => Promise<string>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink.user_timing', 'v8'] },
  });
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return async (path) => {
    const { profile } = await cdp.send('Profiler.stop');
    const done = new Promise<string>((ok) => cdp.once('Tracing.tracingComplete', (e) => ok(e.stream!)));
    await cdp.send('Tracing.end');
    const stream = await done;
    let text = '';
    for (;;) {
      const chunk = await cdp.send('IO.read', { handle: stream });
      text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString('utf8') : chunk.data;
      if (chunk.eof) break;
    }
    await cdp.send('IO.close', { handle: stream });
    await cdp.detach().catch(() => {});
    await mkdir(resolve(path, '..'), { recursive: true });
    await writeFile(path, text);
    await writeFile(path.replace(/\.json$/, '.cpuprofile'), JSON.stringify(profile));
    return path;
  };
}

// ---------- the recorded page ----------

/** The recorded page: one button. The bench clicks it 10 times a second (trusted clicks: 10 `action` events/s). */
export function startSite() {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/ping') return void res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end('{}');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!doctype html><title>panel bench</title><button id="add" style="width:200px;height:60px">Add to cart</button>
      <output id="n">0</output><script>document.getElementById('add').onclick = () => document.getElementById('n').textContent++;</script>`);
  });
  return new Promise<{ origin: string; close: () => Promise<void> }>((ok) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      ok({ origin: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) });
    }),
  );
}

// ---------- in the extension's service worker ----------

/**
 * Clones `template` into the sessions store until it holds `total` sessions (runs in the service worker).
 * Written behind the extension's back, so the running storage totals it may keep (meta `totals`) are
 * dropped: the extension counts them again, once, as it does after an upgrade.
 */
export async function seedSessionsInExtension(args: { total: number; chunk: number }): Promise<number> {
  const open = indexedDB.open('rumscope');
  const db: IDBDatabase = await new Promise((ok, ko) => {
    open.onsuccess = () => ok(open.result);
    open.onerror = () => ko(open.error);
  });
  const request = <T>(r: IDBRequest<T>) => new Promise<T>((ok, ko) => ((r.onsuccess = () => ok(r.result)), (r.onerror = () => ko(r.error))));
  try {
    const all = (await request(db.transaction('sessions').objectStore('sessions').getAll())) as { id: string; startedAt: number }[];
    const template = all.reduce((a, b) => (b.startedAt > a.startedAt ? b : a));
    let count = all.length;
    let i = count;
    while (count < args.total) {
      const tx = db.transaction('sessions', 'readwrite');
      const store = tx.objectStore('sessions');
      const n = Math.min(args.chunk, args.total - count);
      for (let k = 0; k < n; k++, i++) {
        const startedAt = template.startedAt - 60_000 - i * 2_000; // older than the live session, within days
        store.put({
          ...template,
          id: `bench-${i}`,
          startedAt,
          lastEventAt: startedAt + 30_000 + (i % 600) * 1_000,
          lastActivityAt: startedAt + 30_000,
          endedAt: startedAt + 40_000,
          endReason: 'inactivity',
          counts: { ...(template as unknown as { counts: object }).counts, errors: i % 7 },
          bytes: 1_000,
        });
      }
      await new Promise((ok, ko) => ((tx.oncomplete = ok), (tx.onerror = () => ko(tx.error))));
      count += n;
    }
    if (db.objectStoreNames.contains('meta')) {
      const tx = db.transaction('meta', 'readwrite');
      tx.objectStore('meta').delete('totals');
      await new Promise((ok, ko) => ((tx.oncomplete = ok), (tx.onerror = () => ko(tx.error))));
    }
    return count;
  } finally {
    db.close();
  }
}

/** Tells the panel it is hidden or shown, as the DevTools page does (runs in the service worker). */
function tellPanelInExtension(args: { tabId: number; shown: boolean }) {
  const channel = new BroadcastChannel(`rumscope-sessions-panel-${args.tabId}`);
  channel.postMessage({ shown: args.shown });
  channel.close();
}

// ---------- one peer ----------

/**
 * `--writer direct`: 10 writes a second made in the service worker, as the background makes them (the live
 * session's counts and one event), announced on Dexie's own cross-page channel the way Dexie announces the
 * background's writes. The panel then sees a steady 10 changes a second whatever the background's throughput.
 */
async function startDirectWrites(inWorker: InWorker): Promise<() => Promise<void>> {
  await inWorker(() => {
    const state = globalThis as unknown as { __benchWriter?: ReturnType<typeof setInterval> };
    const open = indexedDB.open('rumscope');
    open.onsuccess = () => {
      const db = open.result;
      const channel = new BroadcastChannel('x-storagemutated-1');
      let seq = 1_000_000;
      state.__benchWriter = setInterval(() => {
        const tx = db.transaction(['sessions', 'events'], 'readwrite');
        const cursor = tx.objectStore('sessions').index('startedAt').openCursor(null, 'prev');
        cursor.onsuccess = () => {
          const session = cursor.result?.value;
          if (!session) return;
          const time = Date.now();
          session.counts.actions++;
          session.counts.events++;
          session.lastEventAt = session.lastActivityAt = time;
          cursor.result!.update(session);
          const event = { type: 'action', action: 'click', name: 'Add to cart', selector: '#add', x: 1, y: 1, rage: false, dead: false, errorClick: false,
            time, tz: 0, viewId: 'bench', sessionId: session.id, loadId: 'bench-writer', seq: seq++, tabId: -1, frameId: 0, schema: 1 };
          tx.objectStore('events').put(event);
          tx.oncomplete = () =>
            channel.postMessage({
              'idb://rumscope/sessions/': { d: 1, from: session.id, to: session.id },
              'idb://rumscope/events/': { d: 1, from: [event.loadId, event.seq], to: [event.loadId, event.seq] },
              'idb://rumscope/events/[sessionId+time]': { d: 1, from: [session.id, time], to: [session.id, time] },
            });
        };
      }, 100);
    };
  });
  return async () => {
    await inWorker(() => clearInterval((globalThis as unknown as { __benchWriter?: ReturnType<typeof setInterval> }).__benchWriter));
  };
}

/** Clicks the page's button every 100 ms (from Node, over CDP: not on the panel's thread) until stopped. */
function startClicking(page: Page): () => Promise<void> {
  let on = true;
  const loop = (async () => {
    while (on) {
      const next = Date.now() + 100;
      await page.mouse.click(100, 30).catch(() => {});
      await sleep(Math.max(0, next - Date.now()));
    }
  })();
  return async () => {
    on = false;
    await loop;
  };
}

async function panelPath(dist: string): Promise<string> {
  const chrome = join(root, dist, 'chrome');
  if (existsSync(join(chrome, 'extension/panelHost/index.html'))) return 'extension/panelHost/index.html';
  if (existsSync(join(chrome, 'panel/index.html'))) return 'panel/index.html';
  throw new Error(`no Sessions panel page in ${dist}`);
}

/** Runs a function in the extension's current service worker (it may have been restarted since the last call). */
type InWorker = <R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A) => Promise<R>;

export function workerRunner(browser: ChromiumWithExtension): InWorker {
  const ready = new WeakSet<Worker>();
  return async (fn, arg) => {
    const worker = await browser.worker();
    if (!ready.has(worker)) {
      // tsx (esbuild keepNames) wraps named inner functions in __name(): give evaluated functions one.
      await worker.evaluate('globalThis.__name ??= (fn) => fn');
      ready.add(worker);
    }
    return worker.evaluate(fn as (arg: unknown) => never, arg);
  };
}

export async function tabIdOf(inWorker: InWorker, url: string): Promise<number> {
  return inWorker(async (u: string) => (await chrome.tabs.query({})).find((t) => t.url === u)?.id ?? -1, url);
}

/** Actions stored in the newest session (the recorded page's). */
async function liveActions(inWorker: InWorker): Promise<number> {
  return inWorker(async () => {
    const open = indexedDB.open('rumscope');
    const db: IDBDatabase = await new Promise((ok, ko) => ((open.onsuccess = () => ok(open.result)), (open.onerror = () => ko(open.error))));
    const r = db.transaction('sessions').objectStore('sessions').index('startedAt').openCursor(null, 'prev');
    const n = await new Promise<number>((ok, ko) => ((r.onsuccess = () => ok(r.result?.value?.counts?.actions ?? 0)), (r.onerror = () => ko(r.error))));
    db.close();
    return n;
  });
}

export async function storedSessions(inWorker: InWorker): Promise<number> {
  return inWorker(async () => {
    const open = indexedDB.open('rumscope');
    const db: IDBDatabase = await new Promise((ok, ko) => ((open.onsuccess = () => ok(open.result)), (open.onerror = () => ko(open.error))));
    const r = db.transaction('sessions').objectStore('sessions').count();
    const n = await new Promise<number>((ok, ko) => ((r.onsuccess = () => ok(r.result)), (r.onerror = () => ko(r.error))));
    db.close();
    return n;
  });
}

/** Sessions the extension's storage figures count (meta `usage`), or -1 when it has none yet. */
async function countedSessions(inWorker: InWorker): Promise<number> {
  return inWorker(async () => {
    const open = indexedDB.open('rumscope');
    const db: IDBDatabase = await new Promise((ok, ko) => ((open.onsuccess = () => ok(open.result)), (open.onerror = () => ko(open.error))));
    if (!db.objectStoreNames.contains('meta')) return db.close(), -1;
    const r = db.transaction('meta').objectStore('meta').get('usage');
    const n = await new Promise<number>((ok, ko) => ((r.onsuccess = () => ok(r.result?.value?.sessions ?? -1)), (r.onerror = () => ko(r.error))));
    db.close();
    return n;
  });
}

async function measurePeer(peer: PeerBuild, site: string, windowMs: number): Promise<Row[]> {
  const rows: Row[] = [];
  const previous = process.env.RUMSCOPE_DIST;
  process.env.RUMSCOPE_DIST = peer.dist;
  let browser: ChromiumWithExtension | undefined;
  try {
    browser = await launchChromium({ release: true });
    const context: BrowserContext = browser.context;
    const path = await panelPath(peer.dist);
    const inWorker = workerRunner(browser);
    const recorded = context.pages()[0] ?? (await context.newPage());
    const pageUrl = `${site}/?peer=${peer.name}`;
    await recorded.goto(pageUrl);
    const tabId = await tabIdOf(inWorker, pageUrl);
    const deadline = Date.now() + 30_000;
    while ((await storedSessions(inWorker)) < 1) {
      if (Date.now() > deadline) throw new Error(`${peer.name}: the bench page was not recorded`);
      await sleep(250);
    }
    for (const size of peer.sizes) {
      const seeded = Date.now();
      const total = await inWorker(seedSessionsInExtension, { total: size, chunk: 5_000 });
      log(`${peer.name}: ${total} sessions stored (${((Date.now() - seeded) / 1000).toFixed(1)} s to seed)`);
      let stopClicking = option('--writer') === 'direct' ? await startDirectWrites(inWorker) : startClicking(recorded);
      // The extension's storage figures count the seeded sessions (its retention pass after the first writes).
      const counting = Date.now() + 120_000;
      while ((await countedSessions(inWorker)) < total && Date.now() < counting) await sleep(500);
      log(`${peer.name} @ ${size}: storage figures count ${await countedSessions(inWorker)} sessions (${((Date.now() - seeded) / 1000).toFixed(1)} s after seeding)`);
      const panel = await context.newPage();
      const opened = Date.now();
      let note: string | undefined;
      try {
        await panel.goto(`chrome-extension://${browser.extensionId}/${path}?tabId=${tabId}`);
        await panel.waitForSelector('tbody tr.current', { timeout: 180_000 });
      } catch (error) {
        note = `the panel did not show the tab's session within 180 s (${String(error).split('\n')[0]})`;
      }
      log(`${peer.name} @ ${size}: panel shown in ${((Date.now() - opened) / 1000).toFixed(1)} s`);
      if (note) {
        for (const state of ['recording', 'hidden, recording', 'idle'] as const) rows.push({ peer: peer.name, sessions: size, state, cpu: null, windowMs, note });
        await stopClicking();
        await panel.close().catch(() => {});
        continue;
      }
      await sleep(3_000); // first paint and its aftermath out of the window
      const meter = await openMeter(panel);
      const measureWindow = async (state: Row['state'], round: number) => {
        const before = await liveActions(inWorker);
        const traced = TRACE_DIR && round === ROUNDS && state === 'recording' ? await startTrace(panel) : null;
        const a = await meter.sample();
        await sleep(windowMs);
        const b = await meter.sample();
        if (traced) log(`${peer.name} @ ${size}: trace in ${await traced(join(TRACE_DIR!, `panel-${peer.name}-${size}.json`))}`);
        const recordedActions = (await liveActions(inWorker)) - before;
        const row: Row = { peer: peer.name, sessions: size, state, cpu: cpuDelta(a, b), windowMs, recorded: recordedActions, round };
        rows.push(row);
        log(`${peer.name} @ ${size} round ${round} ${state} (${recordedActions} actions stored): script ${row.cpu!.scriptMs.toFixed(0)} ms, task ${row.cpu!.taskMs.toFixed(0)} ms (layout ${row.cpu!.layoutMs.toFixed(0)}, style ${row.cpu!.styleMs.toFixed(0)}) per ${windowMs / 1000} s`);
      };
      for (let round = 1; round <= ROUNDS; round++) {
        if (round > 1) {
          stopClicking = option('--writer') === 'direct' ? await startDirectWrites(inWorker) : startClicking(recorded);
          await sleep(3_000);
        }
        await panel.bringToFront();
        await measureWindow('recording', round);
        // Hidden: DevTools' notice, and the recorded tab in front of the panel's.
        await inWorker(tellPanelInExtension, { tabId, shown: false });
        await recorded.bringToFront();
        await sleep(500);
        await measureWindow('hidden, recording', round);
        await inWorker(tellPanelInExtension, { tabId, shown: true });
        await panel.bringToFront();
        await stopClicking();
        stopClicking = async () => {};
        await sleep(3_000); // the last batches land and are shown
        await measureWindow('idle', round);
      }
      await meter.close();
      await panel.close();
    }
  } finally {
    await browser?.close();
    if (previous === undefined) delete process.env.RUMSCOPE_DIST;
    else process.env.RUMSCOPE_DIST = previous;
  }
  return rows;
}

// ---------- report ----------

const pct = (cpu: CpuSample | null, windowMs: number, key: 'scriptMs' | 'taskMs') => (cpu ? (cpu[key] / windowMs) * 100 : NaN);
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a');

export function panelReport(rows: Row[], notes: string[]): string {
  const lines = [
    '## Panel cost (Sessions panel open while you browse)',
    '',
    ...notes,
    '',
    '| peer | sessions stored | state | round | actions stored in the window | script CPU ms / 10 s | task CPU ms / 10 s | task CPU % of a core | target |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const scale = 10_000 / r.windowMs;
    const taskPct = pct(r.cpu, r.windowMs, 'taskMs');
    const target =
      r.peer !== 'subject'
        ? '—'
        : r.state === 'recording' && r.sessions >= 100_000
          ? `≤ ${TARGET_PCT_RECORDING} %: ${taskPct <= TARGET_PCT_RECORDING ? 'pass' : 'MISS'}`
          : r.state === 'recording'
            ? '—'
            : '~0';
    lines.push(
      `| ${r.peer} | ${r.sessions.toLocaleString('en-US')} | ${r.state} | ${r.round ?? '—'} | ${r.recorded ?? 'n/a'} | ${r.cpu ? fmt(r.cpu.scriptMs * scale, 0) : 'n/a'} | ` +
        `${r.cpu ? fmt(r.cpu.taskMs * scale, 0) : 'n/a'} | ${fmt(taskPct)} | ${r.note ?? target} |`,
    );
  }
  const groups = new Map<string, Row[]>();
  for (const r of rows) if (r.cpu) groups.set(`${r.peer}|${r.sessions}|${r.state}`, [...(groups.get(`${r.peer}|${r.sessions}|${r.state}`) ?? []), r]);
  if (groups.size) {
    lines.push('', 'Summary over the rounds: median [min–max], per 10 s.', '');
    lines.push('| peer | sessions stored | state | rounds | actions stored | script CPU ms | task CPU ms | task CPU % of a core (median) | target |', '|---|---|---|---|---|---|---|---|---|');
    for (const group of groups.values()) {
      const r0 = group[0]!;
      const scale = 10_000 / r0.windowMs;
      const cell = (values: number[], digits = 0) => {
        const s = summarize(values);
        return `${fmt(s.median, digits)} [${fmt(s.min, digits)}–${fmt(s.max, digits)}]`;
      };
      const taskPct = summarize(group.map((r) => pct(r.cpu, r.windowMs, 'taskMs'))).median;
      const target =
        r0.peer !== 'subject' ? '—' : r0.state === 'recording' && r0.sessions >= 100_000 ? `≤ ${TARGET_PCT_RECORDING} %: ${taskPct <= TARGET_PCT_RECORDING ? 'pass' : 'MISS'}` : r0.state === 'recording' ? '—' : '~0';
      lines.push(
        `| ${r0.peer} | ${r0.sessions.toLocaleString('en-US')} | ${r0.state} | ${group.length} | ${cell(group.map((r) => r.recorded ?? NaN))} | ` +
          `${cell(group.map((r) => r.cpu!.scriptMs * scale))} | ${cell(group.map((r) => r.cpu!.taskMs * scale))} | ${fmt(taskPct)} | ${target} |`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

export async function runPanelBench(options: { build?: boolean } = {}): Promise<string> {
  const windowMs = Number(option('--window-ms') ?? 10_000);
  const sizes = list(option('--sizes'), [1_000, 10_000, 100_000]);
  const landedSizes = list(option('--landed-sizes'), [1_000, 10_000]).filter((n) => sizes.includes(n));
  const ref = option('--landed-ref') ?? 'main';
  const subjectDist = process.env.RUMSCOPE_DIST ?? '.tmp/dist-bench';
  if (options.build || !existsSync(join(root, subjectDist, 'chrome', 'manifest.json'))) {
    log(`building the working tree into ${subjectDist} ...`);
    execFileSync('npx', ['tsx', 'scripts/build.ts'], { cwd: root, env: { ...process.env, RUMSCOPE_DIST: subjectDist }, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  log(`building the landed panel (${ref}) ...`);
  const landed = landedSizes.length ? await buildRef(ref, 'dist-bench-landed') : { dist: '', commit: '(not measured)' };
  const peers: PeerBuild[] = [
    { name: 'subject', description: `this working tree's build (${relative(root, resolve(root, subjectDist))})`, dist: subjectDist, sizes },
    { name: 'landed', description: `the landed build, ${ref} at ${landed.commit}`, dist: landed.dist, sizes: landedSizes },
  ];
  const site = await startSite();
  const rows: Row[] = [];
  try {
    for (const peer of peers) if (peer.sizes.length) rows.push(...(await measurePeer(peer, site.origin, windowMs)));
  } finally {
    await site.close();
  }
  const notes = [
    ...peers.map((p) => `- **${p.name}**: ${p.description}; sizes ${p.sizes.map((n) => n.toLocaleString('en-US')).join(', ')}.`),
    `- Panel page opened as a tab on the recording tab; a page on 127.0.0.1 gets 10 trusted clicks a second (10 recorded actions/s, as in the issue). ` +
      `Window ${windowMs / 1000} s after a 3 s settle; figures scaled to 10 s. CPU = CDP threadTicks of the panel page's main thread ` +
      `(TaskDuration: script, style, layout, GC; the panel is the only extension page open, the bench's own work in the extension runs in its service worker). ` +
      `"hidden": DevTools' hidden notice and another tab in front; "idle": nothing recorded.`,
    `- Sessions seeded by cloning the recorded session in IndexedDB (sessions only, no events); the live session stays the newest.`,
    option('--writer') === 'direct'
      ? `- Writer: direct (10 writes/s of the live session and one event each, from the service worker, announced on Dexie's cross-page channel as Dexie announces the background's writes).`
      : `- Writer: the extension's background, storing what the page records ("actions stored" shows how much it kept up).`,
  ];
  return panelReport(rows, notes);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const md = await runPanelBench({ build: !process.argv.includes('--skip-build') });
  process.stdout.write(md);
  const out = join(root, 'bench', 'results', `${new Date().toISOString().slice(0, 10)}-panel-only.md`);
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(out, `# Rumscope panel bench\n\n${md}`);
  log(`wrote ${relative(root, out)}`);
}
