import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SERVER_ROUTES, type RumEvent, type SdkBatchResponse, type SessionDetailResponse, type SessionListResponse } from '../../sdk/schema';
import { countRows, login, memberHeaders, seedAdmin, startTestApp, uploadHeaders, type TestApp } from '../testing/harness';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../testing/testStores';

const click = (time: number, name: string): RumEvent => ({ type: 'action', time, tz: 0, viewId: 'v1', action: 'click', name, selector: '#b', x: 1, y: 1, rage: false, dead: false, errorClick: false });

describe.each(DIALECTS)('standalone SDK intake on %s (through the session model)', (dialect) => {
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

  const send = (first: number, events: unknown[], loadId = 'load-a') =>
    t.app.inject({ method: 'POST', url: SERVER_ROUTES.sdkBatch, headers: uploadHeaders(token, { origin: 'http://app.test' }), payload: { protocol: 1, loadId, first, url: 'http://app.test/cart', events } });

  it('folds a load’s batches into one session, stores a re-sent batch once, asks for a gap, and drops a bad event only', async () => {
    const now = Date.now();
    const a = await send(0, [click(now, 'one'), click(now + 1, 'two')]);
    expect(a.statusCode).toBe(200);
    expect(a.headers['access-control-allow-origin']).toBe('*');
    expect(a.json<SdkBatchResponse>()).toMatchObject({ status: 'stored', upTo: 2, stored: 2 });
    expect((await send(0, [click(now, 'one'), click(now + 1, 'two')])).json<SdkBatchResponse>()).toMatchObject({ status: 'stored', upTo: 2, stored: 0 });
    const gap = await send(5, [click(now + 5, 'late')]);
    expect(gap.statusCode).toBe(409);
    expect(gap.json<SdkBatchResponse>()).toEqual({ status: 'gap', upTo: 2 });
    expect((await send(2, [click(now + 2, 'three'), { type: 'action', bogus: true }])).json<SdkBatchResponse>()).toMatchObject({ upTo: 4, stored: 1 });
    expect(await countRows(t.store, 'events')).toBe(3);

    const member = await login(t.app);
    const list = (await t.app.inject({ method: 'GET', url: SERVER_ROUTES.sessions, headers: memberHeaders(member) })).json<SessionListResponse>();
    expect(list.items).toHaveLength(1);
    expect(list.items[0]!.session).toMatchObject({ site: 'http://app.test', counts: { actions: 3 } });
    const detail = (await t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.sessions}/${list.items[0]!.session.id}`, headers: memberHeaders(member) })).json<SessionDetailResponse>();
    expect(detail.events.map((e) => (e.type === 'action' ? e.name : e.type))).toEqual(['one', 'two', 'three']);
    expect(detail.item.uploadedBy?.email).toBe('admin@example.com');
  });

  it("keeps the SDK's visitor id on the sessions it starts: two sessions of one visitor are one returning user", async () => {
    const now = Date.now();
    const post = (loadId: string, sessionId: string, visitorId?: string) =>
      t.app.inject({
        method: 'POST',
        url: SERVER_ROUTES.sdkBatch,
        headers: uploadHeaders(token, { origin: 'http://app.test' }),
        payload: { protocol: 1, loadId, first: 0, url: 'http://app.test/', sessionId, ...(visitorId && { visitorId }), events: [click(now, loadId)] },
      });
    expect((await post('load-1', 'sdk-session-1', 'visitor-1')).statusCode).toBe(200);
    expect((await post('load-2', 'sdk-session-2', 'visitor-1')).statusCode).toBe(200);
    expect((await post('load-3', 'sdk-session-3')).statusCode).toBe(200);
    const member = await login(t.app);
    const list = (await t.app.inject({ method: 'GET', url: SERVER_ROUTES.sessions, headers: memberHeaders(member) })).json<SessionListResponse>();
    const byId = Object.fromEntries(list.items.map((i) => [i.session.id, i.session.visitorId ?? null]));
    expect(byId).toEqual({ 'sdk-session-1': 'visitor-1', 'sdk-session-2': 'visitor-1', 'sdk-session-3': null });
    // A visitor id that is not an id is refused with the batch.
    expect((await post('load-4', 'sdk-session-4', 'not an id; drop table')).statusCode).toBe(400);
  });

  it('answers the CORS preflight and refuses a malformed envelope with 400', async () => {
    const preflight = await t.app.inject({ method: 'OPTIONS', url: SERVER_ROUTES.sdkBatch, headers: { origin: 'http://app.test', 'access-control-request-method': 'POST' } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/x-rumscope-token/);
    const bad = await t.app.inject({ method: 'POST', url: SERVER_ROUTES.sdkBatch, headers: uploadHeaders(token), payload: { protocol: 1, loadId: 'x', first: 0, url: 'javascript:alert(1)', events: [click(1, 'a')] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ message: string }>().message).toMatch(/http\(s\)/);
    expect(await countRows(t.store, 'sessions')).toBe(0);
  });
});
