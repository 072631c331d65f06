import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SERVER_ROUTES, sessionReplayPath, type ReplayData, type ReplayUploadResponse, type RumEvent, type SessionDetailResponse, type SessionListResponse } from '../../sdk/schema';
import { createUploadToken, createUser } from '../accounts/accounts';
import { oneSessionUpload } from '../testing/fixtures';
import { countRows, login, memberHeaders, seedAdmin, startTestApp, uploadHeaders, type TestApp } from '../testing/harness';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../testing/testStores';

const click = (time: number, name: string): RumEvent => ({ type: 'action', time, tz: 0, viewId: 'v1', action: 'click', name, selector: '#b', x: 1, y: 1, rage: false, dead: false, errorClick: false });
const segment = (time: number, text: string, full = false) =>
  JSON.stringify({ viewId: 'v1', reason: 'time', records: [{ type: full ? 2 : 3, timestamp: time, data: { text } }] });

describe.each(DIALECTS)('replay upload and read on %s', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let token: string;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestApp(database);
    ({ token } = await seedAdmin(t.store));
  });
  afterEach(async () => {
    await t.close();
    await database.drop();
  });

  const sendBatch = (loadId: string, sessionId: string, events: RumEvent[], first = 0) =>
    t.app.inject({ method: 'POST', url: SERVER_ROUTES.sdkBatch, headers: uploadHeaders(token), payload: { protocol: 1, loadId, first, url: 'http://app.test/', sessionId, events } });
  const sendReplay = (segments: object[], headers: Record<string, string> = uploadHeaders(token)) =>
    t.app.inject({ method: 'POST', url: SERVER_ROUTES.replayUpload, headers, payload: { protocol: 1, segments } });

  it('keeps two visitors posting with one token in their own sessions, named by their SDK', async () => {
    const now = Date.now();
    expect((await sendBatch('load-a', 'visitor-a', [click(now, 'a1')])).statusCode).toBe(200);
    expect((await sendBatch('load-b', 'visitor-b', [click(now + 1, 'b1')])).statusCode).toBe(200);
    expect((await sendBatch('load-a2', 'visitor-a', [click(now + 2, 'a2')])).statusCode).toBe(200);
    const member = await login(t.app);
    const list = (await t.app.inject({ method: 'GET', url: SERVER_ROUTES.sessions, headers: memberHeaders(member) })).json<SessionListResponse>();
    expect(list.items.map((item) => [item.session.id, item.session.counts.actions]).sort()).toEqual([['visitor-a', 2], ['visitor-b', 1]]);
  });

  it('stores the SDK’s segments by load (gzip too) once, asks for the load’s events first, and plays them back', async () => {
    const now = Date.now();
    const early = await sendReplay([{ loadId: 'load-r', seq: 0, segment: segment(now, 'first', true) }]);
    expect(early.statusCode).toBe(409);
    expect(early.json<ReplayUploadResponse>()).toEqual({ status: 'unknown_load', loadId: 'load-r' });
    expect(await countRows(t.store, 'replay_segments')).toBe(0);

    await sendBatch('load-r', 'visitor-r', [click(now, 'go')]);
    const body = JSON.stringify({ protocol: 1, segments: [{ loadId: 'load-r', seq: 0, segment: segment(now, 'first', true) }, { loadId: 'load-r', seq: 1, segment: segment(now + 500, 'second') }] });
    const stored = await t.app.inject({ method: 'POST', url: SERVER_ROUTES.replayUpload, headers: uploadHeaders(token, { 'content-encoding': 'gzip' }), payload: gzipSync(body) });
    expect(stored.statusCode).toBe(200);
    expect(stored.json<ReplayUploadResponse>()).toEqual({ status: 'stored', stored: 2, duplicates: 0 });
    expect((await sendReplay([{ loadId: 'load-r', seq: 1, segment: segment(now + 500, 'second') }])).json<ReplayUploadResponse>()).toEqual({ status: 'stored', stored: 0, duplicates: 1 });
    expect(await countRows(t.store, 'replay_segments')).toBe(2);

    expect((await t.app.inject({ method: 'GET', url: sessionReplayPath('visitor-r'), headers: uploadHeaders(token) })).statusCode).toBe(401);
    const member = await login(t.app);
    const replay = (await t.app.inject({ method: 'GET', url: sessionReplayPath('visitor-r'), headers: memberHeaders(member) })).json<ReplayData>();
    expect(replay.records.map((r) => (r.data as { text: string }).text)).toEqual(['first', 'second']);
    expect(replay.segments.map((s) => [s.seq, s.fullSnapshot])).toEqual([[0, true], [1, false]]);
    const detail = (await t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.sessions}/visitor-r`, headers: memberHeaders(member) })).json<SessionDetailResponse>();
    expect(detail.item.session).toMatchObject({ replay: true, replayStats: { segments: 2, start: now, end: now + 500 } });
    expect((await t.app.inject({ method: 'GET', url: sessionReplayPath('nobody'), headers: memberHeaders(member) })).statusCode).toBe(404);
  });

  it('takes the extension’s segments for a session its member uploaded, and refuses another member’s or a bad one', async () => {
    const now = Date.now();
    expect((await t.app.inject({ method: 'POST', url: SERVER_ROUTES.upload, headers: uploadHeaders(token), payload: oneSessionUpload('ext-1', now) })).statusCode).toBe(201);
    expect((await sendReplay([{ loadId: 'load-x', seq: 0, sessionId: 'ext-1', segment: segment(now, 'ext', true) }])).statusCode).toBe(200);
    expect((await sendReplay([{ loadId: 'load-x', seq: 1, sessionId: 'missing', segment: segment(now, 'x') }])).statusCode).toBe(404);

    const other = await createUser(t.store, { email: 'other@example.com', password: 'another long password', role: 'member' });
    const { token: otherToken } = await createUploadToken(t.store, other.id, 'other laptop');
    expect((await sendReplay([{ loadId: 'load-y', seq: 0, sessionId: 'ext-1', segment: segment(now, 'forged') }], uploadHeaders(otherToken))).statusCode).toBe(409);
    const bad = await sendReplay([{ loadId: 'load-x', seq: 2, sessionId: 'ext-1', segment: '{"viewId":null,"reason":"time","records":[]}' }]);
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ message: string }>().message).toMatch(/segments\[0\]\.segment/);
    expect((await sendReplay([{ loadId: 'load-x', seq: 3, sessionId: 'ext-1', segment: segment(now, 'x') }], { 'content-type': 'application/json' })).statusCode).toBe(401);
    expect(await countRows(t.store, 'replay_segments')).toBe(1);
  });
});
