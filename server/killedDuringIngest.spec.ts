/**
 * The server killed with SIGKILL while uploads are coming in (its own process, real HTTP, a real SQLite file or
 * PostgreSQL database): every batch it acknowledged is found whole when a server starts again on the same database,
 * and no batch is found in part (a batch is one transaction). Counts of this run are printed for the record.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_ROUTES, UPLOAD_TOKEN_HEADER } from '../sdk/schema';
import { startServer } from './main';
import { seedAdmin } from './testing/harness';
import { oneSessionUpload } from './testing/fixtures';
import { createTestDatabase, DIALECTS, testConfig, type TestDatabase } from './testing/testStores';

const EVENTS_PER_BATCH = 40;
const UPLOADERS = 8;

function freePort(): Promise<number> {
  return new Promise((ok, ko) => {
    const probe = createServer();
    probe.once('error', ko);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => ok(port));
    });
  });
}

async function waitUntilHealthy(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} before it answered`);
    const healthy = await fetch(url + '/healthz').then((r) => r.ok, () => false);
    if (healthy) return;
    if (Date.now() > deadline) throw new Error('the server did not answer /healthz within 60 s');
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

describe.each(DIALECTS)('the server killed with SIGKILL during ingest (%s)', (dialect) => {
  let database: TestDatabase | null = null;
  let child: ChildProcess | null = null;
  afterEach(async () => {
    child?.kill('SIGKILL');
    await database?.drop();
    database = child = null;
  });

  it('loses no acknowledged batch and keeps no batch in part', async () => {
    database = await createTestDatabase(dialect);
    // The account and its upload token, written by a server in this process (then closed).
    const seeder = await startServer(testConfig(database.url));
    const { token } = await seedAdmin(seeder.store);
    await seeder.close();

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const { ADMIN_EMAIL: _email, ADMIN_PASSWORD: _password, ...env } = process.env;
    child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'main.ts')], {
      env: { ...env, DATABASE_URL: database.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent', UPLOADS_PER_MINUTE: '1000000' },
      stdio: 'ignore',
    });
    await waitUntilHealthy(url, child);

    // Uploaders send batches (one session each) back to back; the server is killed once enough were acknowledged.
    const acknowledged: string[] = [];
    let sent = 0;
    let failed = 0;
    const started = Date.now();
    const killed = new Promise<void>((ok) => {
      const check = setInterval(() => {
        if (acknowledged.length >= 60 || Date.now() - started > 20_000) {
          clearInterval(check);
          child!.kill('SIGKILL');
          ok();
        }
      }, 5);
    });
    let dead = false;
    void killed.then(() => (dead = true));
    await Promise.all(
      Array.from({ length: UPLOADERS }, async (_, u) => {
        for (let i = 0; !dead; i++) {
          const id = `kill-${u}-${i}`;
          sent++;
          const answer = await fetch(url + SERVER_ROUTES.upload, {
            method: 'POST',
            headers: { 'content-type': 'application/json', [UPLOAD_TOKEN_HEADER]: token },
            body: JSON.stringify(oneSessionUpload(id, 1_700_000_000_000 + u * 1_000_000 + i, EVENTS_PER_BATCH, `batch-${id}`)),
          }).catch(() => null);
          if (answer?.status === 201 || answer?.status === 200) acknowledged.push(id);
          else failed++;
        }
      }),
    );
    await killed;
    await new Promise<void>((ok) => (child!.exitCode !== null || child!.signalCode !== null ? ok() : child!.once('exit', () => ok())));
    expect(child.signalCode).toBe('SIGKILL');
    // Killed while uploads were under way: some were sent and never answered.
    expect(acknowledged.length).toBeGreaterThanOrEqual(60);

    // A server started again on the same database finds every acknowledged batch whole.
    const again = await startServer(testConfig(database.url));
    try {
      const rows = await again.store.db
        .selectFrom('events')
        .select(['session_id as sessionId', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('session_id')
        .execute();
      const stored = new Map(rows.map((r) => [String(r.sessionId), Number(r.n)]));
      const missing = acknowledged.filter((id) => stored.get(id) !== EVENTS_PER_BATCH);
      expect(missing).toEqual([]);
      // Nothing in part: a batch is there with all its events or not at all.
      expect([...stored.values()].filter((n) => n !== EVENTS_PER_BATCH)).toEqual([]);
      console.log(`${dialect}: ${sent} batches sent, ${acknowledged.length} acknowledged before SIGKILL, ${failed} unanswered or refused, ${stored.size} stored`);
    } finally {
      await again.close();
    }
  }, 120_000);
});
