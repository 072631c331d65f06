/**
 * `npm run dev`: the development loop (docs/dev-loop.md).
 * - Watches the sources with vite's own watch mode (one rollup watcher per output: the pages and each IIFE script)
 *   and rebuilds only what changed into RUMSCOPE_DIST (default .tmp/dev)/chrome and /firefox, a test build.
 * - Serves the demo app, and a small event stream on 127.0.0.1 that the dev build's extension pages listen to.
 * - A page (panel, popup, options) changed: every open extension page reloads itself (a full page reload, not HMR).
 * - The background, capture or relay changed: Chromium's extension is reloaded (chrome.runtime.reload() in its
 *   service worker), Firefox's by `web-ext run` (it watches a stamp file this writes); the dev build's background
 *   then reloads the open tabs of the recorded sites.
 * Flags: `--no-browser` (watch, rebuild and serve only), `--no-firefox`, `--no-chromium`, `--only=relay.js,…`
 * (watch only those outputs; `pages` for the pages).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type InlineConfig, type Rollup } from 'vite';
import { SCRIPTS, addCompileHints, escapeNonAscii, manifestFor, pagesConfig, scriptConfig } from './build';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const dist = resolve(root, process.env.RUMSCOPE_DIST ?? '.tmp/dev');
const chromeDir = join(dist, 'chrome');
const firefoxDir = join(dist, 'firefox');
/** web-ext reloads the Firefox add-on when this file changes (not at every file of a rebuild). */
const RELOAD_STAMP = join(dist, 'firefox-reload.stamp');

// Extension pages reach this to reload themselves; a dev build only (never in `npm run build`).
const clients = new Set<ServerResponse>();
const events = createServer((request, response) => {
  if (request.url !== '/events') return void response.writeHead(404).end();
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'access-control-allow-origin': '*' });
  response.write(': rumscope dev\n\n');
  clients.add(response);
  request.on('close', () => clients.delete(response));
});
await new Promise<void>((ok) => events.listen(Number(process.env.RUMSCOPE_DEV_PORT ?? 0), '127.0.0.1', ok));
const eventsUrl = `http://127.0.0.1:${(events.address() as AddressInfo).port}/events`;
const broadcast = (event: 'pages' | 'extension') => {
  for (const client of clients) client.write(`event: ${event}\ndata: ${Date.now()}\n\n`);
};

process.env.RUMSCOPE_TEST_BUILD = '1';
process.env.RUMSCOPE_DEV_RELOAD = eventsUrl;

type Output = 'pages' | keyof typeof SCRIPTS;
const outputs: { name: Output; config: InlineConfig }[] = [
  { name: 'pages' as const, config: pagesConfig(chromeDir) },
  ...(Object.entries(SCRIPTS) as [keyof typeof SCRIPTS, string][]).map(([fileName, entry]) => ({ name: fileName, config: scriptConfig(chromeDir, fileName, entry) })),
].filter((o) => !only || only.includes(o.name));

await rm(dist, { recursive: true, force: true });
await mkdir(chromeDir, { recursive: true });

let generation = 0;
/** Initial builds still to come (the watchers start one after the other). */
let initialLeft = outputs.length;
let batchStart = 0;
let pending = 0;
const changed = new Set<Output>();
let settle: ReturnType<typeof setTimeout> | undefined;
let firstBuild: () => void;
const firstBuildDone = new Promise<void>((ok) => (firstBuild = ok));
let onRebuilt: (names: Output[]) => Promise<void> = async () => {};

/** After the watchers went quiet: the same finishing steps as scripts/build.ts, then the reloads. */
async function finish() {
  const names = [...changed];
  changed.clear();
  await escapeNonAscii(chromeDir);
  await addCompileHints(chromeDir);
  await cp(chromeDir, firefoxDir, { recursive: true });
  await writeFile(join(chromeDir, 'manifest.json'), JSON.stringify(await manifestFor('chrome'), null, 2));
  await writeFile(join(firefoxDir, 'manifest.json'), JSON.stringify(await manifestFor('firefox'), null, 2));
  generation++;
  const ms = Date.now() - batchStart;
  await writeFile(join(dist, 'dev-build.json'), JSON.stringify({ generation, outputs: names, ms }));
  console.log(`[dev] ${generation === 1 ? 'built' : 'rebuilt'} ${names.join(', ')} in ${ms} ms (build ${generation})`);
  if (generation === 1) return firstBuild();
  const extension = names.some((n) => n !== 'pages');
  if (extension) await writeFile(RELOAD_STAMP, String(generation));
  broadcast(extension ? 'extension' : 'pages');
  await onRebuilt(names).catch((error: unknown) => console.warn('[dev] reload failed:', error));
}

for (const { name, config } of outputs) {
  const watcher = (await build({ ...config, build: { ...config.build, watch: {} } })) as Rollup.RollupWatcher;
  watcher.on('event', (event) => {
    if (event.code === 'BUNDLE_START') {
      if (pending++ === 0 && !changed.size) batchStart = Date.now();
      clearTimeout(settle);
    } else if (event.code === 'BUNDLE_END') {
      void event.result.close();
      changed.add(name);
      if (initialLeft > 0) initialLeft--;
      if (--pending === 0 && initialLeft === 0) settle = setTimeout(() => void finish(), 150);
    } else if (event.code === 'ERROR') {
      pending = Math.max(0, pending - 1);
      if (initialLeft > 0) initialLeft--;
      console.error(`[dev] ${name}: ${event.error.message}`);
    }
  });
}
await firstBuildDone;

const { startDemoServer } = await import('../demo/server');
const demo = await startDemoServer(Number(process.env.PORT ?? 0));
console.log(`[dev] watching; extension in ${chromeDir} and ${firefoxDir}; demo app ${demo.origin}/; page reload events ${eventsUrl}`);

const children: ChildProcess[] = [];
const stops: (() => Promise<unknown>)[] = [() => demo.close(), () => new Promise((ok) => events.close(ok))];
if (!flag('no-browser')) {
  const headless = !(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  if (!flag('no-chromium')) {
    const { chromium } = await import('playwright-core');
    const { CHROMIUM_FLAGS } = await import('../tests/e2e/support/chromium');
    const { findBrowser } = await import('../tests/e2e/support/findBrowser');
    const context = await chromium.launchPersistentContext(join(tmpdir(), `rumscope-dev-${process.pid}`), {
      executablePath: findBrowser('chromium'),
      headless,
      viewport: null,
      args: [`--disable-extensions-except=${chromeDir}`, `--load-extension=${chromeDir}`, ...CHROMIUM_FLAGS],
    });
    void (context.pages()[0] ?? (await context.newPage())).goto(demo.origin + '/').catch(() => {});
    stops.push(() => context.close());
    onRebuilt = async (names) => {
      if (!names.some((n) => n !== 'pages')) return; // the pages reload themselves
      const worker = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'));
      // The dev build's background reloads the recorded tabs once it starts again.
      await worker?.evaluate(() => chrome.runtime.reload()).catch(() => {});
    };
    console.log(`[dev] Chromium${headless ? ' (headless: no display)' : ''} runs the extension`);
  }
  if (!flag('no-firefox')) {
    await writeFile(RELOAD_STAMP, '0');
    const firefox = spawn(
      'npx',
      ['web-ext', 'run', '--no-config-discovery', '--source-dir', firefoxDir, '--watch-file', RELOAD_STAMP, '--start-url', demo.origin + '/', ...(process.env.RUMSCOPE_FIREFOX ? ['--firefox', process.env.RUMSCOPE_FIREFOX] : ['--firefox', 'firefox-esr'])],
      { cwd: root, stdio: 'inherit' },
    );
    children.push(firefox);
    console.log('[dev] Firefox runs the add-on through web-ext run');
  }
}

const stop = async () => {
  for (const child of children) child.kill('SIGTERM');
  await Promise.allSettled(stops.map((s) => s()));
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
