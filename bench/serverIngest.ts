/**
 * The team server's figures (issue 12): ingest events per CPU-second of the server process, and the session list's
 * latency with two filters and a search over many sessions, on SQLite and on PostgreSQL.
 *
 * Ingest: the real server (server/main.ts) runs in its own process, pinned to one core (`taskset -c 0` when the
 * machine has it); the bench posts the extension's sync payload (an export bundle of 20 sessions, gzip, as
 * extension/sync/syncSessions.ts sends it) to the real intake route over loopback HTTP, a few requests in flight.
 * Reported: events per CPU-second of the server process (utime + stime from /proc, so other load on the machine
 * does not count against it), and events per wall-clock second on its one pinned core (which does). On PostgreSQL
 * the database's own processes' CPU is reported beside it (machine-wide, all postgres processes), not added.
 *
 * List: sessions are seeded straight into the tables (multi-row inserts in large transactions) with the rows the
 * intake writes — the session row with its list columns (sqlRepository's sessionRowColumns), its search texts and
 * terms (server/db/search.ts's distinctTexts / termRows over the model's searchTexts), a change row — but no event
 * rows (the list never reads them; a million sessions' events would be 100 million rows). Then GET /api/sessions
 * with a country, a browser and a search term (`q`), 50 a page, in each sort of the dashboard in both directions,
 * timed by the client over loopback HTTP (cookie session). Each sort starts with `--list-warmup` unmeasured requests
 * (default 3, one per filter, the filters rotated as in the measured ones), for every build alike: a server measured
 * right after a migration (the working tree's, with `--compare-ref`) meets its rewritten tables and indexes with cold
 * caches, and with 15 requests a sort the p95 is the slowest one, so a cold first request of a filter would be the
 * p95 of the first sort measured rather than the list's steady latency.
 *
 * `--compare-ref <ref>`: the server of that git ref (e.g. main before a change) in the same run: its ingest on its
 * own fresh database alternating with the working tree's, and its list queries on the seeded database before the
 * working tree's server migrates it (the migration's time is reported).
 *
 * Options: --dialects sqlite,postgres  --batches N (measured uploads per build, default 30)  --warmup N (unmeasured uploads
 *          first, default 20: the steady rate of a running server; with 3, V8 was still optimising the intake's code during
 *          the measured uploads, ~10 % of a profile's samples)
 *          --concurrency N (default 4)  --sizes 100000,1000000 (sessions for the list; seeded in steps)  --reps N
 *          (requests per sort, default 15)  --list-warmup N (unmeasured list requests before each sort's measured
 *          ones, default 3: one per filter)  --profile (node --cpu-prof of the working tree's server into
 *          .tmp/prof-server)  --skip-list (ingest only: no seeding, the results go to …-server-ingest.md)  --skip-ingest
 *          --no-write  --note "text"  --seeded-db <name> (see below)  --seed-only (with --seeded-db: seed it, measure nothing).
 *
 * `--seeded-db <name>` (one size in --sizes): the seeded database is kept after the run — an SQLite file
 * .tmp/bench-db/<name>-sqlite.sqlite, a PostgreSQL database rumscope_bench_<name> beside the test databases — at the
 * migration it was seeded at, and a later run with the same name and size reuses it instead of seeding again (a
 * million sessions take 10–20 min per database on a loaded machine). Each run measures a copy of it (a file copy;
 * CREATE DATABASE … TEMPLATE), so the working tree's migrations never touch the kept one and a compared ref can read
 * it again — unless no build would migrate it: then it is measured in place (a copy takes minutes at a million).
 * Delete the file / DROP DATABASE to seed afresh. Without the flag every run seeds a throw-away database.
 *
 * `--seed-base N` (the size a multiple of N): N sessions are made row by row as above, then the database copies them
 * until the size is reached — each copy with its own id (`<id>-r07`), its own start time (spread over the same 60 days
 * by a hash of its number; its record's id and times set to match) and the same list columns and search terms — with
 * the secondary indexes of `sessions` and `search_terms` dropped while copying and built again afterwards from their
 * own definitions. Copies get no search texts or change rows (the list reads neither). It takes minutes instead of an
 * hour for a million sessions on a loaded machine; the facets and terms keep their proportions.
 * `npx tsx bench/serverIngest.ts` runs it alone; `npm run bench -- --scenario server` runs it from bench/run.ts.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import SQLite from 'better-sqlite3';
import { EXPORT_FORMAT, EXPORT_VERSION, SCHEMA_VERSION, SERVER_ROUTES, UPLOAD_TOKEN_HEADER, type SessionRecord, type StoredEvent, type UploadRequest } from '../sdk/schema';
import { createAuthSession, createUploadToken, createUser } from '../server/accounts/accounts';
import { SESSION_COOKIE } from '../server/plugins/authenticate';
import { migrate, openDatabase, sqlitePath, type Store } from '../server/db/openDatabase';
import { sessionRowColumns } from '../server/db/sqlRepository';
import { distinctTexts, searchTexts, termRows } from '../server/db/search';
import { createTestDatabase, DEFAULT_TEST_POSTGRES_URL, type TestDatabase } from '../server/testing/testStores';
import type { Dialect } from '../server/db/openDatabase';
import { rng, picker } from './rng';

const root = resolve(import.meta.dirname, '..');
const log = (message: string) => process.stderr.write(message + '\n');

// ---------- options ----------

export interface ServerBenchOptions {
  dialects: Dialect[];
  batches: number;
  warmup: number;
  concurrency: number;
  sizes: number[];
  reps: number;
  /** Unmeasured list requests before each sort's measured ones (see the header). */
  listWarmup: number;
  profile: boolean;
  skipList: boolean;
  skipIngest: boolean;
  compareRef: string | null;
  note: string | null;
  /** Keep the seeded database under this name and reuse it on the next run (see the header). */
  seededDb: string | null;
  /** With seededDb: seed the kept database when it does not hold the size yet, measure nothing. */
  seedOnly: boolean;
  /** Sessions made row by row before the rest are copies made in the database (see the header); null: all made row by row. */
  seedBase: number | null;
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

export function optionsFromArgv(): ServerBenchOptions {
  return {
    dialects: (option('--dialects') ?? 'sqlite,postgres').split(',').filter(Boolean) as Dialect[],
    batches: Number(option('--batches') ?? 30),
    warmup: Number(option('--warmup') ?? 20),
    concurrency: Number(option('--concurrency') ?? 4),
    sizes: (option('--sizes') ?? '100000,1000000').split(',').filter(Boolean).map(Number),
    reps: Number(option('--reps') ?? 15),
    listWarmup: Number(option('--list-warmup') ?? 3),
    profile: process.argv.includes('--profile'),
    skipList: process.argv.includes('--skip-list'),
    skipIngest: process.argv.includes('--skip-ingest'),
    compareRef: option('--compare-ref') ?? null,
    note: option('--note') ?? null,
    seededDb: option('--seeded-db') ?? null,
    seedOnly: process.argv.includes('--seed-only'),
    seedBase: option('--seed-base') ? Number(option('--seed-base')) : null,
  };
}

// ---------- synthetic visits ----------

const SITES = ['https://shop.example.com', 'https://app.example.org', 'https://docs.example.net', 'https://blog.example.io', 'https://admin.example.com', 'https://status.example.dev'];
const COUNTRIES: [string, string[]][] = [
  ['US', ['New York', 'Austin', 'Seattle']],
  ['DE', ['Berlin', 'Munich', 'Hamburg']],
  ['FR', ['Paris', 'Lyon']],
  ['GB', ['London', 'Leeds']],
  ['JP', ['Tokyo', 'Osaka']],
  ['BR', ['São Paulo', 'Recife']],
  ['IN', ['Bengaluru', 'Pune']],
  ['CA', ['Toronto', 'Montréal']],
  ['ES', ['Madrid', 'Valencia']],
  ['NL', ['Amsterdam', 'Utrecht']],
];
const BROWSERS = [['Chrome', '156'], ['Firefox', '140'], ['Safari', '18.4'], ['Edge', '156']] as const;
const OSES = ['Windows', 'macOS', 'Linux', 'Android', 'iOS'];
const DEVICES = ['Desktop', 'Mobile', 'Tablet'] as const;
const PATHS = ['/', '/products', '/products/shoes', '/products/hats', '/products/bags', '/cart', '/checkout', '/checkout/payment', '/checkout/done', '/account', '/account/orders', '/search', '/help', '/blog/spring-sale', '/login'];
const APIS = [['GET', '/api/products'], ['POST', '/api/cart'], ['GET', '/api/user'], ['POST', '/api/checkout'], ['GET', '/api/search'], ['GET', '/api/orders'], ['POST', '/api/events']] as const;
const ERRORS = [
  ['TypeError', "Cannot read properties of undefined (reading 'price')"],
  ['ReferenceError', 'analytics is not defined'],
  ['Error', 'Payment declined by the bank'],
  ['SyntaxError', 'Unexpected token < in JSON at position 0'],
  ['TypeError', 'Failed to fetch'],
] as const;
const ACTIONS = ['Add to cart', 'Buy now', 'Search', 'Sign in', 'Next page', 'Apply coupon', 'Open menu', 'Close dialog'];
const ENVS = ['production', 'staging'];
const VERSIONS = ['1.4.0', '1.4.1', '1.5.0', '2.0.0-rc.1'];

export interface Visit {
  session: SessionRecord;
  events: StoredEvent[];
}

/**
 * One session of about `eventCount` events on one page load, as the extension exports it: views with their resources,
 * API calls, clicks, vitals, long tasks and now and then a console warning or an error.
 */
export function makeVisit(rand: () => number, id: string, startedAt: number, eventCount: number): Visit {
  const pick = picker(rand);
  const loadId = `${id}-l`;
  const site = pick(SITES);
  const tz = 60;
  const events: StoredEvent[] = [];
  const counts = { events: 0, views: 0, actions: 0, errors: 0, apiCalls: 0, resources: 0, longTasks: 0 };
  let time = startedAt;
  let view = 0;
  const push = (event: Record<string, unknown>) => {
    events.push({ ...event, time, tz, viewId: `${id}-v${view}`, sessionId: id, loadId, seq: events.length, tabId: 3, frameId: 0, schema: SCHEMA_VERSION } as unknown as StoredEvent);
    time += 200 + Math.floor(rand() * 3000);
  };
  while (events.length < eventCount) {
    view++;
    const path = pick(PATHS);
    push({ type: 'view', url: `${site}${path}${rand() < 0.3 ? `?ref=${Math.floor(rand() * 100)}` : ''}`, referrer: '', title: `Example — ${path.split('/').pop() || 'home'}`, navigation: view === 1 ? 'initial' : 'push', loadingTime: 100 + Math.floor(rand() * 900) });
    counts.views++;
    for (let i = 0; i < 5 && events.length < eventCount; i++) {
      push({ type: 'resource', url: `${site}/assets/${pick(['app', 'vendor', 'styles', 'logo', 'font'])}.${i}.js`, resourceType: pick(['script', 'css', 'image', 'font']), duration: rand() * 300, timing: { dns: 0, connect: 0, tls: null, request: rand() * 50, response: rand() * 100 }, transferSize: Math.floor(rand() * 90_000), renderBlocking: rand() < 0.2 });
      counts.resources++;
    }
    for (let i = 0; i < 3 && events.length < eventCount; i++) {
      const [method, path] = pick(APIS);
      push({ type: 'api', via: 'fetch', method, url: `${site}${path}?page=${Math.floor(rand() * 9)}`, status: rand() < 0.05 ? 500 : 200, duration: rand() * 400, requestSize: method === 'POST' ? 300 : null, responseSize: Math.floor(rand() * 20_000), timing: null });
      counts.apiCalls++;
    }
    for (let i = 0; i < 3 && events.length < eventCount; i++) {
      push({ type: 'action', action: 'click', name: pick(ACTIONS), selector: `#${pick(['buy', 'cart', 'menu', 'search', 'next'])}`, x: Math.floor(rand() * 1200), y: Math.floor(rand() * 700), rage: rand() < 0.02, dead: rand() < 0.05, errorClick: false });
      counts.actions++;
    }
    if (events.length < eventCount) push({ type: 'vital', name: pick(['LCP', 'CLS', 'INP', 'FCP', 'TTFB']), value: rand() * 3000, supported: true, rating: pick(['good', 'needs-improvement', 'poor']) });
    if (events.length < eventCount) {
      push({ type: 'long_task', kind: 'long-animation-frame', duration: 50 + rand() * 200 });
      counts.longTasks++;
    }
    if (events.length < eventCount && rand() < 0.3) push({ type: 'console', level: 'warn', message: `deprecated option ${pick(['legacyCart', 'oldSearch', 'v1Api'])} used`, args: ['deprecated'], count: 1 });
    if (events.length < eventCount && rand() < 0.15) {
      const [errorType, message] = pick(ERRORS);
      push({ type: 'error', source: 'uncaught', errorType, message, stack: `${errorType}: ${message}\n    at render (${site}/assets/app.js:1:2345)`, frames: [{ fn: 'render', url: `${site}/assets/app.js`, line: 1, column: 2345 }] });
      counts.errors++;
    }
  }
  counts.events = events.length;
  const [country, cities] = pick(COUNTRIES);
  const [browser, browserVersion] = pick(BROWSERS);
  const user = rand() < 0.7 ? { id: `u${Math.floor(rand() * 5000)}`, email: `user${Math.floor(rand() * 5000)}@example.com`, name: 'Sam' } : null;
  const lastEventAt = events.at(-1)!.time;
  const session: SessionRecord = {
    id,
    site,
    startedAt,
    lastEventAt,
    lastActivityAt: lastEventAt,
    endedAt: lastEventAt + 15 * 60_000,
    endReason: 'inactivity',
    tz,
    user,
    global: { plan: pick(['free', 'pro', 'team']) },
    app: { service: 'shop', env: pick(ENVS), version: pick(VERSIONS) },
    browser: { name: browser, version: browserVersion },
    os: { name: pick(OSES), version: null },
    deviceType: pick(DEVICES),
    screen: { width: 1920, height: 1080 },
    viewport: { width: 1280, height: 720 },
    connectionType: null,
    effectiveType: '4g',
    language: 'en-GB',
    timeZone: 'Europe/Berlin',
    geo: { country, city: pick(cities), region: null },
    counts,
    sampled: true,
    replay: false,
    pinned: 0,
    overheadMs: rand() * 5,
    bytes: events.length * 400,
  };
  return { session, events };
}

function uploadOf(visits: Visit[], batchId: string): UploadRequest {
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    schema: SCHEMA_VERSION,
    exportedAt: Date.now(),
    source: { name: 'rumscope-extension', version: '0.1.0' },
    batchId,
    sessions: visits.map(({ session, events }) => ({ session, events })),
  };
}

// ---------- the server in its own process ----------

const CLOCK_TICKS = 100;

/** utime + stime of a process in ms (Linux /proc), or NaN. */
function processCpuMs(pid: number): number {
  const { user, system } = processCpuSplit(pid);
  return user + system;
}

/** utime and stime of a process in ms (Linux /proc), or NaN. */
function processCpuSplit(pid: number): { user: number; system: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: (Number(fields[11]) * 1000) / CLOCK_TICKS, system: (Number(fields[12]) * 1000) / CLOCK_TICKS };
  } catch {
    return { user: NaN, system: NaN };
  }
}

/** CPU ms of every `postgres` process on the machine (the database's share of an ingest on PostgreSQL). */
function postgresCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      total += processCpuMs(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

interface ServerProcess {
  url: string;
  pid: number;
  cpuMs(): number;
  /** Of cpuMs, the kernel's part (stime). */
  systemMs(): number;
  stop(): Promise<void>;
}

/** server/main.ts of `dir` (the working tree, or a compared ref's tree) on `databaseUrl`, pinned to core 0. */
async function startServerProcess(dir: string, databaseUrl: string, profileDir: string | null): Promise<ServerProcess> {
  const port = await freePort();
  const nodeArgs = ['--import', 'tsx', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), 'server/main.ts'];
  const child: ChildProcess = spawn(hasTaskset ? 'taskset' : process.execPath, hasTaskset ? ['-c', '0', process.execPath, ...nodeArgs] : nodeArgs, {
    cwd: dir,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', UPLOADS_PER_MINUTE: '1000000', MAX_UPLOAD_BYTES: String(64 * 1024 * 1024) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((ok) => child.on('exit', () => ok()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 1_800_000; // a migration of a million sessions (37 M term rows rewritten by v12) runs before it listens
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${stderr}`);
    const ok = await fetch(`${url}${SERVER_ROUTES.health}`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`the server did not answer /healthz: ${stderr}`);
    await new Promise((done) => setTimeout(done, 100));
  }
  return {
    url,
    pid: child.pid!,
    cpuMs: () => processCpuMs(child.pid!),
    systemMs: () => processCpuSplit(child.pid!).system,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A git ref's tree in .tmp (its server runs from there with the working tree's node_modules). */
function checkoutRef(ref: string): { dir: string; commit: string } {
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { cwd: root, encoding: 'utf8' }).trim();
  const dir = join(root, '.tmp', `server-ref-${commit}`);
  if (!existsSync(join(dir, 'server', 'main.ts'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${dir}"`], { cwd: root });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  }
  return { dir, commit };
}

// ---------- ingest ----------

interface IngestFigures {
  build: string;
  dialect: Dialect;
  events: number;
  wallMs: number;
  serverCpuMs: number;
  serverSystemMs: number;
  postgresCpuMs: number | null;
}

const SESSIONS_PER_BATCH = 20; // extension/sync/syncSessions.ts: batchSessions
const EVENTS_PER_SESSION = 100;

function makeBatches(count: number, seed: number): { bodies: Buffer[]; events: number } {
  const rand = rng(seed);
  const bodies: Buffer[] = [];
  let events = 0;
  const base = Date.now() - 3 * 86_400_000;
  for (let b = 0; b < count; b++) {
    const visits: Visit[] = [];
    for (let s = 0; s < SESSIONS_PER_BATCH; s++) {
      const id = `b${seed}-${b}-${s}-${Math.floor(rand() * 1e9).toString(36)}`;
      visits.push(makeVisit(rand, id, base + (b * SESSIONS_PER_BATCH + s) * 1000, EVENTS_PER_SESSION));
    }
    events += visits.reduce((n, v) => n + v.events.length, 0);
    bodies.push(gzipSync(JSON.stringify(uploadOf(visits, `batch-${seed}-${b}`))));
  }
  return { bodies, events };
}

async function postAll(url: string, token: string, bodies: Buffer[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const response = await fetch(`${url}${SERVER_ROUTES.upload}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', [UPLOAD_TOKEN_HEADER]: token },
        body: new Uint8Array(body),
      });
      const text = await response.text();
      if (response.status !== 201) throw new Error(`upload answered ${response.status}: ${text.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function seedAccount(store: Store): Promise<{ userId: string; token: string }> {
  const existing = await store.db.selectFrom('users').select('id').where('email', '=', 'bench@example.com').executeTakeFirst();
  const userId = existing?.id ?? (await createUser(store, { email: 'bench@example.com', password: 'bench password 1', role: 'admin' })).id;
  const { token } = await createUploadToken(store, userId, 'bench');
  return { userId, token };
}

async function measureIngest(build: { label: string; dir: string }, dialect: Dialect, options: ServerBenchOptions, seed: number, profileDir: string | null): Promise<IngestFigures> {
  const database = await createTestDatabase(dialect);
  try {
    // At the build's own latest migration: an older build refuses a database migrated past it.
    const store = await database.openMigrated(await latestMigrationOf(build.dir));
    const { token } = await seedAccount(store);
    await store.close();
    const warm = makeBatches(options.warmup, seed + 1);
    const measured = makeBatches(options.batches, seed);
    const server = await startServerProcess(build.dir, database.url, profileDir);
    try {
      await postAll(server.url, token, warm.bodies, options.concurrency);
      const cpu0 = server.cpuMs();
      const system0 = server.systemMs();
      const pg0 = dialect === 'postgres' ? postgresCpuMs() : 0;
      const t0 = performance.now();
      await postAll(server.url, token, measured.bodies, options.concurrency);
      const wallMs = performance.now() - t0;
      const serverCpuMs = server.cpuMs() - cpu0;
      const serverSystemMs = server.systemMs() - system0;
      const postgres = dialect === 'postgres' ? postgresCpuMs() - pg0 : null;
      return { build: build.label, dialect, events: measured.events, wallMs, serverCpuMs, serverSystemMs, postgresCpuMs: postgres };
    } finally {
      await server.stop();
    }
  } finally {
    await database.drop();
  }
}

// ---------- seeding for the list ----------

const SEED_CHUNK = 2000;
const SEED_EVENTS = 13;

interface SeedRows {
  sessions: Record<string, unknown>[];
  texts: { session_id: string; kind: string; text: string }[];
  terms: { term: string; session_id: string; kind: string; hits: number }[];
  changes: { session_id: string; changed_at: number }[];
}

/** The rows the intake writes for `count` sessions (no event rows: see the header). */
export function seedRows(rand: () => number, from: number, count: number, uploader: string, now: number): SeedRows {
  const out: SeedRows = { sessions: [], texts: [], terms: [], changes: [] };
  for (let i = from; i < from + count; i++) {
    const id = `s${i.toString(36).padStart(8, '0')}-${Math.floor(rand() * 1e12).toString(36)}`;
    const startedAt = now - Math.floor(rand() * 60 * 86_400_000);
    const { session, events } = makeVisit(rand, id, startedAt, SEED_EVENTS + Math.floor(rand() * 4));
    out.sessions.push({ id, uploaded_by: uploader, ...sessionRowColumns(session, now) });
    const texts = distinctTexts(searchTexts(events, [session]).get(id) ?? []).map(([kind, text]) => ({ session_id: id, kind, text }));
    out.texts.push(...texts);
    out.terms.push(...termRows(id, texts));
    out.changes.push({ session_id: id, changed_at: now });
  }
  return out;
}

interface Seeder {
  insert(rows: SeedRows): Promise<void>;
  close(): Promise<void>;
}

export function sqliteSeeder(url: string): Seeder {
  const db = new SQLite(sqlitePath(url));
  db.pragma('journal_mode = WAL');
  db.pragma("synchronous = NORMAL");
  db.pragma("cache_size = -512000"); // 500 MB: the search terms go in in random order
  const statements = new Map<string, SQLite.Statement>();
  const insertRow = (table: string, row: Record<string, unknown>) => {
    const columns = Object.keys(row);
    const key = `${table}:${columns.join(',')}`;
    let statement = statements.get(key);
    if (!statement) statements.set(key, (statement = db.prepare(`insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`)));
    statement.run(...columns.map((c) => row[c]));
  };
  const all = db.transaction((rows: SeedRows) => {
    for (const row of rows.sessions) insertRow('sessions', row);
    for (const row of rows.texts) insertRow('search_texts', row);
    for (const row of rows.terms) insertRow('search_terms', row);
    for (const row of rows.changes) insertRow('session_changes', row);
  });
  return { insert: async (rows) => void all(rows), close: async () => void db.close() };
}

const PG_TYPES: Record<string, string> = { started_at: 'int8', last_event_at: 'int8', ended_at: 'int8', uploaded_at: 'int8', changed_at: 'int8', time_spent: 'int8', incognito: 'int4', errors: 'int4', hits: 'int4' };

function postgresSeeder(url: string): Seeder {
  const client = new pg.Client({ connectionString: url });
  const connected = client.connect().then(() => client.query('set synchronous_commit = off'));
  const insert = async (table: string, rows: Record<string, unknown>[]) => {
    if (!rows.length) return;
    const columns = Object.keys(rows[0]!);
    const arrays = columns.map((c) => rows.map((row) => row[c] ?? null));
    const casts = columns.map((c, i) => `$${i + 1}::${PG_TYPES[c] ?? 'text'}[]`);
    await client.query(`insert into ${table} (${columns.join(', ')}) select * from unnest(${casts.join(', ')})`, arrays);
  };
  return {
    async insert(rows) {
      await connected;
      await client.query('begin');
      await insert('sessions', rows.sessions);
      await insert('search_texts', rows.texts);
      await insert('search_terms', rows.terms);
      await insert('session_changes', rows.changes);
      await client.query('commit');
    },
    async close() {
      await connected;
      await client.query('analyze');
      await client.end();
    },
  };
}

// ---------- list queries ----------

const SORTS = ['startedAt', 'timeSpent', 'errors', 'email', 'location'] as const;
/** Two filters and a search term each; the sessions matching are counted once per size. */
const LIST_FILTERS: Record<string, string>[] = [
  { country: 'DE', browser: 'Firefox', q: 'checkout' },
  { country: 'US', device: 'Mobile', q: 'typeerror' },
  { country: 'FR', browser: 'Chrome', q: 'cart' },
];

interface ListFigures {
  build: string;
  dialect: Dialect;
  sessions: number;
  sort: string;
  p50: number;
  p95: number;
  max: number;
  n: number;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

async function measureList(server: ServerProcess, cookie: string, build: string, dialect: Dialect, sessions: number, reps: number, warmup: number): Promise<{ figures: ListFigures[]; matches: number[]; counts: ListFigures[] }> {
  const get = async (path: string, params: Record<string, string>) => {
    const query = new URLSearchParams(params).toString();
    const t0 = performance.now();
    const response = await fetch(`${server.url}${path}?${query}`, { headers: { cookie } });
    const body = await response.text();
    const ms = performance.now() - t0;
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${body.slice(0, 300)}`);
    return { ms, body };
  };
  const matches: number[] = [];
  for (const filter of LIST_FILTERS) matches.push((JSON.parse((await get(SERVER_ROUTES.count, filter)).body) as { count: number }).count);
  // The count the dashboard asks for beside the list (its own request; the list's response carries none).
  const countTimes: number[] = [];
  for (let i = 0; i < reps; i++) countTimes.push((await get(SERVER_ROUTES.count, LIST_FILTERS[i % LIST_FILTERS.length]!)).ms);
  const counts: ListFigures[] = [{ build, dialect, sessions, sort: 'count', p50: quantile(countTimes, 0.5), p95: quantile(countTimes, 0.95), max: Math.max(...countTimes), n: countTimes.length }];
  log(`  ${build} ${dialect} ${sessions.toLocaleString('en-US')} count: p50 ${counts[0]!.p50.toFixed(1)} ms, p95 ${counts[0]!.p95.toFixed(1)} ms`);
  const figures: ListFigures[] = [];
  for (const sort of SORTS) {
    for (const direction of ['desc', 'asc']) {
      const times: number[] = [];
      for (let i = -warmup; i < reps; i++) {
        const filter = LIST_FILTERS[((i % LIST_FILTERS.length) + LIST_FILTERS.length) % LIST_FILTERS.length]!;
        const { ms } = await get(SERVER_ROUTES.sessions, { ...filter, sort, direction, limit: '50' });
        if (i >= 0) times.push(ms); // the first `warmup` requests of a sort are not measured (see the header)
      }
      figures.push({ build, dialect, sessions, sort: `${sort} ${direction}`, p50: quantile(times, 0.5), p95: quantile(times, 0.95), max: Math.max(...times), n: times.length });
      log(`  ${build} ${dialect} ${sessions.toLocaleString('en-US')} ${sort} ${direction}: p50 ${quantile(times, 0.5).toFixed(1)} ms, p95 ${quantile(times, 0.95).toFixed(1)} ms`);
    }
  }
  return { figures, matches, counts };
}

interface ListRun {
  figures: ListFigures[];
  /** GET /api/sessions/count per filter (the dashboard asks for it beside the list). */
  counts: ListFigures[];
  seedNotes: string[];
  matches: Map<string, number[]>;
}

/** Seeds the sessions `from` … `size` - 1 into the database at `url`; returns the note on how long it took. */
async function seedSessions(dialect: Dialect, url: string, userId: string, rand: () => number, now: number, from: number, size: number): Promise<string> {
  const seeder = dialect === 'sqlite' ? sqliteSeeder(url) : postgresSeeder(url);
  const t0 = performance.now();
  let genMs = 0;
  let seeded = from;
  while (seeded < size) {
    const count = Math.min(SEED_CHUNK, size - seeded);
    const g0 = performance.now();
    const rows = seedRows(rand, seeded, count, userId, now);
    genMs += performance.now() - g0;
    await seeder.insert(rows);
    seeded += count;
    if (seeded % 100_000 === 0) log(`  ${dialect}: ${seeded.toLocaleString('en-US')} sessions seeded (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  await seeder.close();
  return `${dialect}: seeded to ${size.toLocaleString('en-US')} sessions in ${((performance.now() - t0) / 1000).toFixed(0)} s (${(genMs / 1000).toFixed(0)} s of it making the rows)`;
}

const SPREAD_MS = 60 * 86_400_000; // seedRows' start times: the last 60 days
/** The copies' start times: a multiplicative hash of the copy's number, modulo the spread (no clusters of one template). */
const spreadSql = (n: string) => `((${n}) * 2654435761) % ${SPREAD_MS}`;

/** `--seed-base`: copies the `base` sessions in the database until there are `size` (see the header). */
async function replicateSessions(dialect: Dialect, url: string, base: number, size: number, now: number): Promise<void> {
  const copies = size / base - 1;
  if (!Number.isInteger(copies) || copies < 0) throw new Error(`--seed-base ${base} must divide the size ${size}`);
  if (!copies) return;
  const suffix = (k: string) => (dialect === 'sqlite' ? `'-r' || substr('000' || ${k}, -3)` : `'-r' || lpad(${k}::text, 3, '0')`);
  const nid = `t.id || ${suffix('k.k')}`;
  const start = `${now} - ${spreadSql(`b.n + k.k * ${base}`)}`;
  const shift = `(${start}) - t.started_at`;
  const record =
    dialect === 'sqlite'
      ? `json_set(t.record, '$.id', ${nid}, '$.startedAt', ${start}, '$.lastEventAt', t.last_event_at + ${shift}, '$.lastActivityAt', t.last_event_at + ${shift}, '$.endedAt', t.ended_at + ${shift})`
      : `(t.record::jsonb || jsonb_build_object('id', ${nid}, 'startedAt', ${start}, 'lastEventAt', t.last_event_at + ${shift}, 'lastActivityAt', t.last_event_at + ${shift}, 'endedAt', t.ended_at + ${shift}))::text`;
  const override: Record<string, string> = { id: nid, started_at: start, last_event_at: `t.last_event_at + ${shift}`, ended_at: `t.ended_at + ${shift}`, record };
  const statements = (columns: string[]) => [
    `create temp table tpl as select * from sessions`,
    `create temp table tpl_n as select id, row_number() over (order by id) as n from sessions`,
    `create temp table tpl_terms as select * from search_terms order by term, session_id, kind`,
    `create temp table reps as select k from (${dialect === 'sqlite' ? `with recursive r(k) as (select 1 union all select k + 1 from r where k < ${copies}) select k from r` : `select generate_series(1, ${copies}) as k`}) s`,
    `insert into sessions (${columns.join(', ')}) select ${columns.map((c) => override[c] ?? `t.${c}`).join(', ')} from tpl t join tpl_n b on b.id = t.id cross join reps k`,
    `insert into search_terms (term, session_id, kind, hits) select t.term, ${nid.replace('t.id', 't.session_id')}, t.kind, t.hits from tpl_terms t cross join reps k`,
  ];
  if (dialect === 'sqlite') {
    const db = new SQLite(sqlitePath(url));
    try {
      db.pragma('journal_mode = DELETE');
      db.pragma('synchronous = OFF');
      db.pragma('cache_size = -1000000');
      db.pragma('temp_store = FILE');
      const indexes = db.prepare(`select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in ('sessions', 'search_terms')`).all() as { name: string; sql: string }[];
      const columns = (db.prepare(`select name from pragma_table_info('sessions')`).all() as { name: string }[]).map((c) => c.name);
      db.transaction(() => {
        for (const index of indexes) db.exec(`drop index "${index.name}"`);
        for (const statement of statements(columns)) db.exec(statement);
        for (const index of indexes) db.exec(index.sql);
      })();
      db.pragma('journal_mode = WAL');
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`set synchronous_commit = off`);
    await client.query(`set maintenance_work_mem = '1GB'`);
    await client.query(`set work_mem = '256MB'`);
    const indexes = (await client.query(`select indexname, indexdef from pg_indexes where schemaname = current_schema() and tablename in ('sessions', 'search_terms') and indexname not in (select conname from pg_constraint)`)).rows as { indexname: string; indexdef: string }[];
    const keys = (await client.query(`select conname, pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 'search_terms'::regclass and contype = 'p'`)).rows as { conname: string; def: string }[];
    const columns = (await client.query(`select column_name from information_schema.columns where table_schema = current_schema() and table_name = 'sessions' order by ordinal_position`)).rows.map((r: { column_name: string }) => r.column_name);
    await client.query('begin');
    for (const index of indexes) await client.query(`drop index "${index.indexname}"`);
    for (const key of keys) await client.query(`alter table search_terms drop constraint "${key.conname}"`);
    for (const statement of statements(columns)) await client.query(statement);
    for (const key of keys) await client.query(`alter table search_terms add constraint "${key.conname}" ${key.def}`);
    for (const index of indexes) await client.query(index.indexdef);
    await client.query('commit');
    // As autovacuum leaves a table after a bulk load: statistics, and the visibility map set, without which every
    // index-only scan of the list reads the heap pages too.
    await client.query('vacuum analyze');
  } finally {
    await client.end();
  }
}

async function benchCookie(store: Store): Promise<{ cookie: string; userId: string }> {
  const { userId } = await seedAccount(store);
  const auth = await createAuthSession(store, userId, 86_400_000);
  return { cookie: `${SESSION_COOKIE}=${auth.token}`, userId };
}

/** The list's requests on `url` with each build: the compared ref first, then the working tree after migrating. */
async function measureBuilds(out: ListRun, dialect: Dialect, url: string, size: number, cookie: string, options: ServerBenchOptions, builds: { label: string; dir: string; old: boolean }[], migrated: boolean): Promise<boolean> {
  for (const build of builds) {
    if (!build.old && !migrated) {
      const m0 = performance.now();
      const server = await startServerProcess(build.dir, url, null); // migrates on start
      out.seedNotes.push(`${dialect}: the working tree's migrations on ${size.toLocaleString('en-US')} sessions, with the server's start: ${((performance.now() - m0) / 1000).toFixed(1)} s`);
      await server.stop();
      migrated = true;
    }
    if (build.old && migrated) continue; // the compared ref cannot open a database migrated past it
    const server = await startServerProcess(build.dir, url, null);
    try {
      const { figures, matches, counts } = await measureList(server, cookie, build.label, dialect, size, options.reps, options.listWarmup);
      out.figures.push(...figures);
      out.counts.push(...counts);
      out.matches.set(`${dialect} ${size}`, matches);
    } finally {
      await server.stop();
    }
  }
  return migrated;
}

async function listBench(dialect: Dialect, options: ServerBenchOptions, builds: { label: string; dir: string; old: boolean }[]): Promise<ListRun> {
  const out: ListRun = { figures: [], counts: [], seedNotes: [], matches: new Map() };
  const oldBuild = builds.find((b) => b.old);
  // The compared ref's server reads the database at its own latest migration: seed there, then the working tree migrates.
  const { LATEST_MIGRATION } = await import('../server/db/migrations');
  const seedMigration = oldBuild ? await latestMigrationOf(oldBuild.dir) : LATEST_MIGRATION;
  if (options.seededDb) {
    const size = Math.max(...options.sizes);
    const kept = keptDatabase(dialect, options.seededDb);
    const found = await kept.sessions();
    if (found !== size) {
      log(`  ${dialect}: ${found === null ? 'no kept database' : `the kept database holds ${found} sessions`}: seeding ${options.seededDb} to ${size.toLocaleString('en-US')}`);
      await kept.create();
      const store = kept.open();
      try {
        await migrate(store.db, seedMigration);
        const { userId } = await seedAccount(store);
        await store.close();
        const now = Date.now();
        const made = options.seedBase ?? size;
        out.seedNotes.push(await seedSessions(dialect, kept.url, userId, rng(dialect === 'sqlite' ? 11 : 12), now, 0, made));
        if (made < size) {
          const r0 = performance.now();
          await replicateSessions(dialect, kept.url, made, size, now);
          out.seedNotes.push(`${dialect}: copied in the database to ${size.toLocaleString('en-US')} sessions (--seed-base ${made}) in ${((performance.now() - r0) / 1000).toFixed(0)} s, indexes rebuilt`);
        }
      } catch (error) {
        await kept.drop();
        throw error;
      }
    } else out.seedNotes.push(`${dialect}: the kept database ${options.seededDb} (${size.toLocaleString('en-US')} sessions) reused`);
    if (options.seedOnly) return out;
    // Measured in place when no build migrates it (the list only reads; a run adds its bench account): copying a
    // million sessions takes minutes. A copy when the working tree's migrations would change the kept database.
    const inPlace = seedMigration === LATEST_MIGRATION;
    const c0 = performance.now();
    const copy = inPlace ? { url: kept.url, open: () => kept.open(), drop: async () => {} } : await kept.copy();
    out.seedNotes.push(inPlace ? `${dialect}: measured in place (no build migrates it)` : `${dialect}: copied for this run in ${((performance.now() - c0) / 1000).toFixed(0)} s`);
    try {
      const store = copy.open();
      const { cookie } = await benchCookie(store);
      await store.close();
      await measureBuilds(out, dialect, copy.url, size, cookie, options, builds, !oldBuild);
    } finally {
      await copy.drop();
    }
    return out;
  }
  const database: TestDatabase = await createTestDatabase(dialect);
  try {
    const store = await database.openMigrated(seedMigration);
    const { cookie, userId } = await benchCookie(store);
    await store.close();
    const rand = rng(dialect === 'sqlite' ? 11 : 12);
    const now = Date.now();
    let seeded = 0;
    let migrated = !oldBuild;
    for (const size of [...options.sizes].sort((a, b) => a - b)) {
      out.seedNotes.push(await seedSessions(dialect, database.url, userId, rand, now, seeded, size));
      seeded = size;
      migrated = await measureBuilds(out, dialect, database.url, size, cookie, options, builds, migrated);
    }
  } finally {
    await database.drop();
  }
  return out;
}

interface KeptDatabase {
  url: string;
  /** Sessions in the kept database, or null when there is none. */
  sessions(): Promise<number | null>;
  /** A new empty database under the kept name (an older one is dropped). */
  create(): Promise<void>;
  open(): Store;
  drop(): Promise<void>;
  /** A copy for one run. */
  copy(): Promise<{ url: string; open(): Store; drop(): Promise<void> }>;
}

/** `--seeded-db`: the seeded database kept between runs (an SQLite file in .tmp/bench-db, or a PostgreSQL database). */
function keptDatabase(dialect: Dialect, name: string): KeptDatabase {
  const safe = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (dialect === 'sqlite') {
    const dir = join(root, '.tmp', 'bench-db');
    const file = join(dir, `${safe}-sqlite.sqlite`);
    const url = `file:${file}`;
    const remove = () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    };
    return {
      url,
      async sessions() {
        if (!existsSync(file)) return null;
        const db = new SQLite(file, { readonly: true });
        try {
          return (db.prepare('select count(*) as n from sessions').get() as { n: number }).n;
        } catch {
          return null;
        } finally {
          db.close();
        }
      },
      async create() {
        mkdirSync(dir, { recursive: true });
        remove();
      },
      open: () => openDatabase(url),
      drop: async () => remove(),
      async copy() {
        const copyDir = mkdtempSync(join(tmpdir(), 'rumscope-bench-'));
        const copyFile = join(copyDir, 'list.sqlite');
        copyFileSync(file, copyFile);
        return { url: `file:${copyFile}`, open: () => openDatabase(`file:${copyFile}`), drop: async () => rmSync(copyDir, { recursive: true, force: true }) };
      },
    };
  }
  const base = process.env.TEST_POSTGRES_URL ?? DEFAULT_TEST_POSTGRES_URL;
  const urlOf = (database: string) => {
    const target = new URL(base);
    target.pathname = `/${database}`;
    return target.toString();
  };
  const kept = `rumscope_bench_${safe}`;
  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  const dropDatabase = (database: string) => admin((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  return {
    url: urlOf(kept),
    async sessions() {
      const exists = await admin((client) => client.query('select 1 from pg_database where datname = $1', [kept]));
      if (!exists.rowCount) return null;
      const client = new pg.Client({ connectionString: urlOf(kept) });
      await client.connect();
      try {
        return Number((await client.query('select count(*) as n from sessions')).rows[0].n);
      } catch {
        return null;
      } finally {
        await client.end();
      }
    },
    async create() {
      await dropDatabase(kept);
      await admin((client) => client.query(`CREATE DATABASE ${kept}`));
    },
    open: () => openDatabase(urlOf(kept)),
    drop: () => dropDatabase(kept).then(() => undefined),
    async copy() {
      const copy = `${kept}_run_${Date.now().toString(36)}`;
      await admin((client) => client.query(`CREATE DATABASE ${copy} TEMPLATE ${kept}`));
      return { url: urlOf(copy), open: () => openDatabase(urlOf(copy)), drop: () => dropDatabase(copy).then(() => undefined) };
    },
  };
}

async function latestMigrationOf(dir: string): Promise<string> {
  const names = readdirSync(join(dir, 'server', 'db', 'migrations')).filter((f) => /^\d{3}_.*\.ts$/.test(f) && !f.endsWith('.spec.ts'));
  return names.sort().at(-1)!.replace(/\.ts$/, '');
}

// ---------- report ----------

const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a');

export async function runServerBench(options: ServerBenchOptions): Promise<string> {
  const started = Date.now();
  const load0 = loadavg();
  const builds: { label: string; dir: string; old: boolean }[] = [{ label: 'working tree', dir: root, old: false }];
  if (options.compareRef) {
    const { dir, commit } = checkoutRef(options.compareRef);
    builds.unshift({ label: `${options.compareRef}@${commit}`, dir, old: true });
  }
  const profileDir = options.profile ? join(root, '.tmp', 'prof-server') : null;
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  const ingest: IngestFigures[] = [];
  for (const dialect of options.skipIngest ? [] : options.dialects) {
    // Two rounds, the builds alternating, each on a fresh database.
    for (let round = 0; round < 2; round++) {
      for (const build of round % 2 ? [...builds].reverse() : builds) {
        const figures = await measureIngest(build, dialect, options, 1000 + round, build.old ? null : profileDir);
        ingest.push(figures);
        log(
          `ingest ${build.label} ${dialect}: ${fmt(figures.events)} events, ${fmt(figures.events / (figures.serverCpuMs / 1000))} events per server CPU-s ` +
            `(${fmt(figures.serverSystemMs)} of ${fmt(figures.serverCpuMs)} ms in the kernel), ` +
            `${fmt(figures.events / (figures.wallMs / 1000))} events/s wall` + (figures.postgresCpuMs !== null ? `, postgres CPU ${fmt(figures.postgresCpuMs)} ms` : ''),
        );
      }
    }
  }
  const load1 = loadavg();

  const lists: ListRun[] = [];
  if (!options.skipList) for (const dialect of options.dialects) lists.push(await listBench(dialect, options, builds));
  const load2 = loadavg();

  const lines = [
    `# Team server bench — ${new Date().toISOString().slice(0, 10)}, ${cpus().length}core-node${process.versions.node.split('.')[0]}`,
    '',
    `Machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), ${Math.round(totalmem() / 1024 ** 3)} GB, ${platform()} ${release()}, Node ${process.versions.node}. ` +
      `Load average (1 min) at start ${fmt(load0[0]!, 1)}, after ingest ${fmt(load1[0]!, 1)}, at the end ${fmt(load2[0]!, 1)} (a machine shared with other work).`,
    `Server: its own process${hasTaskset ? ', pinned to core 0 with `taskset -c 0`' : ' (no taskset here: not pinned)'}, LOG_LEVEL=warn, SQLite WAL synchronous=FULL / PostgreSQL 15 on loopback. ${gitState()}.` +
      (options.note ? ` ${options.note}` : ''),
    '',
    '## Ingest (POST /api/intake/sessions, the extension\'s sync payload, gzip)',
    '',
    `${fmt(options.batches)} measured uploads per row (after ${options.warmup} warm-up uploads), each ${SESSIONS_PER_BATCH} new sessions × ${EVENTS_PER_SESSION} events ` +
      `(views, resources, API calls, clicks, vitals, long tasks, some console warnings and errors), ${options.concurrency} uploads in flight. ` +
      'Events per CPU-second = events / (utime + stime of the server process during the measured uploads): the figure for "one core". ' +
      'Wall = events / elapsed time with the server pinned to one core (it also counts what other processes took from that core). ' +
      'On PostgreSQL the postgres processes\' CPU during the same window is given apart (machine-wide). Target ≥ 50,000 events/s.',
    '',
    '| build | database | events | server CPU s | of it kernel s | events per CPU-second | events/s wall (1 core) | postgres CPU s |',
    '|---|---|---|---|---|---|---|---|',
    ...ingest.map((f) => `| ${f.build} | ${f.dialect} | ${fmt(f.events)} | ${fmt(f.serverCpuMs / 1000, 2)} | ${fmt(f.serverSystemMs / 1000, 2)} | ${fmt(f.events / (f.serverCpuMs / 1000))} | ${fmt(f.events / (f.wallMs / 1000))} | ${f.postgresCpuMs === null ? '—' : fmt(f.postgresCpuMs / 1000, 2)} |`),
    '',
  ];
  if (lists.length) {
    lines.push(
      '## Session list (GET /api/sessions, 50 a page, two filters and a search term)',
      '',
      `Filters (rotated request by request): ${LIST_FILTERS.map((f) => '`' + new URLSearchParams(f).toString() + '`').join(', ')}. ` +
        `${options.reps} timed requests per sort after ${options.listWarmup} unmeasured warm-up request${options.listWarmup === 1 ? '' : 's'}, client-side over loopback HTTP (cookie session, the server pinned to core 0). ` +
        `Seeded rows: see the header of bench/serverIngest.ts (sessions with their list columns, search texts and terms; no event rows). Target p95 < 50 ms.`,
      '',
      ...lists.flatMap((l) => l.seedNotes.map((n) => `- ${n}`)),
      ...lists.flatMap((l) => [...l.matches].map(([key, counts]) => `- ${key} sessions: the three filters match ${counts.map((c) => fmt(c)).join(', ')} sessions`)),
      '',
      '| build | database | sessions | sort | p50 ms | p95 ms | max ms | n |',
      '|---|---|---|---|---|---|---|---|',
      ...lists.flatMap((l) => l.figures).map((f) => `| ${f.build} | ${f.dialect} | ${fmt(f.sessions)} | ${f.sort} | ${fmt(f.p50, 1)} | ${fmt(f.p95, 1)}${f.p95 >= 50 ? ' ✗' : ''} | ${fmt(f.max, 1)} | ${f.n} |`),
      '',
      'The count of the same filters (GET /api/sessions/count, its own request; the list does not return one), the filters rotated:',
      '',
      '| build | database | sessions | request | p50 ms | p95 ms | max ms | n |',
      '|---|---|---|---|---|---|---|---|',
      ...lists.flatMap((l) => l.counts).map((f) => `| ${f.build} | ${f.dialect} | ${fmt(f.sessions)} | ${f.sort} | ${fmt(f.p50, 1)} | ${fmt(f.p95, 1)} | ${fmt(f.max, 1)} | ${f.n} |`),
      '',
    );
  }
  lines.push(`Total bench time ${fmt((Date.now() - started) / 1000)} s. Command: \`npx tsx bench/serverIngest.ts ${process.argv.slice(2).join(' ')}\`.`, '');
  return lines.join('\n');
}

function gitState(): string {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'server', 'sdk'], { cwd: root, encoding: 'utf8' }).trim();
    return `Working tree at git ${rev}${dirty ? ' with uncommitted changes in server/ or sdk/' : ''}`;
  } catch {
    return 'git state unknown';
  }
}

export function resultPath(options: Pick<ServerBenchOptions, 'skipList' | 'skipIngest'> = optionsFromArgv()): string {
  const scenario = options.skipList && !options.skipIngest ? 'server-ingest' : 'server';
  return join(root, 'bench', 'results', `${new Date().toISOString().slice(0, 10)}-${cpus().length}core-node${process.versions.node.split('.')[0]}-${scenario}.md`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const md = await runServerBench(optionsFromArgv());
  process.stdout.write(md);
  if (!process.argv.includes('--no-write')) {
    writeFileSync(resultPath(), md);
    log(`wrote ${relative(root, resultPath())}`);
  }
}
