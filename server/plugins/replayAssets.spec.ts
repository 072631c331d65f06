/**
 * Replay assets on the team server (real SQLite file and real PostgreSQL): an uploaded bundle's stylesheets, fonts
 * and images stored once per sha-256 across sessions, served by hash behind the session's access, refused whole
 * when a body does not match its hash, and deleted with the last session that references them.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SERVER_ROUTES, sessionAssetPath, sessionAssetsPath, type BundleAssetBody, type SessionAssetsResponse, type UploadRequest } from '../../sdk/schema';
import { decodeAssetBodies } from '../../sdk/src/replay/assets/assetBodies';
import { deleteSessionRows } from '../db/deleteSessions';
import { storeSessionAssets } from '../db/replayAssets';
import { deleteSessionsBefore } from '../retention';
import { countRows, login, memberHeaders, seedAdmin, startTestApp, uploadHeaders, type Login, type TestApp } from '../testing/harness';
import { keptAssetRef, makeAssetBody, makeEvents, makeSession, makeUpload, skippedAssetRef } from '../testing/fixtures';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../testing/testStores';
import type { Dialect } from '../db/openDatabase';

const T0 = 1_700_000_000_000;
const DAY_MS = 24 * 60 * 60 * 1000;
const fixture = (name: string) => readFileSync(new URL(`../../tests/fixtures/assets/${name}`, import.meta.url));

const FONT = makeAssetBody(fixture('open-sans.woff2'), 'font/woff2');
const CSS = makeAssetBody(fixture('remote.css'), 'text/css');
const TILE = makeAssetBody(fixture('tile.png'), 'image/png');
const PHOTO = makeAssetBody(fixture('photo.png'), 'image/png');
const FONT_BYTES = fixture('open-sans.woff2').byteLength;
const CSS_BYTES = fixture('remote.css').byteLength;
const TILE_BYTES = fixture('tile.png').byteLength;
const PHOTO_BYTES = fixture('photo.png').byteLength;
const A = 'https://shop.test/assets/';
const B = 'https://cdn.test/assets/';

/** Two sessions of two sites showing the same stylesheet, font and tile (under other URLs), each with an image of its own. */
function sharedAssetsUpload(batchId?: string): UploadRequest {
  const entry = (id: string, at: number, base: string, own: BundleAssetBody | null) => ({
    session: makeSession(id, at),
    events: makeEvents(id, `load-${id}`, at, 2),
    assets: [
      keptAssetRef(`${base}remote.css`, 'stylesheet', CSS),
      keptAssetRef(`${base}open-sans.woff2`, 'css', FONT),
      keptAssetRef(`${base}tile.png`, 'css', TILE),
      ...(own ? [keptAssetRef(`${base}photo.png`, 'image', own)] : []),
      skippedAssetRef(`${base}pixel.svg`, 'private', 'no-store'),
    ],
  });
  return { ...makeUpload([entry('s1', T0, A, PHOTO), entry('s2', T0 + 1000, B, null)], batchId), assetBodies: [CSS, FONT, TILE, PHOTO] };
}

const storedBytes = async (t: TestApp) => {
  const rows = await t.store.db.selectFrom('replay_assets').select(['hash', 'bytes']).execute();
  return { bodies: rows.length, bytes: rows.reduce((n, row) => n + row.bytes, 0) };
};
const referencedBytes = async (t: TestApp) => {
  const rows = await t.store.db.selectFrom('replay_asset_refs').select('bytes').execute();
  return rows.reduce((n, row) => n + row.bytes, 0);
};

/** A test app per test on a fresh database of `dialect`, an admin's upload token and login, and requests as the clients make them. */
function useApp(dialect: Dialect) {
  const ctx = {} as { database: TestDatabase; t: TestApp; token: string; member: Login };
  beforeEach(async () => {
    ctx.database = await createTestDatabase(dialect);
    ctx.t = await startTestApp(ctx.database, { maxUploadBytes: 1024 * 1024 });
    ({ token: ctx.token } = await seedAdmin(ctx.t.store));
    ctx.member = await login(ctx.t.app);
  });
  afterEach(async () => {
    await ctx.t.close();
    await ctx.database.drop();
  });
  return {
    ctx,
    upload: (payload: unknown) => ctx.t.app.inject({ method: 'POST', url: SERVER_ROUTES.upload, headers: uploadHeaders(ctx.token), payload: JSON.stringify(payload) }),
    get: (url: string, headers: Record<string, string> = memberHeaders(ctx.member)) => ctx.t.app.inject({ method: 'GET', url, headers }),
  };
}

describe.each(DIALECTS)('replay assets on %s', (dialect) => {
  const { ctx, upload, get } = useApp(dialect);

  it('stores each body once across two sessions that share it, and serves it by hash with its media type', async () => {
    expect((await upload(sharedAssetsUpload('b1'))).statusCode).toBe(201);
    // Four distinct bodies, though the sessions reference seven kept URLs.
    const stored = await storedBytes(ctx.t);
    const referenced = await referencedBytes(ctx.t);
    expect(stored).toEqual({ bodies: 4, bytes: FONT_BYTES + CSS_BYTES + TILE_BYTES + PHOTO_BYTES });
    expect(referenced).toBe(2 * (FONT_BYTES + CSS_BYTES + TILE_BYTES) + PHOTO_BYTES);

    const listed = (await get(sessionAssetsPath('s2'))).json<SessionAssetsResponse>();
    expect(listed.refs).toEqual([
      { sessionId: 's2', url: `${B}open-sans.woff2`, kind: 'css', hash: FONT.hash, bytes: FONT_BYTES, at: T0 },
      { sessionId: 's2', url: `${B}pixel.svg`, kind: 'image', hash: null, reason: 'private', detail: 'no-store', bytes: 0, at: T0 },
      { sessionId: 's2', url: `${B}remote.css`, kind: 'stylesheet', hash: CSS.hash, bytes: CSS_BYTES, at: T0 },
      { sessionId: 's2', url: `${B}tile.png`, kind: 'css', hash: TILE.hash, bytes: TILE_BYTES, at: T0 },
    ]);

    // The shared font through either session: the same bytes, its media type, never sniffed, immutable.
    for (const id of ['s1', 's2']) {
      const font = await get(sessionAssetPath(id, FONT.hash));
      expect(font.statusCode).toBe(200);
      expect(font.rawPayload.equals(fixture('open-sans.woff2'))).toBe(true);
      expect(font.headers).toMatchObject({ 'content-type': 'font/woff2', 'x-content-type-options': 'nosniff', 'cache-control': 'private, max-age=31536000, immutable' });
    }
    expect((await get(sessionAssetPath('s1', CSS.hash))).headers['content-type']).toMatch(/^text\/css/);

    // A re-sent upload (new batch id) and a third session showing the same font store nothing more.
    expect((await upload(sharedAssetsUpload('b2'))).statusCode).toBe(201);
    const third = { ...makeUpload([{ session: makeSession('s3', T0 + 2000), events: [], assets: [keptAssetRef(`${A}open-sans.woff2`, 'css', FONT)] }]), assetBodies: [FONT] };
    expect((await upload(third)).statusCode).toBe(201);
    expect(await storedBytes(ctx.t)).toEqual(stored);
    expect((await get(sessionAssetPath('s3', FONT.hash))).statusCode).toBe(200);
  });

  it("answers 404 for a body the session does not reference, 401 without a member's cookie (an upload token cannot read)", async () => {
    expect((await upload(sharedAssetsUpload())).statusCode).toBe(201);
    // s2 never showed the photo: asking for it through s2 reveals nothing of s1.
    expect((await get(sessionAssetPath('s2', PHOTO.hash))).statusCode).toBe(404);
    expect((await get(sessionAssetPath('s1', PHOTO.hash))).statusCode).toBe(200);
    expect((await get(sessionAssetPath('nope', FONT.hash))).statusCode).toBe(404);
    expect((await get(sessionAssetsPath('nope'))).statusCode).toBe(404);
    expect((await get(sessionAssetPath('s1', 'f'.repeat(64)))).statusCode).toBe(404);
    expect((await get(sessionAssetPath('s1', 'not-a-hash'))).statusCode).toBe(400);
    for (const headers of [{}, uploadHeaders(ctx.token)]) {
      expect((await get(sessionAssetPath('s1', FONT.hash), headers)).statusCode).toBe(401);
      expect((await get(sessionAssetsPath('s1'), headers)).statusCode).toBe(401);
    }
  });

  it('refuses an upload whose body does not match its sha-256 with a clear 400, and stores nothing of it', async () => {
    const forged = sharedAssetsUpload('forged');
    forged.assetBodies![1] = { ...FONT, data: Buffer.from('not the font').toString('base64') };
    const response = await upload(forged);
    expect(response.statusCode).toBe(400);
    expect(response.json<{ message: string }>().message).toBe(`invalid upload: assetBodies[1]: its bytes do not have the sha-256 ${FONT.hash}`);
    expect(await countRows(ctx.t.store, 'sessions')).toBe(0);
    expect(await countRows(ctx.t.store, 'events')).toBe(0);
    expect(await countRows(ctx.t.store, 'upload_receipts')).toBe(0);
    expect(await storedBytes(ctx.t)).toEqual({ bodies: 0, bytes: 0 });
    // A kept reference whose body the upload lacks is refused too.
    const missing = { ...sharedAssetsUpload(), assetBodies: [CSS, FONT, TILE] };
    expect((await upload(missing)).json<{ message: string }>().message).toMatch(/sessions\[0\]\.assets\[3\]: the body .* of https:\/\/shop\.test\/assets\/photo\.png is not in the bundle/);
    expect(await countRows(ctx.t.store, 'sessions')).toBe(0);
  });

  it('deletes a body with the last session that references it (session delete and retention)', async () => {
    expect((await upload(sharedAssetsUpload())).statusCode).toBe(201);
    // s1 goes: its own photo goes with it, the bodies s2 still shows stay.
    await ctx.t.store.transaction((trx) => deleteSessionRows(trx, ['s1']));
    expect(await storedBytes(ctx.t)).toEqual({ bodies: 3, bytes: FONT_BYTES + CSS_BYTES + TILE_BYTES });
    expect((await get(sessionAssetPath('s2', FONT.hash))).statusCode).toBe(200);
    expect((await get(sessionAssetPath('s1', PHOTO.hash))).statusCode).toBe(404);
    // Retention deletes s2 (older than the cutoff): nothing of the assets is left.
    expect(await deleteSessionsBefore(ctx.t.store, T0 + 30 * DAY_MS)).toMatchObject({ sessions: 1 });
    expect(await storedBytes(ctx.t)).toEqual({ bodies: 0, bytes: 0 });
    expect(await referencedBytes(ctx.t)).toBe(0);
  });
});

/**
 * Two instances on one PostgreSQL database (SERIALIZABLE, run again on a conflict). On SQLite, BEGIN IMMEDIATE
 * runs writers one after the other, so the race below cannot happen there (and better-sqlite3 cannot hold two
 * connections' transactions open in one process).
 */
describe('replay assets on two instances of one postgres database', () => {
  const { ctx, upload, get } = useApp('postgres');

  it('keeps a body that an upload references while another instance deletes the last session that had it', async () => {
    expect((await upload({ ...makeUpload([{ session: makeSession('old', T0), events: [], assets: [keptAssetRef(`${A}font.woff2`, 'css', FONT)] }]), assetBodies: [FONT] })).statusCode).toBe(201);
    expect((await upload(makeUpload([{ session: makeSession('new', T0 + 1000), events: [] }]))).statusCode).toBe(201);
    let attempts = 0;
    const other = ctx.database.open();
    try {
      // This instance stores a new session's reference to the font and has not committed yet ...
      let written!: () => void;
      let commit!: () => void;
      const wrote = new Promise<void>((done) => (written = done));
      const gate = new Promise<void>((done) => (commit = done));
      const uploading = ctx.t.store.transaction(async (trx) => {
        attempts++;
        await storeSessionAssets(trx, 'new', [keptAssetRef(`${B}font.woff2`, 'css', FONT)], await decodeAssetBodies([FONT]), T0);
        written();
        await gate;
      });
      await wrote;
      // ... when the other deletes the only session that referenced it so far.
      const deleting = other.transaction((trx) => deleteSessionRows(trx, ['old']));
      await new Promise((done) => setTimeout(done, 300));
      commit();
      await Promise.all([uploading, deleting]);
      expect(await storedBytes(ctx.t)).toEqual({ bodies: 1, bytes: FONT_BYTES });
      expect((await get(sessionAssetPath('new', FONT.hash))).statusCode).toBe(200);
      expect(await ctx.t.store.db.selectFrom('replay_asset_refs').select('session_id').execute()).toEqual([{ session_id: 'new' }]);
      expect(attempts).toBe(1); // the delete waited and was run again, not the upload
    } finally {
      await other.close();
    }
  });
});
