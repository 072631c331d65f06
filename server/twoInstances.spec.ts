/**
 * Two server instances on one database (real HTTP on 127.0.0.1): nothing one of them needs lives in the other's
 * memory. A login made on A works on B; a batch acknowledged by A and retried on B is stored once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CSRF_HEADER, SERVER_ROUTES, UPLOAD_TOKEN_HEADER, type MeResponse, type SessionDetailResponse, type UploadResponse } from '../sdk/schema';
import { startServer, type RunningServer } from './main';
import { ADMIN, countRows, seedAdmin } from './testing/harness';
import { oneSessionUpload } from './testing/fixtures';
import { createTestDatabase, DIALECTS, testConfig, type TestDatabase } from './testing/testStores';

describe.each(DIALECTS)('two instances on one %s database', (dialect) => {
  let database: TestDatabase;
  let a: RunningServer;
  let b: RunningServer;
  let token: string;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    [a, b] = await Promise.all([startServer(testConfig(database.url)), startServer(testConfig(database.url))]);
    ({ token } = await seedAdmin(a.store));
  });
  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
    await database.drop();
  });

  it('shares logins, CSRF tokens and upload receipts', async () => {
    expect(a.url).not.toBe(b.url);
    const loginA = await fetch(a.url + SERVER_ROUTES.login, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    expect(loginA.status).toBe(200);
    const cookie = loginA.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await loginA.json()) as MeResponse;
    const meB = await fetch(b.url + SERVER_ROUTES.me, { headers: { cookie } });
    expect(((await meB.json()) as MeResponse).user.email).toBe(ADMIN.email);

    const batch = JSON.stringify(oneSessionUpload('shared', 1_700_000_000_000, 4, 'batch-x'));
    const send = (server: RunningServer) =>
      fetch(server.url + SERVER_ROUTES.upload, { method: 'POST', headers: { 'content-type': 'application/json', [UPLOAD_TOKEN_HEADER]: token }, body: batch });
    const first = await send(a);
    expect(first.status).toBe(201);
    const retried = await send(b);
    expect(retried.status).toBe(200);
    expect(((await retried.json()) as UploadResponse).duplicate).toBe(true);
    expect(await countRows(b.store, 'events')).toBe(4);
    expect(await countRows(b.store, 'upload_receipts')).toBe(1);

    const detail = await fetch(`${b.url}${SERVER_ROUTES.sessions}/shared`, { headers: { cookie } });
    expect(((await detail.json()) as SessionDetailResponse).events).toHaveLength(4);
    const logoutB = await fetch(b.url + SERVER_ROUTES.logout, { method: 'POST', headers: { cookie, [CSRF_HEADER]: csrfToken } });
    expect(logoutB.status).toBe(204);
    expect((await fetch(a.url + SERVER_ROUTES.me, { headers: { cookie } })).status).toBe(401);
  });

  it('stores a batch sent to both at once exactly once', async () => {
    const batch = JSON.stringify(oneSessionUpload('race', 1_700_000_000_000, 50, 'batch-race'));
    const send = (server: RunningServer) =>
      fetch(server.url + SERVER_ROUTES.upload, { method: 'POST', headers: { 'content-type': 'application/json', [UPLOAD_TOKEN_HEADER]: token }, body: batch });
    const responses = await Promise.all([send(a), send(b), send(a), send(b)]);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
    expect(await countRows(a.store, 'events')).toBe(50);
    expect(await countRows(a.store, 'sessions')).toBe(1);
  });
});
