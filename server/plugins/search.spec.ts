import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SERVER_ROUTES, type SessionSearchResponse } from '../../sdk/schema';
import { createHttpSessionSource } from '../dashboard/httpSessionSource';
import { makeEvents, makeSession, makeUpload } from '../testing/fixtures';
import { login, memberHeaders, seedAdmin, startTestApp, uploadHeaders, type Login, type TestApp } from '../testing/harness';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../testing/testStores';

const T0 = 1_700_000_000_000;

describe.each(DIALECTS)('search on the team server on %s', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let member: Login;
  let token: string;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestApp(database);
    ({ token } = await seedAdmin(t.store));
    const upload = makeUpload([
      { session: makeSession('s-pro', T0), events: makeEvents('s-pro', 'load-1', T0, 3) },
      { session: makeSession('s-ent', T0 + 1000, { global: { plan: 'Enterprise_100%' } }), events: makeEvents('s-ent', 'load-2', T0 + 1000, 5) },
    ]);
    expect((await t.app.inject({ method: 'POST', url: SERVER_ROUTES.upload, headers: uploadHeaders(token), payload: upload })).statusCode).toBe(201);
    member = await login(t.app);
  });
  afterEach(async () => {
    await t.close();
    await database.drop();
  });

  const search = async (q: string) => {
    const response = await t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.search}?q=${encodeURIComponent(q)}`, headers: memberHeaders(member) });
    expect(response.statusCode).toBe(200);
    return response.json<SessionSearchResponse>().hits;
  };

  it('finds sessions by action name, error message, page URL and context, case-insensitively, most matches first', async () => {
    // s-ent has actions "Buy 1" and "Buy 3", s-pro only "Buy 1".
    expect((await search('buy')).map((h) => [h.sessionId, h.score, h.snippets[0]?.kind])).toEqual([['s-ent', 2, 'action'], ['s-pro', 1, 'action']]);
    expect((await search('BOOM 4')).map((h) => [h.sessionId, h.snippets[0]!.text])).toEqual([['s-ent', 'boom 4']]);
    expect((await search('127.0.0.1:5173/')).map((h) => h.snippets[0]!.kind)).toEqual(['url', 'url']);
    expect((await search('enterprise')).map((h) => [h.sessionId, h.snippets[0]!.kind])).toEqual([['s-ent', 'attribute']]);
  });

  it('treats LIKE wildcards and quotes as text, and only members may search', async () => {
    expect((await search('_100%')).map((h) => h.sessionId)).toEqual(['s-ent']);
    // As wildcards these would match every session; as text only the one with a literal "%" / nothing.
    expect((await search('%')).map((h) => h.sessionId)).toEqual(['s-ent']);
    expect(await search('B_y')).toEqual([]);
    expect(await search("' or 1=1 --")).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.search}?q=buy`, headers: uploadHeaders(token) })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.search}?q=`, headers: memberHeaders(member) })).statusCode).toBe(400);
  });

  it('answers the dashboard’s HTTP source: search hits, and search text in facets and KPIs', async () => {
    const source = createHttpSessionSource({
      fetch: async (input, init) => {
        const response = await t.app.inject({ method: 'GET', url: String(input), headers: { ...memberHeaders(member), ...(init?.headers as Record<string, string>) } });
        return new Response(response.body, { status: response.statusCode, headers: { 'content-type': 'application/json' } });
      },
    });
    expect((await source.search({ text: 'boom', kinds: ['error'] })).map((h) => h.sessionId).sort()).toEqual(['s-ent', 's-pro']);
    expect(await source.search({ text: 'boom', kinds: ['url'] })).toEqual([]);
    expect((await source.getKpis({ search: 'enterprise' })).summary.totalSessions).toBe(1);
  });
});
