import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SERVER_ROUTES, sessionAssetPath, sessionAssetsPath, sessionReplayPath, type ReplayData, type SessionAssetsResponse, type SessionDetailResponse, type UploadResponse } from '../../sdk/schema';
import { sql } from 'kysely';
import { ADMIN, countRows, login, memberHeaders, seedAdmin, startTestApp, uploadHeaders, type TestApp } from '../testing/harness';
import { createUploadToken, createUser } from '../accounts/accounts';
import { sqlRepository } from '../db/sqlRepository';
import { makeEvents, makeSession, makeUpload, oneSessionUpload } from '../testing/fixtures';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../testing/testStores';
import 'fake-indexeddb/auto';
import { RumscopeDb } from '../../extension/storage/db';
import { exportSessions } from '../../extension/storage/exportBundle';
import { buildSegmentRow } from '../../extension/storage/replayStore';
import { DEFAULT_ASSET_CAPS, hashAsset, keepAsset, skipAsset } from '../../extension/storage/assetStore';
import { base, makeSession as makeStoredSession, stored } from '../../tests/unit/support/sessionFixtures';

const STYLESHEET = new TextEncoder().encode('body { color: teal }');

/** What the extension's Export writes for one recorded session (its own code, on a fake IndexedDB). */
async function extensionBundle(): Promise<string> {
  const db = new RumscopeDb(`intake-bundle-${Math.random()}`);
  try {
    const at = 1_700_000_000_000;
    await db.sessions.put(makeStoredSession({ id: 'ext-1', startedAt: at, replay: true, replayStats: { segments: 1, bytes: 1, rawChars: 1, start: at, end: at + 10 } }));
    await db.events.put(stored({ ...base(at + 5), type: 'action', action: 'click', name: 'Buy', selector: null, x: 1, y: 2, rage: false, dead: false, errorClick: false }, 'ext-1'));
    // A snapshot nests deeper than events may: the bundle's recording has a depth bound of its own.
    let node: Record<string, unknown> = { type: 3, id: 900, textContent: 'deep' };
    for (let i = 0; i < 40; i++) node = { type: 2, id: 100 + i, tagName: 'div', attributes: {}, childNodes: [node] };
    const records = [
      { type: 4, timestamp: at, data: { href: 'https://shop.test/', width: 800, height: 600 } },
      { type: 2, timestamp: at, data: { node: { type: 0, id: 1, childNodes: [node] }, initialOffset: { top: 0, left: 0 } } },
      { type: 3, timestamp: at + 10, data: { source: 0, texts: [{ id: 900, value: 'after' }], attributes: [], removes: [], adds: [] } },
    ];
    await db.replaySegments.put(buildSegmentRow('ext-1', 'load-1', 0, { viewId: 'v1', reason: 'time', records }));
    // A kept stylesheet and a skipped image, as the recorder's asset fetcher stores them.
    await keepAsset(db, { sessionId: 'ext-1', url: 'https://shop.test/site.css', kind: 'stylesheet', hash: await hashAsset(STYLESHEET), contentType: 'text/css', data: STYLESHEET, now: at }, DEFAULT_ASSET_CAPS);
    await skipAsset(db, { sessionId: 'ext-1', url: 'https://shop.test/big.png', kind: 'image', reason: 'too_large', detail: '9000000 bytes', now: at });
    return await (await exportSessions(db, 'all', { name: 'rumscope-extension', version: '0.1.0' })).blob.text();
  } finally {
    db.close();
    await db.delete();
  }
}

describe.each(DIALECTS)('intake on %s', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let token: string;
  let adminId: string;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestApp(database, { maxUploadBytes: 256 * 1024, uploadsPerMinute: 1000 });
    ({ token, userId: adminId } = await seedAdmin(t.store));
  });

  /** A second member's upload token. */
  async function otherMemberToken(): Promise<string> {
    const other = await createUser(t.store, { email: 'other@example.com', password: 'other member password', role: 'member' });
    return (await createUploadToken(t.store, other.id, 'their laptop')).token;
  }

  const storedSession = async (id: string) =>
    t.store.db.selectFrom('sessions').select(['uploaded_by', 'started_at']).where('id', '=', id).executeTakeFirstOrThrow();
  afterEach(async () => {
    await t.close();
    await database.drop();
  });

  const upload = (payload: unknown, headers = uploadHeaders(token)) =>
    t.app.inject({ method: 'POST', url: SERVER_ROUTES.upload, headers, payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload) });

  it('stores an upload, answers only after the commit, and a member reads it back with its events', async () => {
    const response = await upload(oneSessionUpload('s1', 1_700_000_000_000, 5, 'batch-1'));
    expect(response.statusCode).toBe(201);
    expect(response.json<UploadResponse>()).toEqual({ batchId: 'batch-1', sessions: 1, events: 5, duplicate: false });
    const member = await login(t.app);
    const detail = await t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.sessions}/s1`, headers: memberHeaders(member) });
    expect(detail.statusCode).toBe(200);
    const body = detail.json<SessionDetailResponse>();
    expect(body.item.session.id).toBe('s1');
    expect(body.item.uploadedBy?.email).toBe(ADMIN.email);
    expect(body.events.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(body.events[0]).toMatchObject({ type: 'view', title: 'Shop', loadId: 'load-s1' });
  });

  it("accepts a bundle the extension's Export wrote, with its recording, which the player then reads back", async () => {
    const bundle = await extensionBundle();
    const response = await upload(bundle);
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json<UploadResponse>()).toMatchObject({ sessions: 1, events: 1 });
    const member = await login(t.app);
    const replay = (await t.app.inject({ method: 'GET', url: sessionReplayPath('ext-1'), headers: memberHeaders(member) })).json<ReplayData>();
    expect(replay.records).toEqual(JSON.parse(bundle).sessions[0].replay);
    expect(replay.segments[0]).toMatchObject({ fullSnapshot: true, loadId: 'import:ext-1' });
    const detail = (await t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.sessions}/ext-1`, headers: memberHeaders(member) })).json<SessionDetailResponse>();
    expect(detail.item.session).toMatchObject({ replay: true, replayStats: { segments: replay.segments.length } });
    // Its kept stylesheet and the image it skipped, with the reason.
    const assets = (await t.app.inject({ method: 'GET', url: sessionAssetsPath('ext-1'), headers: memberHeaders(member) })).json<SessionAssetsResponse>();
    expect(assets.refs.map((ref) => [ref.url, ref.hash, ref.reason ?? null])).toEqual([
      ['https://shop.test/big.png', null, 'too_large'],
      ['https://shop.test/site.css', await hashAsset(STYLESHEET), null],
    ]);
    const css = await t.app.inject({ method: 'GET', url: sessionAssetPath('ext-1', await hashAsset(STYLESHEET)), headers: memberHeaders(member) });
    expect([css.statusCode, css.body]).toEqual([200, 'body { color: teal }']);
    // Sent again: the recording and the assets already there are not stored twice.
    expect((await upload(bundle)).statusCode).toBe(201);
    expect(await countRows(t.store, 'replay_segments')).toBe(replay.segments.length);
    expect(await t.store.db.selectFrom('replay_assets').select('hash').execute()).toEqual([{ hash: await hashAsset(STYLESHEET) }]);
  });

  it('stores a retried batch once (same batch id), and a re-sent batch under a new id adds no duplicates', async () => {
    const batch = oneSessionUpload('s1', 1_700_000_000_000, 4, 'batch-1');
    expect((await upload(batch)).statusCode).toBe(201);
    const again = await upload(batch);
    expect(again.statusCode).toBe(200);
    expect(again.json<UploadResponse>().duplicate).toBe(true);
    expect((await upload({ ...batch, batchId: 'batch-2' })).statusCode).toBe(201);
    expect(await countRows(t.store, 'sessions')).toBe(1);
    expect(await countRows(t.store, 'events')).toBe(4);
  });

  it("refuses a session another member uploaded (409), and theirs stays as it was", async () => {
    expect((await upload(oneSessionUpload('s1', 1_700_000_000_000, 3, 'batch-a'))).statusCode).toBe(201);
    const theirs = await upload(oneSessionUpload('s1', 1_700_000_900_000, 5, 'batch-b'), uploadHeaders(await otherMemberToken()));
    expect(theirs.statusCode).toBe(409);
    expect(await storedSession('s1')).toEqual({ uploaded_by: adminId, started_at: 1_700_000_000_000 });
    expect(await countRows(t.store, 'events')).toBe(3);
  });

  // PostgreSQL only (READ COMMITTED, concurrent transactions): SQLite's writers are serial, and a second connection
  // held open in this process would block the server's synchronous driver in the same event loop.
  if (dialect === 'postgres') it(
    'an upload of a session that another transaction is creating waits for it, then answers 409 and leaves it as written',
    async () => {
      // The admin's session s1 written but not committed: the other member's upload does not see it when it checks the
      // owners, so only its write can find it (READ COMMITTED: the write waits for the row, then must not take it over).
      const holder = database.open();
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let written!: () => void;
      const isWritten = new Promise<void>((resolve) => (written = resolve));
      const holding = sqlRepository(holder, { uploader: adminId }).transaction(async (tx) => {
        await tx.putSessions([makeSession('s1', 1_700_000_000_000)]);
        written();
        await released;
      });
      try {
        await isWritten;
        const theirs = upload(oneSessionUpload('s1', 1_700_000_900_000, 5, 'batch-b'), uploadHeaders(await otherMemberToken()));
        // Until the upload waits on the uncommitted row (a backend of this database waiting for a lock).
        for (;;) {
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(t.store.db);
          if (rows[0]!.n > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        release();
        await holding;
        expect((await theirs).statusCode).toBe(409);
      } finally {
        release();
        await holding.catch(() => undefined);
        await holder.close();
      }
      expect(await storedSession('s1')).toEqual({ uploaded_by: adminId, started_at: 1_700_000_000_000 });
      expect(await countRows(t.store, 'events')).toBe(0);
    },
  );

  it('accepts a gzip body', async () => {
    const body = gzipSync(JSON.stringify(oneSessionUpload('gz', 1_700_000_000_000, 3)));
    const response = await upload(body, uploadHeaders(token, { 'content-encoding': 'gzip' }));
    expect(response.statusCode).toBe(201);
    expect(await countRows(t.store, 'events')).toBe(3);
  });

  it('refuses bad input with a clear 4xx and stores nothing', async () => {
    const good = oneSessionUpload('bad', 1_700_000_000_000, 3);
    const badEvent = structuredClone(good);
    (badEvent.sessions[0]!.events[1] as unknown as Record<string, unknown>).type = 'nope';
    const foreignEvent = structuredClone(good);
    foreignEvent.sessions[0]!.events[2]!.sessionId = 'other';
    const cases: [string, () => ReturnType<typeof upload>, number, RegExp][] = [
      ['empty body', () => upload(''), 400, /body/i],
      ['invalid JSON', () => upload('{"format":'), 400, /JSON/i],
      ['wrong content type', () => upload(JSON.stringify(good), uploadHeaders(token, { 'content-type': 'text/plain' })), 415, /application\/json/],
      ['an event of an unknown type', () => upload(badEvent), 400, /sessions\[0\]\.events\[1\]/],
      ['an event filed under another session', () => upload(foreignEvent), 400, /belongs to session other/],
      ['a missing session field', () => upload({ ...good, sessions: [{ session: { id: 'x' }, events: [] }] }), 400, /sessions\[0\]\.session/],
      ['no sessions', () => upload({ ...good, sessions: [] }), 400, /at least one session/],
      ['a poisoned key', () => upload(JSON.stringify(good).replace('"global":{', '"global":{"__proto__":{"x":1},')), 400, /forbidden key|not valid JSON/],
      ['deep nesting', () => upload(JSON.stringify(good).replace('"global":{', `"global":{"deep":${'['.repeat(40)}${']'.repeat(40)},`)), 400, /too deep/],
      ['truncated gzip', () => upload(gzipSync(JSON.stringify(good)).subarray(0, 40), uploadHeaders(token, { 'content-encoding': 'gzip' })), 400, /gzip|end/i],
      ['unknown encoding', () => upload(JSON.stringify(good), uploadHeaders(token, { 'content-encoding': 'br' })), 415, /content-encoding/],
      ['no token', () => upload(good, { 'content-type': 'application/json' } as never), 401, /token/],
      ['a wrong token', () => upload(good, uploadHeaders('rsu_wrong')), 401, /token/],
    ];
    for (const [name, send, status, message] of cases) {
      const response = await send();
      expect(response.statusCode, name).toBe(status);
      expect(response.json<{ message: string }>().message, name).toMatch(message);
    }
    expect(await countRows(t.store, 'sessions')).toBe(0);
    expect(await countRows(t.store, 'events')).toBe(0);
    expect((await t.app.inject({ method: 'GET', url: SERVER_ROUTES.health })).statusCode).toBe(200);
  });

  it('stores SQL and path injection strings verbatim, as data', async () => {
    const id = `x'); DROP TABLE sessions;--`;
    const batch = oneSessionUpload(id, 1_700_000_000_000, 2);
    batch.sessions[0]!.session.site = 'http://127.0.0.1:5173/../../etc/passwd';
    expect((await upload(batch)).statusCode).toBe(201);
    const member = await login(t.app);
    const detail = await t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.sessions}/${encodeURIComponent(id)}`, headers: memberHeaders(member) });
    expect(detail.json<SessionDetailResponse>().item.session).toMatchObject({ id, site: 'http://127.0.0.1:5173/../../etc/passwd' });
    expect(await countRows(t.store, 'events')).toBe(2);
  });

  it('caps the body before and after decompression (413), a gzip bomb included', async () => {
    const big = makeUpload([{ session: makeSession('big', 1), events: makeEvents('big', 'load-big', 1, 1) }]);
    const padded = { ...big, sessions: [{ ...big.sessions[0]!, session: { ...big.sessions[0]!.session, global: { pad: 'x'.repeat(300 * 1024) } } }] };
    expect((await upload(padded)).statusCode).toBe(413);
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(256 * 1024);
    const response = await upload(bomb, uploadHeaders(token, { 'content-encoding': 'gzip' }));
    expect(response.statusCode).toBe(413);
    expect(await countRows(t.store, 'sessions')).toBe(0);
  });

  it('refuses a revoked token, and an upload token cannot read sessions', async () => {
    const member = await login(t.app);
    const tokens = await t.app.inject({ method: 'GET', url: SERVER_ROUTES.tokens, headers: memberHeaders(member) });
    const id = tokens.json<{ items: { id: string }[] }>().items[0]!.id;
    expect((await t.app.inject({ method: 'GET', url: SERVER_ROUTES.sessions, headers: uploadHeaders(token) })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: SERVER_ROUTES.sessions, headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'DELETE', url: `${SERVER_ROUTES.tokens}/${id}`, headers: memberHeaders(member) })).statusCode).toBe(204);
    expect((await upload(oneSessionUpload('r', 1, 1))).statusCode).toBe(401);
  });

  it('answers 429 with Retry-After past the per-token upload rate', async () => {
    await t.close();
    t = await startTestApp(database, { uploadsPerMinute: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await upload(oneSessionUpload(`rl${i}`, 1000 + i, 1))).statusCode);
    const limited = await upload(oneSessionUpload('rl9', 1, 1));
    expect(statuses.slice(0, 2)).toEqual([201, 201]);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
