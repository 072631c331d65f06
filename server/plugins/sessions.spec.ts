import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SERVER_ROUTES, type SessionChangesResponse, type SessionListResponse } from '../../sdk/schema';
import { login, memberHeaders, seedAdmin, startTestApp, uploadHeaders, type Login, type TestApp } from '../testing/harness';
import { makeEvents, makeSession, makeUpload, oneSessionUpload } from '../testing/fixtures';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../testing/testStores';

const T0 = 1_700_000_000_000;
const MINUTE = 60_000;

describe.each(DIALECTS)('sessions read API on %s', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let token: string;
  let member: Login;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestApp(database);
    ({ token } = await seedAdmin(t.store));
    member = await login(t.app);
    // Seven sessions one minute apart, two of them at the same instant (the id breaks the tie).
    const sessions = [0, 1, 2, 3, 4, 5].map((i) => `s${i}`);
    const batch = makeUpload(sessions.map((id, i) => ({ session: makeSession(id, T0 + i * MINUTE), events: makeEvents(id, `l-${id}`, T0 + i * MINUTE, 2) })));
    batch.sessions.push({ session: makeSession('s5b', T0 + 5 * MINUTE), events: [] });
    const response = await t.app.inject({ method: 'POST', url: SERVER_ROUTES.upload, headers: uploadHeaders(token), payload: batch });
    expect(response.statusCode).toBe(201);
  });
  afterEach(async () => {
    await t.close();
    await database.drop();
  });

  const list = async (query: string) => {
    const response = await t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.sessions}?${query}`, headers: memberHeaders(member) });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<SessionListResponse>();
  };

  it('lists newest first in pages that neither repeat nor skip a session', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: SessionListResponse = await list(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((item) => item.session.id));
      cursor = page.nextCursor;
    } while (cursor);
    // Ties as the panel breaks them: the id in ascending order.
    expect(seen).toEqual(['s5', 's5b', 's4', 's3', 's2', 's1', 's0']);
  });

  it('pages by cursor in another sort order, and refuses a cursor of a different order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: SessionListResponse = await list(`limit=2&sort=startedAt&direction=asc${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((item) => item.session.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's5b']);
    const first = await list('limit=2&sort=errors');
    const other = await t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.sessions}?limit=2&sort=timeSpent&cursor=${first.nextCursor}`, headers: memberHeaders(member) });
    expect(other.statusCode).toBe(400);
    expect(other.json<{ message: string }>().message).toMatch(/another sort order/);
    const both = await t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.sessions}?offset=2&cursor=${first.nextCursor}&sort=errors`, headers: memberHeaders(member) });
    expect(both.statusCode).toBe(400);
    const range = await t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.sessions}?range=custom&rangeFrom=5`, headers: memberHeaders(member) });
    expect(range.statusCode).toBe(400);
    expect(range.json<{ message: string }>().message).toMatch(/rangeFrom < rangeTo/);
  });

  it('filters by time range and site, and says who uploaded each session', async () => {
    const page = await list(`from=${T0 + MINUTE}&to=${T0 + 3 * MINUTE}`);
    expect(page.items.map((item) => item.session.id)).toEqual(['s2', 's1']);
    expect(page.items[0]!.uploadedBy?.email).toBe('admin@example.com');
    expect((await list('site=http%3A%2F%2Felsewhere')).items).toEqual([]);
  });

  it('feeds the changes since a cursor, for a live view', async () => {
    const all = (await t.app.inject({ method: 'GET', url: SERVER_ROUTES.changes, headers: memberHeaders(member) })).json<SessionChangesResponse>();
    expect(all.items).toHaveLength(7);
    const quiet = (await t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.changes}?cursor=${all.cursor}`, headers: memberHeaders(member) })).json<SessionChangesResponse>();
    expect(quiet).toEqual({ items: [], cursor: all.cursor });
    await t.app.inject({ method: 'POST', url: SERVER_ROUTES.upload, headers: uploadHeaders(token), payload: oneSessionUpload('late', T0 + 9 * MINUTE, 1) });
    const next = (await t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.changes}?cursor=${all.cursor}`, headers: memberHeaders(member) })).json<SessionChangesResponse>();
    expect(next.items.map((item) => item.session.id)).toEqual(['late']);
    expect(Number(next.cursor)).toBeGreaterThan(Number(all.cursor));
  });

  it('refuses anonymous reads, bad queries and unknown sessions with clear errors', async () => {
    expect((await t.app.inject({ method: 'GET', url: SERVER_ROUTES.sessions })).statusCode).toBe(401);
    const bad = await t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.sessions}?from=yesterday`, headers: memberHeaders(member) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ message: string }>().message).toMatch(/from/);
    expect((await t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.sessions}?cursor=nonsense`, headers: memberHeaders(member) })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.sessions}/nope`, headers: memberHeaders(member) })).statusCode).toBe(404);
  });
});
