/**
 * `npm run bench` — Rumscope's capture against @datadog/browser-rum (RUM only) and a page with no SDK,
 * in the same run, in the same Chromium binary. A benchmark, not a test: it never fails on a missed
 * target, it reports it.
 *
 * Per run (one peer, one fresh tab):
 *   init  = main-thread CPU from before navigation to load + INIT_SETTLE_MS (the SDK starts at
 *           document start: Rumscope's content scripts, Datadog's synchronous <head> snippet);
 *   storm = main-thread CPU during the storm (bench/page.ts) + STORM_SETTLE_MS;
 *   heap  = used JS heap after forced GC, right after the storm;
 *   bytes = after navigating away (the SDKs' exit flush): bytes Rumscope's extension stored for the
 *           run's page / bytes Datadog sent to the local intake.
 * Peers alternate run by run (the order rotates each round); a warm-up round is discarded. A peer's
 * "extra" in a round is its value minus the baseline's in the same round; the report gives the median
 * and [min–max] of those over the rounds.
 *
 * Options: --runs N (rounds, default 6, at least 5 for a report), --warmup N (default 1),
 *          --peers a,b,c (default baseline,rumscope,datadog; see bench/peers.ts), --skip-build,
 *          --no-write (print only), --note "text" (a line added to the report, e.g. what was built),
 *          --console-network (the storm adds 2,000 console calls and 200 fetch POSTs with bodies; peer
 *          rumscope-detail has network detail on for the bench origin),
 *          --scenario capture|panel|replay|server|all (default all: the capture above, then the Sessions panel's cost,
 *          bench/panel.ts, whose own options are listed there, then the replay's time to first frame of a
 *          60-minute session, bench/replayFirstFrame.ts, on a test build; `server` — the team server's ingest and
 *          session list on SQLite and PostgreSQL, bench/serverIngest.ts with its own options — runs only when asked:
 *          seeding a million sessions takes many minutes),
 *          --compare-ref ref[,ref] (builds each git ref, e.g. the commit before a change, with bench/buildRef.ts
 *          and adds peer `rumscope@<commit>`: the rumscope peer's settings on that build, in its own Chromium,
 *          alternating with the others in the same run), --compare-dist [label=]dir[,…] (the same with a build
 *          already made: a RUMSCOPE_DIST-style folder holding chrome/). The report then has a "Builds compared"
 *          table: each build's extra script CPU against rumscope's (the working tree's), round by round;
 *          --compare-replay gives the compared builds rumscope-replay's settings (replay on) instead;
 *          --replay-breakdown prints the stored replay's JSON size by record kind (Rumscope peers),
 *          --replay-dump <file> writes the last round's stored replay segments of a Rumscope peer (decoded
 *          records, one array per segment) to a JSON file, for trying storage forms offline,
 *          --heap-summary prints, for each peer's last round, where its page's heap goes (bench/heapSummary.ts).
 */
import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, platform, release, totalmem } from 'node:os';
import { existsSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM_FLAGS, distDir, launchChromium, type ChromiumWithExtension } from '../tests/e2e/support/chromium';
import { findBrowser } from '../tests/e2e/support/findBrowser';
import { buildRef } from './buildRef';
import { decodeRecords } from '../sdk/src/replay/recordCodec';
import { cpuDelta, openMeter, summarize, type CpuSample, type Summary } from './measure';
import { planStorm, renderBenchPage, runStorm, STORM } from './page';
import {
  DEFAULT_PEERS,
  PEERS,
  REFERENCE_PEER,
  rumscopeBuildPeer,
  SUBJECT_PEER,
  type BenchEnv,
  type BrowserKind,
  type Collected,
  type Peer,
  type ScriptSize,
} from './peers';

const root = resolve(import.meta.dirname, '..');
const INIT_SETTLE_MS = 2000;
const STORM_SETTLE_MS = 1500;
/** Targets from the issue: Rumscope vs Datadog RUM-only. */
const TARGETS = { captureGzipKB: 15, initScriptRatio: 0.5, stormScriptRatio: 0.5, heapRatio: 1 } as const;
const KB = 1024;

// ---------- options ----------

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}
const scenario = option('--scenario') ?? 'all';
if (!['capture', 'panel', 'replay', 'server', 'all'].includes(scenario)) throw new Error(`--scenario is capture, panel, replay, server or all, not ${scenario}`);
const flag = (name: string) => process.argv.includes(name);
const rounds = Number(option('--runs') ?? 6);
/** --console-network: the storm also makes 2,000 console calls and 200 fetch POSTs with JSON bodies (bench/page.ts). */
const CONSOLE_NETWORK = flag('--console-network');
const warmup = Number(option('--warmup') ?? 1);
const log = (message: string) => process.stderr.write(message + '\n');
const listOption = (name: string) => (option(name) ?? '').split(',').filter(Boolean);

/** Other builds of Rumscope measured in the same run (--compare-ref, --compare-dist): `rumscope@<label>` peers. */
async function comparedPeers(): Promise<Peer[]> {
  if (scenario === 'panel' || scenario === 'server') return []; // server: --compare-ref is bench/serverIngest.ts's own
  const builds: { label: string; dist: string }[] = [];
  for (const ref of listOption('--compare-ref')) {
    log(`building ${ref} for --compare-ref ...`);
    const built = await buildRef(ref, `dist-bench-ref-${ref.replace(/\W/g, '_')}`);
    builds.push({ label: built.commit, dist: built.dist });
  }
  for (const item of listOption('--compare-dist')) {
    const [label, dir] = item.includes('=') ? item.split('=', 2) as [string, string] : [basename(item).replace(/^dist-/, ''), item];
    builds.push({ label, dist: dir });
  }
  return builds.map(({ label, dist }) => {
    const chrome = resolve(root, dist, 'chrome');
    if (!existsSync(join(chrome, 'manifest.json'))) throw new Error(`--compare-dist: no built extension in ${dist}/chrome`);
    return rumscopeBuildPeer(label, chrome, flag('--compare-replay'));
  });
}
const compared = await comparedPeers();
for (const peer of compared) PEERS[peer.name] = peer;
const peerNames = [...(option('--peers') ?? DEFAULT_PEERS.join(',')).split(',').filter(Boolean), ...compared.map((p) => p.name)];

for (const name of peerNames) if (!PEERS[name]) throw new Error(`unknown peer ${name}; known: ${Object.keys(PEERS).join(', ')}`);
const peers = peerNames.map((name) => PEERS[name]!);
const baseline = peers.find((p) => p.baseline);
if (!baseline) throw new Error('--peers needs a baseline peer (no SDK)');
if (rounds < 5) log(`note: ${rounds} runs per peer (the issue asks for at least 5)`);

process.env.RUMSCOPE_DIST ??= '.tmp/dist-bench';

// ---------- server: bench page, assets, local intake ----------

type IntakeTotals = Collected;

function startServer() {
  const assets = new Map<string, { body: Buffer; type: string }>();
  const intake = new Map<string, IntakeTotals>();
  let env: BenchEnv | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' };
    if (url.pathname.startsWith('/intake/')) {
      if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
      const tag = url.pathname.split('/')[2] ?? '';
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => {
        const totals = intake.get(tag) ?? { bytes: 0, items: 0 };
        totals.bytes += bytes;
        // Replay traffic: Datadog's proxied /api/v2/replay requests, and the bare rrweb peer's /intake/<tag>/replay.
        if (url.pathname.endsWith('/replay') || (url.searchParams.get('ddforward') ?? '').includes('/replay')) totals.replayBytes = (totals.replayBytes ?? 0) + bytes;
        totals.items++;
        intake.set(tag, totals);
        res.writeHead(202, { ...cors, 'content-type': 'application/json' }).end('{}');
      });
      return;
    }
    if (url.pathname === '/echo') {
      // --console-network's API: a JSON reply of about 1 KB to every POST.
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ ok: true, echo: 'x'.repeat(1000) })));
      return;
    }
    if (url.pathname === '/bench') {
      const peer = PEERS[url.searchParams.get('peer') ?? ''];
      const tag = url.searchParams.get('run') ?? '';
      if (!peer || !env) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end(renderBenchPage(peer.head(env, { tag })));
    }
    if (url.pathname.startsWith('/assets/')) {
      const asset = assets.get(url.pathname.slice('/assets/'.length));
      if (!asset) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'public, max-age=86400' });
      return void res.end(asset.body);
    }
    res.writeHead(404, { 'cache-control': 'no-store' }).end();
  });
  return {
    server,
    assets,
    intake,
    setEnv: (next: BenchEnv) => (env = next),
    listen: () =>
      new Promise<string>((ok) =>
        server.listen(0, '127.0.0.1', () => {
          const address = server.address();
          ok(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
        }),
      ),
  };
}

// ---------- browsers ----------

async function launchPlain(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: findBrowser('chromium'),
    headless: true,
    args: CHROMIUM_FLAGS,
  });
}

// ---------- one run ----------

interface RunResult {
  peer: string;
  round: number;
  warmup: boolean;
  init: CpuSample;
  storm: CpuSample;
  stormWallMs: number;
  heapBytes: number;
  collected: Collected;
  /** What was stored/sent when the storm window closed (before the exit flush). */
  collectedAtStormEnd: Collected;
  elements: number;
  /** The peer's probe after init (true when it has none). */
  sdkRunning: boolean;
  pageErrors: string[];
}

async function measureRun(context: BrowserContext, env: BenchEnv, peer: Peer, round: number, isWarmup: boolean): Promise<RunResult> {
  const tag = `${peer.name}-${isWarmup ? 'w' : 'r'}${round}-${Date.now().toString(36)}`;
  await peer.beforeRun?.(env, { tag });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error.message).slice(0, 200)));
  const meter = await openMeter(page);
  try {
    const s0 = await meter.sample();
    await page.goto(`${env.origin}/bench?peer=${encodeURIComponent(peer.name)}&run=${tag}`, { waitUntil: 'load' });
    await sleep(INIT_SETTLE_MS);
    const s1 = await meter.sample();
    const sdkRunning = peer.probe ? Boolean(await page.evaluate(peer.probe)) : true;
    const plan = await planStorm(page);
    const s2 = await meter.sample();
    const stormStart = Date.now();
    await runStorm(page, plan, CONSOLE_NETWORK);
    const stormWallMs = Date.now() - stormStart;
    await sleep(STORM_SETTLE_MS);
    const s3 = await meter.sample();
    const collectedAtStormEnd = await peer.collected(env, { tag }, false);
    const heapBytes = await meter.heapAfterGc();
    if (flag('--heap-summary') && !isWarmup && round === rounds - 1) log(`heap of ${peer.name}, round ${round + 1}:\n${await meter.heapSummary()}`);
    await meter.close();
    await page.goto('about:blank');
    const collected = await peer.collected(env, { tag }, true);
    if (collected.breakdown) log(`replay of ${peer.name} (JSON chars by record kind): ${JSON.stringify(collected.breakdown)}`);
    const dumpFile = option('--replay-dump');
    if (dumpFile && collected.dump?.length && !isWarmup && round === rounds - 1) {
      const segments = [...collected.dump].sort((a, b) => a.start - b.start || a.seq - b.seq).map(({ text }) => decodeRecords(JSON.parse(text)));
      await writeFile(dumpFile, JSON.stringify({ peer: peer.name, segments }));
      log(`replay of ${peer.name}: ${segments.length} segments written to ${dumpFile}`);
    }
    return {
      peer: peer.name,
      round,
      warmup: isWarmup,
      init: cpuDelta(s0, s1),
      storm: cpuDelta(s2, s3),
      stormWallMs,
      heapBytes,
      collected,
      collectedAtStormEnd,
      elements: plan.elements,
      sdkRunning,
      pageErrors,
    };
  } finally {
    await meter.close();
    await page.close().catch(() => {});
  }
}

/** Commit and whether the extension's sources have uncommitted changes (no paths, no host names). */
function gitState(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const rev = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'sdk', 'extension', 'manifest.json', 'scripts');
    return `git ${rev}${dirty ? ', with uncommitted changes in sdk/ or extension/' : ', clean'}`;
  } catch {
    return 'git state unknown';
  }
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

// ---------- statistics and report ----------

type MetricKey = 'initScript' | 'initTask' | 'stormScript' | 'stormTask' | 'heapMB' | 'bytesKB' | 'replayKB' | 'bytesAtStormEndKB' | 'items';
const METRICS: Record<MetricKey, (r: RunResult) => number> = {
  initScript: (r) => r.init.scriptMs,
  initTask: (r) => r.init.taskMs,
  stormScript: (r) => r.storm.scriptMs,
  stormTask: (r) => r.storm.taskMs,
  heapMB: (r) => r.heapBytes / (KB * KB),
  bytesKB: (r) => r.collected.bytes / KB,
  replayKB: (r) => (r.collected.replayBytes ?? 0) / KB,
  bytesAtStormEndKB: (r) => r.collectedAtStormEnd.bytes / KB,
  items: (r) => r.collected.items,
};

interface PeerReport {
  name: string;
  description: string;
  browser: BrowserKind;
  scripts: ScriptSize[];
  gzipKB: number | null;
  /** Absolute values per metric. */
  absolute: Record<MetricKey, Summary>;
  /** Value minus the baseline's in the same round (not for the baseline itself). */
  extra: Record<MetricKey, Summary> | null;
  runs: RunResult[];
}

function buildReports(results: RunResult[], sizes: Map<string, ScriptSize[]>): PeerReport[] {
  const measured = results.filter((r) => !r.warmup);
  const baselineByRound = new Map(measured.filter((r) => r.peer === baseline!.name).map((r) => [r.round, r]));
  return peers.map((peer) => {
    const runs = measured.filter((r) => r.peer === peer.name);
    const absolute = {} as Record<MetricKey, Summary>;
    const extra = {} as Record<MetricKey, Summary>;
    for (const [key, read] of Object.entries(METRICS) as [MetricKey, (r: RunResult) => number][]) {
      absolute[key] = summarize(runs.map(read));
      extra[key] = summarize(
        runs.flatMap((r) => {
          const base = baselineByRound.get(r.round);
          return base ? [read(r) - read(base)] : [];
        }),
      );
    }
    const scripts = sizes.get(peer.name) ?? [];
    const counted = scripts.filter((s) => s.counted);
    return {
      name: peer.name,
      description: peer.description,
      browser: peer.browser,
      scripts,
      gzipKB: counted.length ? counted.reduce((sum, s) => sum + s.gzip, 0) / KB : null,
      absolute,
      extra: peer.baseline ? null : extra,
      runs,
    };
  });
}

const fmt = (value: number, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';
const cell = (s: Summary, digits = 0) => (s.n ? `${fmt(s.median, digits)} [${fmt(s.min, digits)}–${fmt(s.max, digits)}]` : 'n/a');

function peersTable(reports: PeerReport[]): string {
  const lines = [
    '| peer | gzip KB | init script CPU ms | init task CPU ms | storm script CPU ms | storm task CPU ms | heap after GC MB | bytes stored/sent KB | of which replay KB | of which by storm end KB | events / requests |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of reports) {
    const values = r.extra ?? r.absolute;
    const others = r.scripts.filter((s) => !s.counted);
    const gzip = r.gzipKB === null
      ? '—'
      : fmt(r.gzipKB, 1) + others.map((s) => ` (+ ${fmt(s.gzip / KB, 1)} ${s.file.split(' ')[0]})`).join('');
    lines.push(
      `| ${r.extra ? r.name + ' (extra vs baseline)' : r.name + ' (absolute)'} | ${gzip} | ${cell(values.initScript)} | ${cell(values.initTask)} | ` +
        `${cell(values.stormScript)} | ${cell(values.stormTask)} | ${cell(values.heapMB, 2)} | ${cell(r.absolute.bytesKB, 1)} | ${cell(r.absolute.replayKB, 1)} | ${cell(r.absolute.bytesAtStormEndKB, 1)} | ${cell(r.absolute.items)} |`,
    );
  }
  return lines.join('\n');
}

/**
 * "Builds compared" (--compare-ref / --compare-dist): each other build's extra (vs the baseline of the same
 * round) against the working tree's rumscope peer. Per-round ratio: rumscope's extra / the build's extra in
 * the same round (they alternate in one run), so the machine's load, which moves between rounds, cancels
 * as far as it can.
 */
function comparedTable(reports: PeerReport[]): string {
  const subjectName = flag('--compare-replay') ? 'rumscope-replay' : SUBJECT_PEER;
  const subject = reports.find((r) => r.name === subjectName);
  const others = reports.filter((r) => compared.some((p) => p.name === r.name));
  const baseRuns = new Map((reports.find((r) => r.name === baseline!.name)?.runs ?? []).map((r) => [r.round, r]));
  if (!subject?.extra || !others.length) return '';
  const keys: [string, MetricKey, number][] = [
    ['init extra script CPU ms', 'initScript', 1],
    ['storm extra script CPU ms', 'stormScript', 0],
    ['init extra task CPU ms (noisy)', 'initTask', 0],
    ['storm extra task CPU ms (noisy)', 'stormTask', 0],
    ['heap extra after GC MB', 'heapMB', 2],
  ];
  const lines = [
    `| metric | build | that build | ${subjectName} (working tree) | ratio of medians | per-round ratio median [min–max] |`,
    '|---|---|---|---|---|---|',
  ];
  const extraOf = (report: PeerReport, round: number, key: MetricKey) => {
    const run = report.runs.find((r) => r.round === round);
    const base = baseRuns.get(round);
    return run && base ? METRICS[key](run) - METRICS[key](base) : NaN;
  };
  for (const other of others) {
    for (const [label, key, digits] of keys) {
      const perRound = [...baseRuns.keys()]
        .map((round) => extraOf(subject, round, key) / extraOf(other, round, key))
        .filter(Number.isFinite);
      const a = other.extra![key];
      const b = subject.extra[key];
      lines.push(
        `| ${label} | ${other.name} | ${cell(a, digits)} | ${cell(b, digits)} | ${a.median > 0 ? fmt(b.median / a.median, 2) + '×' : 'n/a'} | ${cell(summarize(perRound), 2)} |`,
      );
    }
  }
  return lines.join('\n');
}

interface TargetRow {
  metric: string;
  subject: string;
  reference: string;
  ratio: number | null;
  target: string;
  verdict: 'pass' | 'MISS' | 'info' | 'n/a' | 'INVALID (an SDK did not run)';
}

function targetRows(reports: PeerReport[]): TargetRow[] {
  const subject = reports.find((r) => r.name === SUBJECT_PEER);
  const reference = reports.find((r) => r.name === REFERENCE_PEER);
  if (!subject?.extra) return [];
  // A CPU/heap/bytes verdict means nothing if either SDK failed to start in some run.
  const broken = [subject, reference].some((r) => r?.runs.some((run) => !run.sdkRunning));
  const rows: TargetRow[] = [];
  const captureGzip = (subject.scripts.find((s) => s.counted)?.gzip ?? NaN) / KB;
  rows.push({
    metric: 'capture gzip KB (capture.js)',
    subject: fmt(captureGzip, 1),
    reference: reference?.gzipKB != null ? fmt(reference.gzipKB, 1) : 'n/a',
    ratio: reference?.gzipKB ? captureGzip / reference.gzipKB : null,
    target: `≤ ${TARGETS.captureGzipKB} KB`,
    verdict: captureGzip <= TARGETS.captureGzipKB ? 'pass' : 'MISS',
  });
  const ratioRow = (metric: string, key: MetricKey, digits: number, limit: number | null): TargetRow => {
    const s = subject.extra![key];
    const ref = reference?.extra?.[key];
    const ratio = ref && ref.median > 0 ? s.median / ref.median : null;
    const verdict: TargetRow['verdict'] =
      limit === null ? 'info' : broken ? 'INVALID (an SDK did not run)' : ratio === null ? 'n/a' : ratio <= limit ? 'pass' : 'MISS';
    return { metric, subject: cell(s, digits), reference: ref ? cell(ref, digits) : 'n/a', ratio, target: limit === null ? '—' : `≤ ${limit}×`, verdict };
  };
  rows.push(ratioRow('init extra script CPU ms', 'initScript', 0, TARGETS.initScriptRatio));
  rows.push(ratioRow('storm extra script CPU ms', 'stormScript', 0, TARGETS.stormScriptRatio));
  rows.push(ratioRow('heap extra after GC MB', 'heapMB', 2, TARGETS.heapRatio));
  rows.push(ratioRow('init extra task CPU ms', 'initTask', 0, null));
  rows.push(ratioRow('storm extra task CPU ms', 'stormTask', 0, null));
  const bytes = subject.absolute.bytesKB;
  const refBytes = reference?.absolute.bytesKB;
  rows.push({
    metric: 'bytes stored (Rumscope) / sent (Datadog) KB',
    subject: cell(bytes, 1),
    reference: refBytes ? cell(refBytes, 1) : 'n/a',
    ratio: refBytes && refBytes.median > 0 ? bytes.median / refBytes.median : null,
    target: '—',
    verdict: 'info',
  });
  return rows;
}

function targetsTable(rows: TargetRow[]): string {
  const lines = [
    `| metric | ${SUBJECT_PEER} | ${REFERENCE_PEER} (RUM only) | ratio | target | verdict |`,
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.metric} | ${r.subject} | ${r.reference} | ${r.ratio === null ? 'n/a' : fmt(r.ratio, 2) + '×'} | ${r.target} | ${r.verdict} |`),
  ];
  return lines.join('\n');
}

// ---------- main ----------

async function main() {
  if (scenario === 'server') return runServer();
  const started = Date.now();
  const capture = scenario === 'panel' || scenario === 'replay' ? null : await runCapture(started);
  const panel = scenario === 'capture' || scenario === 'replay' ? null : await runPanel();
  const replay = scenario === 'replay' || scenario === 'all' ? await runReplay() : null;
  const md = [capture?.md, panel, replay].filter(Boolean).join('\n');
  if (scenario === 'panel' || scenario === 'replay') process.stdout.write(md);
  if (!flag('--no-write')) {
    const date = new Date().toISOString().slice(0, 10);
    const outDir = join(root, 'bench', 'results');
    await mkdir(outDir, { recursive: true });
    const base = join(outDir, `${date}-${machineSummary()}${scenario === 'all' ? '' : `-${scenario}`}`);
    await writeFile(base + '.md', md);
    if (capture) await writeFile(base + '.json', JSON.stringify(capture.json, null, 2) + '\n');
    log(`wrote ${relative(root, base)}.md${capture ? ' and .json' : ''}`);
  }
}

function machineSummary() {
  return `${cpus().length}core-node${process.versions.node.split('.')[0]}`;
}

/** The team server's ingest and session list (bench/serverIngest.ts): writes results/<date>-<machine>-server.md. */
async function runServer() {
  const { optionsFromArgv, resultPath, runServerBench } = await import('./serverIngest');
  const md = await runServerBench(optionsFromArgv());
  process.stdout.write(md);
  if (!flag('--no-write')) {
    await writeFile(resultPath(), md);
    log(`wrote ${relative(root, resultPath())}`);
  }
}

/** The replay's time to first frame of a 60-minute session (bench/replayFirstFrame.ts), on a test build of the working tree. */
async function runReplay(): Promise<string> {
  if (!flag('--skip-build')) {
    log('building a test build of the working tree for the replay bench ...');
    execFileSync('npx', ['tsx', 'scripts/build.ts', '--test'], { cwd: root, env: process.env, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const { runReplayFirstFrameBench } = await import('./replayFirstFrame');
  return runReplayFirstFrameBench();
}

async function runPanel(): Promise<string> {
  const { runPanelBench } = await import('./panel');
  // In 'all' the capture half has just built the working tree; the landed build is always built.
  const md = await runPanelBench({ build: scenario === 'panel' && !flag('--skip-build') });
  process.stdout.write(md);
  return md;
}

async function runCapture(started: number) {
  const distRel = relative(root, resolve(root, process.env.RUMSCOPE_DIST!)) || '.';
  let buildNote = `Rumscope: prebuilt extension in ${distRel} (--skip-build).`;
  if (!flag('--skip-build') && peers.some((p) => p.browser === 'extension')) {
    log(`building the extension into ${distRel} ...`);
    execFileSync('npx', ['tsx', 'scripts/build.ts'], { cwd: root, env: process.env, stdio: ['ignore', 'ignore', 'inherit'] });
    buildNote = `Rumscope: built by this run into ${distRel} from the working tree (${gitState()}).`;
  }

  await mkdir(join(root, '.tmp'), { recursive: true });
  const workDir = await mkdtemp(join(root, '.tmp', 'bench-'));
  const server = startServer();
  const origin = await server.listen();
  /** One Chromium per extension build (by chrome folder), launched on first use. */
  const extensions = new Map<string, Promise<ChromiumWithExtension>>();
  let plain: Promise<BrowserContext> | undefined;
  const env: BenchEnv = {
    origin,
    workDir,
    serveAsset(name, body, type = 'text/javascript; charset=utf-8') {
      server.assets.set(name, { body: typeof body === 'string' ? Buffer.from(body) : body, type });
      return `/assets/${name}`;
    },
    intake: (tag) => ({ ...(server.intake.get(tag) ?? { bytes: 0, items: 0 }) }),
    extension(dist = distDir('chrome')) {
      let launched = extensions.get(dist);
      // A release build: the bench measures what ships and drives no test hook.
      if (!launched) extensions.set(dist, (launched = launchChromium({ dist, release: true })));
      return launched;
    },
  };
  server.setEnv(env);
  const contextFor = async (peer: Peer) =>
    peer.browser === 'extension' ? (await env.extension(peer.dist)).context : await (plain ??= launchPlain(join(workDir, 'profile-plain')));

  const results: RunResult[] = [];
  const sizes = new Map<string, ScriptSize[]>();
  let chromiumVersion = '';
  try {
    for (const peer of peers) sizes.set(peer.name, await peer.prepare(env));
    // Every browser up before the first round (one plain, one per extension build).
    for (const peer of peers) {
      const context = await contextFor(peer);
      chromiumVersion ||= context.browser()?.version() ?? '';
    }
    const total = warmup + rounds;
    for (let round = 0; round < total; round++) {
      const isWarmup = round < warmup;
      const order = peers.map((_, i) => peers[(i + round) % peers.length]!);
      for (const peer of order) {
        const result = await measureRun(await contextFor(peer), env, peer, round - warmup, isWarmup);
        results.push(result);
        log(
          `${isWarmup ? 'warm-up' : `round ${round - warmup + 1}/${rounds}`} ${peer.name.padEnd(15)} ` +
            `init ${fmt(result.init.scriptMs)}/${fmt(result.init.taskMs)} ms, storm ${fmt(result.storm.scriptMs)}/${fmt(result.storm.taskMs)} ms ` +
            `(script/task), heap ${fmt(result.heapBytes / KB / KB, 2)} MB, ${fmt(result.collected.bytes / KB, 1)} KB in ${result.collected.items}` +
            (result.pageErrors.length ? `, page errors: ${result.pageErrors.join(' | ')}` : ''),
        );
      }
    }
  } finally {
    for (const launched of extensions.values()) await (await launched.catch(() => undefined))?.close();
    if (plain) await (await plain.catch(() => undefined))?.close().catch(() => {});
    await new Promise((ok) => server.server.close(ok));
    await rm(workDir, { recursive: true, force: true });
  }

  // ---------- report ----------
  const reports = buildReports(results, sizes);
  const rows = targetRows(reports);
  const date = new Date().toISOString().slice(0, 10);
  const nodeMajor = process.versions.node.split('.')[0];
  const machineName = `${cpus().length}core-node${nodeMajor}`;
  const machine = {
    summary: machineName,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGB: Math.round(totalmem() / 1024 ** 3),
    os: `${platform()} ${release()}`,
    node: process.versions.node,
    chromium: chromiumVersion,
  };
  const warnings: string[] = [];
  for (const r of results.filter((x) => !x.warmup)) {
    if (!r.sdkRunning) warnings.push(`${r.peer} round ${r.round + 1}: SDK not running after init (probe: ${PEERS[r.peer]!.probe})`);
    if (!PEERS[r.peer]!.baseline && r.collected.bytes === 0) warnings.push(`${r.peer} round ${r.round + 1}: no bytes stored/sent`);
    if (r.pageErrors.length) warnings.push(`${r.peer} round ${r.round + 1}: page errors: ${r.pageErrors.join(' | ')}`);
  }
  const elements = summarize(results.map((r) => r.elements));
  const stormWall = summarize(results.filter((r) => !r.warmup).map((r) => r.stormWallMs));

  const md = [
    `# Rumscope bench — ${date}, ${machineName}`,
    '',
    `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGB} GB, ${machine.os}, Node ${machine.node}, Chromium ${machine.chromium}.`,
    `Page: ${fmt(elements.median)} elements; storm: ${fmt(STORM.mutations)} DOM mutations, ${STORM.steps} trusted clicks, ${STORM.steps} trusted key presses ` +
      `(median ${fmt(stormWall.median)} ms wall). Runs: ${rounds} per peer, alternating (order rotated per round), after ${warmup} warm-up round(s).`,
    buildNote + (option('--note') ? ' ' + option('--note') : ''),
    'CPU: main-thread CPU from CDP Performance.getMetrics (threadTicks): ScriptDuration ("script") and TaskDuration ("task"). ' +
      `Init = before navigation → load + ${INIT_SETTLE_MS} ms; storm = storm + ${STORM_SETTLE_MS} ms. ` +
      'Heap: Runtime.getHeapUsage after HeapProfiler.collectGarbage. Extra = peer minus the no-SDK baseline of the same round; cells are median [min–max]. ' +
      'KB = 1,024 bytes; gzip -9.',
    '',
    '## Peers',
    '',
    ...reports.map((r) => `- **${r.name}**: ${r.description}${r.scripts.length ? ` — ${r.scripts.map((s) => `${s.file} ${fmt(s.raw / KB, 1)} KB raw / ${fmt(s.gzip / KB, 1)} KB gzip`).join(', ')}` : ''}.`),
    '',
    peersTable(reports),
    '',
    ...(compared.length ? ['## Builds compared', '', comparedTable(reports), ''] : []),
    '## Targets (Rumscope vs Datadog RUM-only)',
    '',
    targetsTable(rows),
    '',
    ...(warnings.length ? ['## Warnings', '', ...warnings.map((w) => `- ${w}`), ''] : []),
    '## Method notes',
    '',
    '- Browsers: Rumscope peers run in Chromium with the built extension (RUMSCOPE_DIST); the baseline and Datadog run in the same ' +
      'Chromium binary, same flags and viewport, without it (the bench page is on a loopback host, which the extension records by default, so the ' +
      'other peers run where it is not loaded). Both are fresh persistent profiles. The extension\'s service worker runs in its own process: its ' +
      'validation and IndexedDB writes are not on the page\'s thread and not counted; the relay (isolated world) is.',
    '- Rumscope starts at document_start (its content scripts); Datadog is a synchronous <script> first in <head> followed by ' +
      'DD_RUM.init (its documented synchronous setup). Both windows start before navigation. Datadog\'s script is served cacheable ' +
      'and, being an external parser-blocking script, is compiled off the main thread (streaming); content scripts compile on it.',
    '- Datadog gzip is the vite IIFE of the npm package, in which its lazily loaded recorder and profiler chunks are inlined ' +
      '(an IIFE cannot split); the package\'s own CDN bundle keeps them in separate chunks loaded on demand.',
    '- Script CPU is the measure to judge by. Task CPU also counts rendering (style, layout, paint, hit tests) of the ' +
      '5,000-element page, whose frame count follows the storm\'s wall-clock pace on a loaded machine: its extras are ' +
      'dominated by that noise (wide ranges, even negative), so they are shown for information only.',
    '- Bytes: Rumscope = UTF-8 JSON of each event record the extension stored for the run\'s page (with the ids it adds); ' +
      'Datadog = request bodies its transport sent to the local intake (uncompressed, its default). Counted after navigating ' +
      'away, so the exit flush is in; the CPU of that exit flush is in no window ("by storm end" shows what left before).',
    '',
    `Total bench time ${fmt((Date.now() - started) / 1000)} s. Command: \`npm run bench${process.argv.slice(2).length ? ' -- ' + process.argv.slice(2).join(' ') : ''}\`.`,
    '',
  ].join('\n');

  process.stdout.write(md);
  const json = {
    date,
    machine,
    config: { rounds, warmup, peers: peerNames, initSettleMs: INIT_SETTLE_MS, stormSettleMs: STORM_SETTLE_MS, storm: { ...STORM, mutations: STORM.mutations }, targets: TARGETS },
    peers: reports,
    targets: rows,
    warnings,
  };
  return { md, json };
}

await main();
