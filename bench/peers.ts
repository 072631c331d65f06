/**
 * The peers of the benchmark: one entry each. A peer says which browser it runs in, what it puts at
 * the top of the bench page's <head>, how big its scripts are, and how many bytes it kept or sent
 * during one run. Adding a peer (e.g. a replay one) is adding an entry to PEERS.
 *
 * Two browsers, the same Chromium binary with the same flags, each a fresh persistent profile:
 * - 'extension': the built Rumscope extension loaded. It injects its capture into every http(s) page
 *   (manifest matches http://*\/*, no exclusion), so only Rumscope peers run there;
 * - 'plain': no extension: the no-SDK baseline and the Datadog peers.
 * The extension's service worker (validation, IndexedDB) runs in its own process, not on the page's
 * main thread, so the plain browser is the baseline of the page's thread for every peer.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { distDir, type ChromiumWithExtension } from '../tests/e2e/support/chromium';
import { waitStable } from './measure';

export type BrowserKind = 'plain' | 'extension';

export interface ScriptSize {
  /** e.g. "capture.js". */
  file: string;
  raw: number;
  /** gzip -9 bytes. */
  gzip: number;
  /** Counted against the "capture ≤ 15 KB gzip" target / shown as the peer's gzip size. */
  counted: boolean;
}

export interface Collected {
  /** Bytes the peer stored (Rumscope: stored event records as JSON) or sent (Datadog: request bodies). */
  bytes: number;
  /** Stored events or intake requests. */
  items: number;
  /** Of `bytes`, the replay's (Rumscope: compressed segments stored; others: replay requests sent). */
  replayBytes?: number;
  /** --replay-breakdown (Rumscope): the stored replay's JSON characters by record kind, and its segment count. */
  breakdown?: Record<string, number>;
  /** --replay-dump (Rumscope): each stored segment's inflated text (its stored form), in the order stored. */
  dump?: { seq: number; start: number; text: string }[];
}

export interface BenchEnv {
  /** Origin of the bench server (127.0.0.1): bench page, assets and the local intake. */
  origin: string;
  /** This bench run's temporary folder (inside the repo, so bundles resolve node_modules). */
  workDir: string;
  /** Serves `body` at origin + '/assets/' + name (cacheable, like a CDN). Returns the URL path. */
  serveAsset(name: string, body: string | Buffer, type?: string): string;
  /** What the local intake received for a run tag (requests whose path starts with /intake/<tag>). */
  intake(tag: string): Collected;
  /**
   * The Chromium with a built extension loaded (launched on first use): `dist` is a build's chrome folder,
   * RUMSCOPE_DIST's by default. Each build runs in a Chromium of its own (same binary, flags, fresh profile).
   */
  extension(dist?: string): Promise<ChromiumWithExtension>;
}

export interface RunInfo {
  /** Unique per run; also in the page URL (`run=` query parameter). */
  tag: string;
}

export interface Peer {
  name: string;
  /** One line for the report. */
  description: string;
  browser: BrowserKind;
  /** For 'extension' peers: the build's chrome folder (default: RUMSCOPE_DIST's), e.g. an earlier commit's build. */
  dist?: string;
  /** The no-SDK page: every other peer's "extra" is its value minus this one's in the same round. */
  baseline?: boolean;
  /** Builds what the peer needs (once per bench run); returns its scripts' sizes. */
  prepare(env: BenchEnv): Promise<ScriptSize[]>;
  /** Before each of its runs, outside any measured window (e.g. switch an extension setting). */
  beforeRun?(env: BenchEnv, run: RunInfo): Promise<void>;
  /**
   * A page expression that is true once the SDK runs (checked after init, outside the measured windows).
   * A run where it is false is flagged and the peer's verdicts are marked invalid.
   */
  probe?: string;
  /** HTML put first in the bench page's <head> for one run (a synchronous SDK snippet, or nothing). */
  head(env: BenchEnv, run: RunInfo): string;
  /**
   * What the peer stored or sent for one run so far. With `settle` (after the page has navigated away,
   * so after the SDK's exit flush) it waits until the count stops moving; without, it reads once.
   */
  collected(env: BenchEnv, run: RunInfo, settle: boolean): Promise<Collected>;
}

const repoRoot = resolve(import.meta.dirname, '..');

export function sizeOf(file: string, text: string | Buffer, counted = true): ScriptSize {
  const buffer = typeof text === 'string' ? Buffer.from(text) : text;
  return { file, raw: buffer.length, gzip: gzipSync(buffer, { level: 9 }).length, counted };
}

// ---------------------------------------------------------------------------------------------------
// No SDK

export const baselinePeer: Peer = {
  name: 'baseline',
  description: 'the same page with no SDK, in Chromium without the extension',
  browser: 'plain',
  baseline: true,
  prepare: async () => [],
  head: () => '',
  collected: async () => ({ bytes: 0, items: 0 }),
};

// ---------------------------------------------------------------------------------------------------
// Rumscope, as users run it: the built extension (capture in the MAIN world + isolated relay)

export interface RumscopeOptions {
  name?: string;
  description?: string;
  /**
   * A script (an expression, awaited) run in the extension's service worker before each of this peer's
   * runs, e.g. a replay peer turning replay on through extension storage. Before every run, since peers
   * alternate and several Rumscope peers share one browser.
   */
  configureWorker?: string;
  /** Replay on: recorder.js (injected by the background into recorded pages) counts in the page's code. */
  replay?: boolean;
  /** Another build's chrome folder (e.g. an earlier commit's, for a before/after comparison); default RUMSCOPE_DIST's. */
  dist?: string;
}

/**
 * The service-worker script that sets replay on or off for the next run. Sessions are per site and a
 * session's replay draw is made once, so the stored sessions go too (new page loads start a new session).
 */
export function replaySettingScript(replay: boolean): string {
  return `(async () => {
    const api = globalThis.browser ?? chrome;
    const current = (await api.storage.local.get('rumscope.settings'))['rumscope.settings'] ?? {};
    await api.storage.local.set({ 'rumscope.settings': { ...current,
      sampling: { sessionSampleRate: 100, sessionReplaySampleRate: ${replay ? 100 : 0} },
      privacyLevel: 'allow' } });
    const db = await new Promise((ok, ko) => { const open = indexedDB.open('rumscope'); open.onsuccess = () => ok(open.result); open.onerror = () => ko(open.error); });
    try {
      await new Promise((ok, ko) => { const tx = db.transaction(['sessions'], 'readwrite'); tx.objectStore('sessions').clear(); tx.oncomplete = ok; tx.onerror = () => ko(tx.error); });
    } finally { db.close(); }
  })()`;
}

export function rumscopePeer(options: RumscopeOptions = {}): Peer {
  return {
    name: options.name ?? 'rumscope',
    description: options.description ?? 'Rumscope extension build (capture.js in the MAIN world + relay.js), replay off',
    browser: 'extension',
    dist: options.dist,
    probe: '!!window.rumscope',
    async prepare() {
      const dir = options.dist ?? distDir('chrome');
      const capture = await readFile(join(dir, 'capture.js'));
      const relay = await readFile(join(dir, 'relay.js'));
      const sizes = [sizeOf('capture.js', capture, true), sizeOf('relay.js (isolated world)', relay, false)];
      if (options.replay) sizes.push(sizeOf('recorder.js (injected for recorded sessions)', await readFile(join(dir, 'recorder.js')), true));
      return sizes;
    },
    async beforeRun(env) {
      if (!options.configureWorker) return;
      const worker = await (await env.extension(options.dist)).worker();
      await worker.evaluate(options.configureWorker);
    },
    head: () => '',
    async collected(env, run, settle) {
      const ext = await env.extension(options.dist);
      // Strings, not functions: tsx wraps named inner functions in a helper the worker lacks.
      const read = async () => {
        const worker = await ext.worker();
        return (await worker.evaluate(storedBytesScript(run.tag))) as Collected;
      };
      let last = await read();
      if (settle) await waitSettled(async () => (last = await read()).bytes);
      return last;
    },
  };
}

/** Service-worker scripts run one after the other, as one awaited expression. */
function allScripts(...scripts: string[]): string {
  return `(async () => { ${scripts.map((script) => `await ${script};`).join(' ')} })()`;
}

/** Sets settings.networkDetail.sites in the extension's storage (the other settings kept). */
function networkDetailScript(sites: string[]): string {
  return `(async () => {
    const key = 'rumscope.settings';
    const current = (await chrome.storage.local.get(key))[key] ?? {};
    const sites = ${JSON.stringify(sites)};
    if (JSON.stringify(current.networkDetail?.sites ?? []) === JSON.stringify(sites)) return;
    await chrome.storage.local.set({ [key]: { ...current, networkDetail: { sites, redactHeaders: [], redactFields: [] } } });
    await new Promise((ok) => setTimeout(ok, 300));
  })()`;
}

/** Sums the UTF-8 JSON size of the events the extension stored for the page loads of one run. */
function storedBytesScript(tag: string): string {
  return `(async () => {
    const tag = ${JSON.stringify('run=' + tag)};
    const db = await new Promise((ok, ko) => {
      const open = indexedDB.open('rumscope');
      open.onsuccess = () => ok(open.result);
      open.onerror = () => ko(open.error);
    });
    try {
      if (!db.objectStoreNames.contains('loads') || !db.objectStoreNames.contains('events')) return { bytes: 0, items: 0 };
      const request = (r) => new Promise((ok, ko) => { r.onsuccess = () => ok(r.result); r.onerror = () => ko(r.error); });
      const replay = db.objectStoreNames.contains('replaySegments');
      const tx = db.transaction(replay ? ['loads', 'events', 'replaySegments'] : ['loads', 'events']);
      const loads = (await request(tx.objectStore('loads').getAll())).filter((l) => String(l.url).includes(tag));
      const encoder = new TextEncoder();
      let bytes = 0, items = 0, replayBytes = 0;
      const rows = [];
      for (const load of loads) {
        const range = IDBKeyRange.bound([load.id, -Infinity], [load.id, Infinity]);
        for (const event of await request(tx.objectStore('events').getAll(range))) {
          bytes += encoder.encode(JSON.stringify(event)).length;
          items++;
        }
        // Replay segments: their compressed bytes, as stored.
        if (replay) for (const row of await request(tx.objectStore('replaySegments').getAll(range))) {
          bytes += row.bytes;
          replayBytes += row.bytes;
          items++;
          rows.push(row);
        }
      }
      // --replay-breakdown: the stored records' JSON characters by record kind (after the transaction).
      const breakdown = ${process.argv.includes('--replay-breakdown')} ? {} : undefined;
      const kinds = {};
      if (breakdown) for (const row of rows) {
        const text = await new Response(new Blob([row.data]).stream().pipeThrough(new DecompressionStream('deflate-raw'))).text();
        const stored = JSON.parse(text);
        // Version 2 rows (sdk/src/replay/recordCodec.ts): sized as stored (ids left out, timestamps as differences).
        for (const record of Array.isArray(stored) ? stored : stored.r) {
          const kind = record.type === 3 ? 'incremental source ' + record.data.source : 'type ' + record.type;
          breakdown[kind] = (breakdown[kind] ?? 0) + JSON.stringify(record).length;
          (kinds[kind] ??= []).push(record);
        }
        breakdown['segments'] = (breakdown['segments'] ?? 0) + 1;
      }
      // Each kind's records deflated on their own (what each kind would cost alone).
      if (breakdown) for (const [kind, records] of Object.entries(kinds)) {
        const deflated = new Blob([JSON.stringify(records)]).stream().pipeThrough(new CompressionStream('deflate-raw'));
        breakdown['deflated ' + kind] = (await new Response(deflated).arrayBuffer()).byteLength;
      }
      // --replay-dump: each segment's stored form, inflated (the bench writes the decoded records to a file).
      const dump = ${process.argv.includes('--replay-dump')} ? [] : undefined;
      if (dump) for (const row of rows) {
        const text = await new Response(new Blob([row.data]).stream().pipeThrough(new DecompressionStream('deflate-raw'))).text();
        dump.push({ seq: row.seq, start: row.start, text });
      }
      return { bytes, items, replayBytes, ...(breakdown && { breakdown }), ...(dump && { dump }) };
    } finally {
      db.close();
    }
  })()`;
}

// ---------------------------------------------------------------------------------------------------
// Script peers: an npm package bundled into one IIFE, served cacheable and loaded synchronously in <head>

const bundles = new Map<string, Promise<ScriptSize[]>>();

/**
 * Bundles `entrySource` (an ES module importing npm packages) into one minified IIFE served as
 * /assets/<asset>, once per bench run; returns its size. Lazily loaded chunks are inlined (an IIFE
 * cannot split).
 */
function bundleScript(env: BenchEnv, asset: string, entrySource: string): Promise<ScriptSize[]> {
  let bundle = bundles.get(asset);
  if (!bundle) {
    bundle = (async () => {
      const dir = join(env.workDir, asset.replace(/\W/g, '_'));
      await mkdir(dir, { recursive: true });
      const entry = join(dir, 'entry.js');
      await writeFile(entry, entrySource);
      await build({
        configFile: false,
        root: repoRoot,
        logLevel: 'warn',
        build: {
          outDir: join(dir, 'out'),
          emptyOutDir: true,
          target: 'es2022',
          minify: true,
          sourcemap: false,
          copyPublicDir: false,
          lib: { entry, formats: ['iife'], name: 'BENCH_' + asset.replace(/\W/g, '_'), fileName: () => asset },
        },
      });
      const code = await readFile(join(dir, 'out', asset));
      env.serveAsset(asset, code);
      return [sizeOf(asset, code, true)];
    })();
    bundles.set(asset, bundle);
  }
  return bundle;
}

/** What the local intake received for the run (after the exit flush when `settle`). */
async function intakeCollected(env: BenchEnv, run: RunInfo, settle: boolean): Promise<Collected> {
  if (settle) await waitSettled(async () => env.intake(run.tag).bytes);
  return env.intake(run.tag);
}

// Datadog Browser RUM (optionally with Browser Logs forwarding the console)

export interface DatadogOptions {
  name?: string;
  description?: string;
  /** sessionReplaySampleRate: 0 (RUM only) or 100 (replay every session). */
  replay: boolean;
  /** Extra init options, e.g. { defaultPrivacyLevel: 'allow' } for a replay peer. */
  init?: Record<string, unknown>;
  /**
   * @datadog/browser-logs 7.16.2 too, with these init options (e.g. forwardConsoleLogs: 'all'), bundled
   * with RUM in one script and sent to the same local intake.
   */
  logs?: Record<string, unknown>;
}

export function datadogPeer(options: DatadogOptions): Peer {
  const asset = options.logs ? 'datadog-rum-logs.iife.js' : 'datadog-rum.iife.js';
  const entry = options.logs
    ? `import { datadogRum } from '@datadog/browser-rum';\nimport { datadogLogs } from '@datadog/browser-logs';\nwindow.DD_RUM = datadogRum;\nwindow.DD_LOGS = datadogLogs;\n`
    : `import { datadogRum } from '@datadog/browser-rum';\nwindow.DD_RUM = datadogRum;\n`;
  const logsProbe = options.logs ? ' && window.DD_LOGS && window.DD_LOGS.getInternalContext && window.DD_LOGS.getInternalContext()' : '';
  return {
    name: options.name ?? (options.replay ? 'datadog-replay' : 'datadog'),
    description:
      options.description ??
      `@datadog/browser-rum 7.16.2, sessionReplaySampleRate ${options.replay ? 100 : 0}, sent to a local intake`,
    browser: 'plain',
    probe: `!!(window.DD_RUM && window.DD_RUM.getInternalContext && window.DD_RUM.getInternalContext()${logsProbe})`,
    prepare: (env) => bundleScript(env, asset, entry),
    head(env, run) {
      const common = {
        clientToken: 'pub00000000000000000000000000000000',
        site: 'datadoghq.com',
        service: 'rumscope-bench',
        env: 'bench',
        proxy: `${env.origin}/intake/${run.tag}`,
        sessionSampleRate: 100,
      };
      const config = {
        ...common,
        applicationId: '00000000-0000-4000-8000-000000000000',
        sessionReplaySampleRate: options.replay ? 100 : 0,
        trackUserInteractions: true,
        trackResources: true,
        trackLongTasks: true,
        ...options.init,
      };
      const logs = options.logs ? `window.DD_LOGS && DD_LOGS.init(${JSON.stringify({ ...common, ...options.logs })});` : '';
      return `<script src="/assets/${asset}"></script><script>window.DD_RUM && DD_RUM.init(${JSON.stringify(config)});${logs}</script>`;
    },
    collected: intakeCollected,
  };
}

// Floor reference: bare @rrweb/record + web-vitals, its JSON kept uncompressed and sent as is

const RRWEB_ASSET = 'rrweb-record-vitals.iife.js';
const RRWEB_ENTRY = `import { record } from '@rrweb/record';
import { onCLS, onINP, onLCP } from 'web-vitals';
let parts = [];
const flush = (beacon) => {
  if (!parts.length || !window.__RRWEB_INTAKE) return;
  const body = '[' + parts.join(',') + ']';
  parts = [];
  if (beacon) navigator.sendBeacon(window.__RRWEB_INTAKE, body);
  else fetch(window.__RRWEB_INTAKE, { method: 'POST', body, keepalive: body.length < 60000 });
};
window.__RRWEB_STOP = record({ emit: (event) => parts.push(JSON.stringify(event)) });
setInterval(() => flush(false), 5000);
addEventListener('pagehide', () => flush(true));
onCLS(() => {}); onINP(() => {}); onLCP(() => {});
`;

export const rrwebPeer: Peer = {
  name: 'rrweb-bare',
  description: 'floor reference: bare @rrweb/record 2.1.6 + web-vitals, record everything, JSON sent uncompressed every 5 s',
  browser: 'plain',
  probe: '!!window.__RRWEB_STOP',
  prepare: (env) => bundleScript(env, RRWEB_ASSET, RRWEB_ENTRY),
  head: (env, run) => `<script>window.__RRWEB_INTAKE = ${JSON.stringify(`${env.origin}/intake/${run.tag}/replay`)};</script><script src="/assets/${RRWEB_ASSET}"></script>`,
  collected: intakeCollected,
};

/** Waits until a byte count stops moving (the exit flush has landed), at most a few seconds. */
async function waitSettled(read: () => Promise<number>) {
  await waitStable(read, { intervalMs: 250, stableReads: 3, timeoutMs: 6000 });
}

// ---------------------------------------------------------------------------------------------------

/** The default Rumscope peer's settings: replay off, network detail off. */
const CAPTURE_ONLY = allScripts(replaySettingScript(false), networkDetailScript([]));

/**
 * The default Rumscope peer run on another build (`--compare-dist`): `rumscope@<label>`, e.g. the build of
 * the commit before a change, measured in the same run as the working tree's.
 */
export function rumscopeBuildPeer(label: string, dist: string, replay = false): Peer {
  return replay
    ? rumscopePeer({
        name: `rumscope-replay@${label}`,
        description: `Rumscope extension build ${label} (same settings as rumscope-replay: replay on, privacy allow)`,
        configureWorker: allScripts(replaySettingScript(true), networkDetailScript([])),
        replay: true,
        dist,
      })
    : rumscopePeer({
        name: `rumscope@${label}`,
        description: `Rumscope extension build ${label} (same settings as rumscope: replay off, network detail off)`,
        configureWorker: CAPTURE_ONLY,
        dist,
      });
}

/** Every known peer, by name. `--peers` picks from these; DEFAULT_PEERS run when it is not given. */
export const PEERS: Record<string, Peer> = Object.fromEntries(
  [
    baselinePeer,
    rumscopePeer({ configureWorker: CAPTURE_ONLY }),
    // Replay peers, for the replay issue's comparison (not in the default set).
    rumscopePeer({
      name: 'rumscope-replay',
      description: 'Rumscope extension build with replay on (sessionReplaySampleRate 100, privacy allow): capture.js + recorder.js injected',
      configureWorker: allScripts(replaySettingScript(true), networkDetailScript([])),
      replay: true,
    }),
    rrwebPeer,
    // Network detail on for the bench origin (headers and bodies kept), for --console-network.
    rumscopePeer({
      name: 'rumscope-detail',
      description: 'Rumscope extension build with network detail on for the bench origin, replay off',
      configureWorker: allScripts(replaySettingScript(false), networkDetailScript(['http://127.0.0.1:*'])),
    }),
    datadogPeer({ replay: false }),
    // Datadog with replay, for the replay issue's comparison (not in the default set).
    datadogPeer({ replay: true, init: { defaultPrivacyLevel: 'allow' } }),
    // Datadog RUM + Browser Logs forwarding every console call and uncaught error, for --console-network.
    datadogPeer({
      name: 'datadog-logs',
      description: "@datadog/browser-rum + @datadog/browser-logs 7.16.2 (logs: forwardConsoleLogs 'all', forwardErrorsToLogs), replay 0, sent to a local intake",
      replay: false,
      logs: { forwardConsoleLogs: 'all', forwardErrorsToLogs: true },
    }),
  ].map((peer) => [peer.name, peer]),
);

export const DEFAULT_PEERS = ['baseline', 'rumscope', 'datadog'];

/** The peer Rumscope's CPU and heap targets are ratios of. */
export const REFERENCE_PEER = 'datadog';
export const SUBJECT_PEER = 'rumscope';
