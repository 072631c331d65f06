/**
 * Replay assets (issue 14's benchmark), two figures:
 *
 * 1. Extra main-thread CPU of asset capture in the recorded page: the working tree's release build (assets kept)
 *    beside a build without asset capture (`--off-ref`, default the main commit the assets branch was built on),
 *    each in its own Chromium with a fresh profile per round (a new site for the fetcher every time), the order
 *    alternating round by round. Window: from before navigation to load + SETTLE_MS (the background fetches the
 *    assets meanwhile). Figure: CDP threadTicks (bench/measure.ts) of the page's renderer main thread, which also
 *    runs the extension's content scripts. The fetching, hashing and storing run in the service worker, so the
 *    expected difference is ~0; the report gives both builds' medians [min–max] and the difference of medians.
 * 2. Stored bytes for a 10-page visit (one session): with dedup, what the store holds (bodies once per sha-256)
 *    and the reference rows; without dedup, what keeping every page's assets per page would store (each page's
 *    stylesheet, font and images, a copy of the same file under a second URL counted again).
 *
 * `npx tsx bench/replayAssets.ts [--rounds 6] [--off-ref <git ref>] [--skip-build] [--no-write]`.
 * Needs only a release build of the working tree (it makes one in .tmp/dist-bench-assets unless --skip-build).
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { launchChromium, type ChromiumWithExtension } from '../tests/e2e/support/chromium';
import { buildRef } from './buildRef';
import { cpuDelta, openMeter, summarize, waitStable, type Summary } from './measure';

const root = resolve(import.meta.dirname, '..');
const log = (message: string) => process.stderr.write(message + '\n');
const option = (name: string) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const ROUNDS = Number(option('--rounds') ?? 6);
/** The build without asset capture: main as the assets branch merged it (before assets were kept). */
const OFF_REF = option('--off-ref') ?? 'fb1c76e';
const SETTLE_MS = 3000;
const PAGES = 10;
const ON_DIST = '.tmp/dist-bench-assets';

// ---------- the site: 10 pages sharing a stylesheet, a web font and images, one image of their own each ----------

const fixtures = join(root, 'tests/fixtures/assets');
const files = {
  font: await readFile(join(fixtures, 'open-sans.woff2')),
  tile: await readFile(join(fixtures, 'tile.png')),
  photo: await readFile(join(fixtures, 'photo.png')),
};
const css = `@font-face { font-family: 'Bench Sans'; src: url(font.woff2) format('woff2'); }
body { font-family: 'Bench Sans', sans-serif; }
.tiled { background: url(tile.png); height: 40px; }
.copy { background: url(/copy/tile.png); height: 40px; }
${Array.from({ length: 200 }, (_, i) => `.rule-${i} { margin: ${i % 7}px; color: #${(i * 4099).toString(16).padStart(6, '0').slice(0, 6)}; }`).join('\n')}`;
/** A page's own picture: an SVG that differs per page (~1.5 KB). */
const uniqueSvg = (page: number) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60">${Array.from({ length: 30 }, (_, i) => `<rect x="${(i * 4 + page) % 120}" y="${(i * 2) % 60}" width="3" height="3" fill="#${((page + 1) * 99991 + i).toString(16).slice(-6)}"/>`).join('')}</svg>`;
const pageHtml = (page: number) => `<!doctype html><html><head><meta charset="utf-8"><title>Bench page ${page}</title>
<link rel="stylesheet" href="/site.css"></head><body>
<h1>Bench page ${page}</h1><div class="tiled"></div><div class="copy"></div>
<img src="/photo.png" alt=""><img src="/page-${page}.svg" alt="">
${Array.from({ length: 200 }, (_, i) => `<p class="rule-${i}">Paragraph ${i} of page ${page}</p>`).join('\n')}
</body></html>`;

/**
 * Every asset of one page that the fetcher keeps, with its size: what keeping per page without dedup would
 * store for it. The same-origin stylesheet is not among them: rrweb inlines its text in the recording.
 */
const pageAssets = (page: number) => [
  ['/font.woff2', files.font.byteLength],
  ['/tile.png', files.tile.byteLength],
  ['/copy/tile.png', files.tile.byteLength],
  ['/photo.png', files.photo.byteLength],
  [`/page-${page}.svg`, Buffer.byteLength(uniqueSvg(page))],
] as const;

function startSite(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const send = (type: string, body: string | Buffer) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'public, max-age=0' });
      res.end(body);
    };
    const page = /^\/page-(\d+)\.(html|svg)$/.exec(path);
    if (page && page[2] === 'html') return send('text/html; charset=utf-8', pageHtml(Number(page[1])));
    if (page) return send('image/svg+xml', uniqueSvg(Number(page[1])));
    if (path === '/site.css') return send('text/css', css);
    if (path === '/font.woff2') return send('font/woff2', files.font);
    if (path === '/tile.png' || path === '/copy/tile.png') return send('image/png', files.tile);
    if (path === '/photo.png') return send('image/png', files.photo);
    res.writeHead(404).end();
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, origin: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

/** Reads the extension's stored assets from its service worker (what the store holds after a visit). */
async function storedAssets(ext: ChromiumWithExtension): Promise<{ refs: number; kept: number; bodies: number; bodyBytes: number; segmentBytes: number }> {
  const worker = await ext.worker();
  // As text: tsx would wrap the inner helpers of a function in __name(), which the worker does not have.
  return worker.evaluate(`(async () => {
    const db = await new Promise((ok, ko) => {
      const open = indexedDB.open('rumscope');
      open.onsuccess = () => ok(open.result);
      open.onerror = () => ko(open.error);
    });
    const all = (store) =>
      db.objectStoreNames.contains(store)
        ? new Promise((ok, ko) => {
            const request = db.transaction(store).objectStore(store).getAll();
            request.onsuccess = () => ok(request.result);
            request.onerror = () => ko(request.error);
          })
        : Promise.resolve([]);
    const refs = await all('replayAssetRefs');
    const bodies = await all('replayAssets');
    const segments = await all('replaySegments');
    db.close();
    return {
      refs: refs.length,
      kept: refs.filter((r) => r.hash).length,
      bodies: bodies.length,
      bodyBytes: bodies.reduce((sum, b) => sum + b.bytes, 0),
      segmentBytes: segments.reduce((sum, s) => sum + s.bytes, 0),
    };
  })()`);
}

/** One round of one build: a fresh profile, one page, its main-thread CPU until load + SETTLE_MS. */
async function measureOnce(dist: string, origin: string, page: number) {
  const ext = await launchChromium({ dist: join(root, dist, 'chrome'), release: true });
  try {
    const tab = await ext.context.newPage();
    const meter = await openMeter(tab);
    const before = await meter.sample();
    await tab.goto(`${origin}/page-${page}.html`, { waitUntil: 'load' });
    await tab.waitForTimeout(SETTLE_MS);
    const cpu = cpuDelta(before, await meter.sample());
    await meter.close();
    return { cpu, stored: dist === ON_DIST ? await storedAssets(ext) : null };
  } finally {
    await ext.close();
  }
}

/** The 10-page visit in one tab (one session), then what is stored once the fetcher has settled. */
async function visit(origin: string) {
  const ext = await launchChromium({ dist: join(root, ON_DIST, 'chrome'), release: true });
  try {
    const tab = await ext.context.newPage();
    for (let page = 0; page < PAGES; page++) {
      await tab.goto(`${origin}/page-${page}.html`, { waitUntil: 'load' });
      await tab.waitForTimeout(1000);
    }
    await tab.goto('about:blank');
    await waitStable(async () => (await storedAssets(ext)).refs, { intervalMs: 500, stableReads: 4, timeoutMs: 30_000 });
    return await storedAssets(ext);
  } finally {
    await ext.close();
  }
}

const fmt = (s: Summary) => `${s.median.toFixed(1)} [${s.min.toFixed(1)}–${s.max.toFixed(1)}]`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

if (!process.argv.includes('--skip-build')) {
  log(`release build of the working tree into ${ON_DIST}`);
  execFileSync('npx', ['tsx', 'scripts/build.ts'], { cwd: root, env: { ...process.env, RUMSCOPE_DIST: ON_DIST, RUMSCOPE_TEST_BUILD: '' }, stdio: ['ignore', 'ignore', 'inherit'] });
}
log(`release build of ${OFF_REF} (no asset capture)`);
const off = await buildRef(OFF_REF, 'dist-bench-assets-off');
const site = await startSite();
try {
  const runs: Record<'on' | 'off', { scriptMs: number[]; taskMs: number[] }> = { on: { scriptMs: [], taskMs: [] }, off: { scriptMs: [], taskMs: [] } };
  const keptPerRound: number[] = [];
  for (let round = -1; round < ROUNDS; round++) {
    const order: ('on' | 'off')[] = round % 2 ? ['on', 'off'] : ['off', 'on'];
    for (const which of order) {
      const { cpu, stored } = await measureOnce(which === 'on' ? ON_DIST : off.dist, site.origin, Math.max(0, round) % PAGES);
      if (round < 0) continue; // warm-up
      runs[which].scriptMs.push(cpu.scriptMs);
      runs[which].taskMs.push(cpu.taskMs);
      if (stored) keptPerRound.push(stored.kept);
      log(`round ${round + 1} ${which}: script ${cpu.scriptMs.toFixed(1)} ms, task ${cpu.taskMs.toFixed(1)} ms${stored ? `, ${stored.kept} assets kept` : ''}`);
    }
  }
  const stored = await visit(site.origin);
  let withoutDedup = 0;
  for (let page = 0; page < PAGES; page++) for (const [, bytes] of pageAssets(page)) withoutDedup += bytes;
  const REF_OVERHEAD = 200; // extension/storage/assetStore.ts ASSET_REF_OVERHEAD
  const on = { script: summarize(runs.on.scriptMs), task: summarize(runs.on.taskMs) };
  const offS = { script: summarize(runs.off.scriptMs), task: summarize(runs.off.taskMs) };
  const report = [
    `# Replay assets bench — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.versions.node}`,
    '',
    `Page main-thread CPU (ms, CDP threadTicks, navigation to load + ${SETTLE_MS / 1000} s, fresh profile per round, ${ROUNDS} rounds after 1 warm-up, order alternating):`,
    '',
    '| build | script ms median [min–max] | task ms median [min–max] | assets kept per round |',
    '|---|---|---|---|',
    `| assets kept (working tree) | ${fmt(on.script)} | ${fmt(on.task)} | ${summarize(keptPerRound).median} |`,
    `| no asset capture (${off.commit}) | ${fmt(offS.script)} | ${fmt(offS.task)} | — |`,
    `| difference of medians | ${(on.script.median - offS.script.median).toFixed(1)} | ${(on.task.median - offS.task.median).toFixed(1)} | |`,
    '',
    `Stored bytes, ${PAGES}-page visit in one session (each page: a same-origin stylesheet with 200 rules, inlined in the`,
    'recording by rrweb, naming a 40 KB web font, a tile image and the same tile under a second URL; a shared photo; an image of its own):',
    '',
    '| | bytes |',
    '|---|---|',
    `| without dedup (every page's assets kept per page: ${PAGES} × ${pageAssets(0).length}) | ${kb(withoutDedup)} |`,
    `| with dedup: bodies stored (${stored.bodies} bodies, one per sha-256) | ${kb(stored.bodyBytes)} |`,
    `| with dedup: plus reference rows (${stored.refs} × ~${REF_OVERHEAD} B) | ${kb(stored.bodyBytes + stored.refs * REF_OVERHEAD)} |`,
    `| for scale: the visit's replay segments (compressed) | ${kb(stored.segmentBytes)} |`,
    '',
  ].join('\n');
  process.stdout.write(report + '\n');
  if (!process.argv.includes('--no-write')) {
    const file = join(root, 'bench/results', `${new Date().toISOString().slice(0, 10)}-${cpus().length}core-node${process.versions.node.split('.')[0]}-replay-assets.md`);
    await writeFile(file, report);
    log(`wrote ${file}`);
  }
} finally {
  site.server.close();
}
