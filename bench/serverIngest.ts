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
 * timed by the client over loopback HTTP (cookie session).
 *
 * `--compare-ref <ref>`: the server of that git ref (e.g. main before a change) in the same run: its ingest on its
 * own fresh database alternating with the working tree's, and its list queries on the seeded database before the
 * working tree's server migrates it (the migration's time is reported).
 *
 * Options: --dialects sqlite,postgres  --batches N (measured uploads per build, default 30)  --warmup N (default 3)
 *          --concurrency N (default 4)  --sizes 100000,1000000 (sessions for the list; seeded in steps)  --reps N
 *          (requests per sort, default 15)  --profile (node --cpu-prof of the working tree's server into
 *          .tmp/prof-server)  --skip-list (ingest only: no seeding, the results go to …-server-ingest.md)  --skip-ingest
 *          --no-write  --note "text".
 * `npx tsx bench/serverIngest.ts` runs it alone; `npm run bench -- --scenario server` runs it from bench/run.ts.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import SQLite from 'better-sqlite3';
import { EXPORT_FORMAT, EXPORT_VERSION, SCHEMA_VERSION, SERVER_ROUTES, UPLOAD_TOKEN_HEADER, type SessionRecord, type StoredEvent, type UploadRequest } from '../sdk/schema';
import { createAuthSession, createUploadToken, createUser } from '../server/accounts/accounts';
import { SESSION_COOKIE } from '../server/plugins/authenticate';
import { migrate, sqlitePath, type Store } from '../server/db/openDatabase';
import { sessionRowColumns } from '../server/db/sqlRepository';
import { distinctTexts, searchTexts, termRows } from '../server/db/search';
import { createTestDatabase, type TestDatabase } from '../server/testing/testStores';
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
  profile: boolean;
  skipList: boolean;
  skipIngest: boolean;
  compareRef: string | null;
  note: string | null;
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

export function optionsFromArgv(): ServerBenchOptions {
  return {
    dialects: (option('--dialects') ?? 'sqlite,postgres').split(',').filter(Boolean) as Dialect[],
    batches: Number(option('--batches') ?? 30),
    warmup: Number(option('--warmup') ?? 3),
    concurrency: Number(option('--concurrency') ?? 4),
    sizes: (option('--sizes') ?? '100000,1000000').split(',').filter(Boolean).map(Number),
    reps: Number(option('--reps') ?? 15),
    profile: process.argv.includes('--profile'),
    skipList: process.argv.includes('--skip-list'),
    skipIngest: process.argv.includes('--skip-ingest'),
    compareRef: option('--compare-ref') ?? null,
    note: option('--note') ?? null,
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
  const deadline = Date.now() + 600_000; // a migration of a million rows runs before it listens
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

async function measureList(server: ServerProcess, cookie: string, build: string, dialect: Dialect, sessions: number, reps: number): Promise<{ figures: ListFigures[]; matches: number[] }> {
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
  const figures: ListFigures[] = [];
  for (const sort of SORTS) {
    for (const direction of ['desc', 'asc']) {
      const times: number[] = [];
      for (let i = -1; i < reps; i++) {
        const filter = LIST_FILTERS[(i + LIST_FILTERS.length) % LIST_FILTERS.length]!;
        const { ms } = await get(SERVER_ROUTES.sessions, { ...filter, sort, direction, limit: '50' });
        if (i >= 0) times.push(ms); // the first request of a sort is a warm-up
      }
      figures.push({ build, dialect, sessions, sort: `${sort} ${direction}`, p50: quantile(times, 0.5), p95: quantile(times, 0.95), max: Math.max(...times), n: times.length });
      log(`  ${build} ${dialect} ${sessions.toLocaleString('en-US')} ${sort} ${direction}: p50 ${quantile(times, 0.5).toFixed(1)} ms, p95 ${quantile(times, 0.95).toFixed(1)} ms`);
    }
  }
  return { figures, matches };
}

interface ListRun {
  figures: ListFigures[];
  seedNotes: string[];
  matches: Map<string, number[]>;
}

async function listBench(dialect: Dialect, options: ServerBenchOptions, builds: { label: string; dir: string; old: boolean }[]): Promise<ListRun> {
  const out: ListRun = { figures: [], seedNotes: [], matches: new Map() };
  const database: TestDatabase = await createTestDatabase(dialect);
  const oldBuild = builds.find((b) => b.old);
  try {
    // The compared ref's server reads the database at its own latest migration: seed there, then the working tree migrates.
    const { LATEST_MIGRATION } = await import('../server/db/migrations');
    const store = await database.openMigrated(oldBuild ? await latestMigrationOf(oldBuild.dir) : LATEST_MIGRATION);
    const { userId } = await seedAccount(store);
    const auth = await createAuthSession(store, userId, 86_400_000);
    await store.close();
    const cookie = `${SESSION_COOKIE}=${auth.token}`;
    const rand = rng(dialect === 'sqlite' ? 11 : 12);
    const now = Date.now();
    let seeded = 0;
    let migrated = !oldBuild;
    for (const size of [...options.sizes].sort((a, b) => a - b)) {
      const seeder = dialect === 'sqlite' ? sqliteSeeder(database.url) : postgresSeeder(database.url);
      const t0 = performance.now();
      let genMs = 0;
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
      out.seedNotes.push(`${dialect}: seeded to ${size.toLocaleString('en-US')} sessions in ${((performance.now() - t0) / 1000).toFixed(0)} s (${(genMs / 1000).toFixed(0)} s of it making the rows)`);
      for (const build of builds) {
        if (!build.old && !migrated) {
          const m0 = performance.now();
          const server = await startServerProcess(build.dir, database.url, null); // migrates on start
          out.seedNotes.push(`${dialect}: the working tree's migrations on ${size.toLocaleString('en-US')} sessions, with the server's start: ${((performance.now() - m0) / 1000).toFixed(1)} s`);
          await server.stop();
          migrated = true;
        }
        if (build.old && migrated) continue; // the compared ref cannot open a database migrated past it
        const server = await startServerProcess(build.dir, database.url, null);
        try {
          const { figures, matches } = await measureList(server, cookie, build.label, dialect, size, options.reps);
          out.figures.push(...figures);
          out.matches.set(`${dialect} ${size}`, matches);
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    await database.drop();
  }
  return out;
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
        `${options.reps} timed requests per sort after one warm-up, client-side over loopback HTTP (cookie session, the server pinned to core 0). ` +
        `Seeded rows: see the header of bench/serverIngest.ts (sessions with their list columns, search texts and terms; no event rows). Target p95 < 50 ms.`,
      '',
      ...lists.flatMap((l) => l.seedNotes.map((n) => `- ${n}`)),
      ...lists.flatMap((l) => [...l.matches].map(([key, counts]) => `- ${key} sessions: the three filters match ${counts.map((c) => fmt(c)).join(', ')} sessions`)),
      '',
      '| build | database | sessions | sort | p50 ms | p95 ms | max ms | n |',
      '|---|---|---|---|---|---|---|---|',
      ...lists.flatMap((l) => l.figures).map((f) => `| ${f.build} | ${f.dialect} | ${fmt(f.sessions)} | ${f.sort} | ${fmt(f.p50, 1)} | ${fmt(f.p95, 1)}${f.p95 >= 50 ? ' ✗' : ''} | ${fmt(f.max, 1)} | ${f.n} |`),
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
