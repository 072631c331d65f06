/** The extension's sync client against a real team server on 127.0.0.1 (SQLite file); the extension's database in fake-indexeddb. */
import 'fake-indexeddb/auto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/main';
import { countRows, seedAdmin } from '../../server/testing/harness';
import { makeEvents, makeSession } from '../../server/testing/fixtures';
import { createTestDatabase, testConfig, type TestDatabase } from '../../server/testing/testStores';
import { RumscopeDb } from '../storage/db';
import { buildSegmentRow } from '../../sdk/src/replay/segmentCodec';
import { DEFAULT_ASSET_CAPS, hashAsset, keepAsset, skipAsset } from '../storage/assetStore';
import { refuseSyncTarget, startSync, syncOnce } from './syncSessions';
import { SERVER_ROUTES, type UploadRequest } from '../../sdk/schema';

const T0 = 1_700_000_000_000;
let n = 0;

describe('sync to the team server', () => {
  let database: TestDatabase;
  let server: RunningServer;
  let token: string;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    server = await startServer(testConfig(database.url));
    ({ token } = await seedAdmin(server.store));
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  async function freshDb() {
    const db = new RumscopeDb(`sync-${++n}`);
    await db.open();
    return db;
  }

  it('refuses to send a token over plain http except to this machine', () => {
    expect(refuseSyncTarget({ url: 'http://rum.example.com', token: 't' })).toMatch(/plain http/);
    expect(refuseSyncTarget({ url: 'http://127.0.0.1:8787', token: 't' })).toBeNull();
    expect(refuseSyncTarget({ url: 'http://localhost:8787', token: 't' })).toBeNull();
    expect(refuseSyncTarget({ url: 'https://rum.example.com', token: 't' })).toBeNull();
    expect(refuseSyncTarget({ url: '', token: 't' })).toMatch(/off/);
  });

  it('uploads ended sessions once, skips live and private ones, and uploads a session again when it grew', async () => {
    const db = await freshDb();
    const ids = ['e1', 'e2', 'e3'];
    await db.sessions.bulkPut([
      ...ids.map((id, i) => makeSession(`${n}-${id}`, T0 + i)),
      makeSession(`${n}-live`, T0 + 10, { endedAt: null, endReason: null }),
      makeSession(`${n}-private`, T0 + 11, { incognito: true }),
    ]);
    await db.events.bulkPut(ids.flatMap((id, i) => makeEvents(`${n}-${id}`, `l-${n}-${id}`, T0 + i, 3)));
    const target = { url: server.url, token };
    expect(await syncOnce(db, target, { batchSessions: 2 })).toEqual({ uploaded: 3 });
    expect(await syncOnce(db, target)).toEqual({ uploaded: 0 });
    const stored = await server.store.db.selectFrom('sessions').select('id').where('id', 'like', `${n}-%`).execute();
    expect(stored.map((r) => r.id).sort()).toEqual(ids.map((id) => `${n}-${id}`).sort());
    await db.sessions.update(`${n}-e1`, { lastEventAt: T0 + 99_000 });
    expect(await syncOnce(db, target)).toEqual({ uploaded: 1 });
    db.close();
  });

  it('uploads a session’s replay segments after the session, once, and the server plays them back', async () => {
    const db = await freshDb();
    const id = `${n}-replayed`;
    const rows = [
      buildSegmentRow(id, `l-${n}-r`, 0, { viewId: 'v1', reason: 'time', records: [{ type: 2, timestamp: T0 + 10, data: { text: 'snapshot' } }] }),
      buildSegmentRow(id, `l-${n}-r`, 1, { viewId: 'v1', reason: 'exit', records: [{ type: 3, timestamp: T0 + 20, data: { text: 'click' } }] }),
    ];
    await db.sessions.put(makeSession(id, T0, { replay: true, replayStats: { segments: 2, bytes: 10, rawChars: 10, start: T0 + 10, end: T0 + 20 } }));
    await db.events.bulkPut(makeEvents(id, `l-${n}-r`, T0, 2));
    await db.replaySegments.bulkPut(rows);
    const requests: string[] = [];
    const counting: typeof fetch = (input, init) => {
      requests.push(new URL(String(input)).pathname);
      return fetch(input, init);
    };
    expect(await syncOnce(db, { url: server.url, token }, { fetch: counting })).toEqual({ uploaded: 1 });
    expect(requests).toEqual(['/api/intake/sessions', '/api/intake/replay']);
    expect(await syncOnce(db, { url: server.url, token }, { fetch: counting })).toEqual({ uploaded: 0 });
    expect(requests).toHaveLength(2);
    const stored = await server.store.db.selectFrom('replay_segments').select(['seq', 'session_id']).where('session_id', '=', id).orderBy('seq').execute();
    expect(stored).toEqual([{ seq: 0, session_id: id }, { seq: 1, session_id: id }]);
    const session = JSON.parse((await server.store.db.selectFrom('sessions').select('record').where('id', '=', id).executeTakeFirstOrThrow()).record);
    expect(session.replayStats).toMatchObject({ segments: 2, start: T0 + 10, end: T0 + 20 });
    db.close();
  });

  it('uploads the replay assets kept with a session after its recording, each body once on the server, again only when they grew', async () => {
    const db = await freshDb();
    const ids = [`${n}-assets-a`, `${n}-assets-b`];
    const font = new TextEncoder().encode('wOF2 pretend font shared by both sessions');
    const photo = new TextEncoder().encode('PNG pretend photo of the first session');
    for (const [i, id] of ids.entries()) {
      await db.sessions.put(makeSession(id, T0 + i, { replay: true, replayStats: { segments: 1, bytes: 10, rawChars: 10, start: T0 + 10, end: T0 + 20 } }));
      await db.replaySegments.put(buildSegmentRow(id, `l-${id}`, 0, { viewId: 'v1', reason: 'time', records: [{ type: 2, timestamp: T0 + 10, data: { text: 'snapshot' } }] }));
      await keepAsset(db, { sessionId: id, url: `https://cdn.test/${i}/font.woff2`, kind: 'css', hash: await hashAsset(font), contentType: 'font/woff2', data: font, now: T0 }, DEFAULT_ASSET_CAPS);
      await skipAsset(db, { sessionId: id, url: 'https://shop.test/pixel.svg', kind: 'image', reason: 'private', detail: 'no-store', now: T0 });
    }
    await keepAsset(db, { sessionId: ids[0]!, url: 'https://shop.test/photo.png', kind: 'image', hash: await hashAsset(photo), contentType: 'image/png', data: photo, now: T0 }, DEFAULT_ASSET_CAPS);
    const requests: string[] = [];
    const counting: typeof fetch = (input, init) => {
      requests.push(new URL(String(input)).pathname);
      return fetch(input, init);
    };
    expect(await syncOnce(db, { url: server.url, token }, { fetch: counting })).toEqual({ uploaded: 2 });
    expect(requests).toEqual(['/api/intake/sessions', '/api/intake/replay', '/api/intake/replay', '/api/intake/sessions', '/api/intake/sessions']);
    const refsOn = (id: string) => server.store.db.selectFrom('replay_asset_refs').select(['url', 'hash', 'reason']).where('session_id', '=', id).orderBy('url').execute();
    expect(await refsOn(ids[0]!)).toEqual([
      { url: 'https://cdn.test/0/font.woff2', hash: await hashAsset(font), reason: null },
      { url: 'https://shop.test/photo.png', hash: await hashAsset(photo), reason: null },
      { url: 'https://shop.test/pixel.svg', hash: null, reason: 'private' },
    ]);
    expect(await refsOn(ids[1]!)).toHaveLength(2);
    const bodies = await server.store.db.selectFrom('replay_assets').select(['hash', 'bytes']).where('hash', 'in', [await hashAsset(font), await hashAsset(photo)]).orderBy('bytes').execute();
    expect(bodies).toEqual([{ hash: await hashAsset(photo), bytes: photo.length }, { hash: await hashAsset(font), bytes: font.length }]);
    // Nothing new: nothing sent. A reference added later (the fetch queue finished after the upload) goes on the next pass.
    expect(await syncOnce(db, { url: server.url, token }, { fetch: counting })).toEqual({ uploaded: 0 });
    expect(requests).toHaveLength(5);
    await skipAsset(db, { sessionId: ids[1]!, url: 'https://shop.test/big.png', kind: 'image', reason: 'too_large', detail: '9000000 bytes', now: T0 });
    expect(await syncOnce(db, { url: server.url, token }, { fetch: counting })).toEqual({ uploaded: 0 });
    expect(requests.slice(5)).toEqual(['/api/intake/sessions']);
    expect(await refsOn(ids[1]!)).toHaveLength(3);
    db.close();
  });

  it('cuts a session’s replay assets into requests by body bytes, a body larger than the cut alone', async () => {
    const db = await freshDb();
    const id = `${n}-cut`;
    await db.sessions.put(makeSession(id, T0, { replay: true, replayStats: { segments: 1, bytes: 10, rawChars: 10, start: T0 + 10, end: T0 + 20 } }));
    await db.replaySegments.put(buildSegmentRow(id, `l-${id}`, 0, { viewId: 'v1', reason: 'time', records: [{ type: 2, timestamp: T0 + 10, data: { text: 'snapshot' } }] }));
    const sizes = [30, 30, 100, 10];
    for (const [i, size] of sizes.entries()) {
      const data = new TextEncoder().encode(`${id} body ${i} `.padEnd(size, '.'));
      await keepAsset(db, { sessionId: id, url: `https://cdn.test/${i}.png`, kind: 'image', hash: await hashAsset(data), contentType: 'image/png', data, now: T0 }, DEFAULT_ASSET_CAPS);
    }
    const parts: number[] = [];
    const watching: typeof fetch = async (input, init) => {
      if (new URL(String(input)).pathname === SERVER_ROUTES.upload) {
        const text = await new Response(new Blob([init!.body as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
        const bundle = JSON.parse(text) as UploadRequest;
        if (bundle.sessions[0]!.assets) parts.push(bundle.sessions[0]!.assets.length);
      }
      return fetch(input, init);
    };
    expect(await syncOnce(db, { url: server.url, token }, { fetch: watching, assetBatchBytes: 64 })).toEqual({ uploaded: 1 });
    // 30 + 30 fit, 100 goes alone, 10 after it.
    expect(parts).toEqual([2, 1, 1]);
    expect(await server.store.db.selectFrom('replay_asset_refs').select('url').where('session_id', '=', id).execute()).toHaveLength(4);
    db.close();
  });

  it('backs off on 503 and delivers everything exactly once when the server is back', async () => {
    const db = await freshDb();
    await db.sessions.put(makeSession(`${n}-flaky`, T0));
    await db.events.bulkPut(makeEvents(`${n}-flaky`, `l-${n}-flaky`, T0, 4));
    // A proxy that answers 503 twice, then passes requests to the real server.
    let refused = 0;
    const proxy = createServer((req, res) => {
      if (refused < 2) {
        refused++;
        req.resume();
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' }).end('{"message":"down"}');
        return;
      }
      const forward = fetch(server.url + req.url, { method: req.method, headers: req.headers as Record<string, string>, body: req as never, duplex: 'half' } as RequestInit);
      void forward.then(async (r) => res.writeHead(r.status, { 'content-type': 'application/json' }).end(Buffer.from(await r.arrayBuffer())));
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const before = await countRows(server.store, 'events');
    const { stop } = startSync({ db, target: async () => ({ url, token }), intervalMs: 60_000, backoffMs: { base: 20, max: 100 } });
    await expect.poll(async () => (await db.meta.get('sync'))?.value, { timeout: 10_000 }).toMatchObject({ lastError: null, uploaded: { [`${n}-flaky`]: T0 + 5000 } });
    stop();
    proxy.close();
    expect(refused).toBe(2);
    expect((await countRows(server.store, 'events')) - before).toBe(4);
    db.close();
  });
});
