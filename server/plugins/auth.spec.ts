import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SERVER_ROUTES, type CreateTokenResponse, type CreateUserResponse, type MeResponse } from '../../sdk/schema';
import { ADMIN, login, memberHeaders, seedAdmin, sessionCookieOf, startTestApp, type TestApp } from '../testing/harness';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../testing/testStores';

describe.each(DIALECTS)('accounts on %s', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestApp(database, { loginAttemptsPer15Min: 3, trustedProxies: ['10.0.0.1'] });
    await seedAdmin(t.store);
  });
  afterEach(async () => {
    await t.close();
    await database.drop();
  });

  it('logs in with email and password into an HttpOnly SameSite=Lax cookie, and out again', async () => {
    const response = await t.app.inject({ method: 'POST', url: SERVER_ROUTES.login, payload: { email: 'ADMIN@example.com ', password: ADMIN.password } });
    expect(response.statusCode).toBe(200);
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toMatch(/^rumscope_session=rss_[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    const me = await t.app.inject({ method: 'GET', url: SERVER_ROUTES.me, headers: { cookie: sessionCookieOf(response) } });
    expect(me.json<MeResponse>().user).toMatchObject({ email: ADMIN.email, role: 'admin' });
    const stored = await t.store.db.selectFrom('users').select('password_hash').executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);
    expect(stored.password_hash).not.toContain(ADMIN.password);
    const session = { cookie: sessionCookieOf(response), csrf: response.json<MeResponse>().csrfToken };
    expect((await t.app.inject({ method: 'POST', url: SERVER_ROUTES.logout, headers: { cookie: session.cookie } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: SERVER_ROUTES.logout, headers: memberHeaders(session as never) })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: SERVER_ROUTES.me, headers: { cookie: session.cookie } })).statusCode).toBe(401);
  });

  it('marks the cookie Secure over HTTPS, believing X-Forwarded-Proto only from a trusted proxy', async () => {
    const attempt = (remoteAddress: string) =>
      t.app.inject({ method: 'POST', url: SERVER_ROUTES.login, remoteAddress, headers: { 'x-forwarded-proto': 'https' }, payload: { email: ADMIN.email, password: ADMIN.password } });
    expect(String((await attempt('10.0.0.1')).headers['set-cookie'])).toMatch(/; Secure$/);
    expect(String((await attempt('10.0.0.2')).headers['set-cookie'])).not.toMatch(/Secure/);
  });

  it('refuses wrong passwords and unknown emails alike, then rate-limits with Retry-After', async () => {
    const attempt = (email: string, password: string) => t.app.inject({ method: 'POST', url: SERVER_ROUTES.login, payload: { email, password } });
    expect((await attempt(ADMIN.email, 'wrong password')).json()).toMatchObject({ statusCode: 401, message: 'wrong email or password' });
    expect((await attempt('nobody@example.com', 'whatever')).json()).toMatchObject({ statusCode: 401, message: 'wrong email or password' });
    await attempt(ADMIN.email, 'wrong again');
    const limited = await attempt(ADMIN.email, ADMIN.password);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('lets an admin invite a member by one-time link, who then uploads with their own token but cannot administer', async () => {
    const admin = await login(t.app);
    const created = await t.app.inject({ method: 'POST', url: SERVER_ROUTES.users, headers: memberHeaders(admin), payload: { email: 'dev@example.com', name: 'Dev' } });
    expect(created.statusCode).toBe(201);
    const { user, loginLink } = created.json<CreateUserResponse>();
    expect(user.role).toBe('member');
    const path = new URL(loginLink!).pathname;
    const first = await t.app.inject({ method: 'GET', url: path });
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/');
    expect((await t.app.inject({ method: 'GET', url: path })).statusCode).toBe(410);
    const cookie = sessionCookieOf(first);
    const me = (await t.app.inject({ method: 'GET', url: SERVER_ROUTES.me, headers: { cookie } })).json<MeResponse>();
    const member = { cookie, csrf: me.csrfToken, me };
    expect((await t.app.inject({ method: 'POST', url: SERVER_ROUTES.password, headers: memberHeaders(member), payload: { password: 'a long new password' } })).statusCode).toBe(204);
    expect((await login(t.app, 'dev@example.com', 'a long new password')).me.user.email).toBe('dev@example.com');
    expect((await t.app.inject({ method: 'GET', url: SERVER_ROUTES.users, headers: memberHeaders(member) })).statusCode).toBe(403);
    const token = await t.app.inject({ method: 'POST', url: SERVER_ROUTES.tokens, headers: memberHeaders(member), payload: { name: 'firefox' } });
    expect(token.statusCode).toBe(201);
    const { token: secret, info } = token.json<CreateTokenResponse>();
    expect(info.userId).toBe(user.id);
    const stored = await t.store.db.selectFrom('upload_tokens').selectAll().where('id', '=', info.id).executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(secret);
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect((await t.app.inject({ method: 'DELETE', url: `${SERVER_ROUTES.users}/${user.id}`, headers: memberHeaders(admin) })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: SERVER_ROUTES.me, headers: { cookie } })).statusCode).toBe(401);
  });

  it('answers /healthz with the database in use', async () => {
    const response = await t.app.inject({ method: 'GET', url: SERVER_ROUTES.health });
    expect(response.json()).toEqual({ ok: true, database: dialect });
  });
});
