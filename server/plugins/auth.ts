/** Login with email + password, logout, who am I, set my password, and one-time login links. */
import type { LoginRequest, MeResponse } from '../../sdk/schema';
import { SERVER_ROUTES } from '../../sdk/schema';
import { loginRequestSchema, parseWith, passwordSchema } from '../../sdk/schema/validateServer';
import { accountInfo, consumeLoginLink, createAuthSession, deleteAuthSession } from '../accounts/accounts';
import { hashPassword, verifyPassword } from '../accounts/secrets';
import { HttpError, type RoutePlugin } from '../http';
import { hitRateLimit, peekRateLimit } from '../rateLimit';
import { clearSessionCookie, requireMember, setSessionCookie } from './authenticate';

const LOGIN_WINDOW_MS = 15 * 60 * 1000;

export const authRoutes: RoutePlugin = async (app, ctx) => {
  const { store, config } = ctx;
  const ttlMs = config.sessionTtlHours * 3600 * 1000;
  const member = requireMember(ctx);

  app.post<{ Body: LoginRequest }>(
    SERVER_ROUTES.login,
    { schema: { body: { type: 'object', required: ['email', 'password'], properties: { email: { type: 'string' }, password: { type: 'string' } } } } },
    async (request, reply) => {
      const parsed = parseWith(loginRequestSchema, request.body);
      if (!parsed.ok) throw new HttpError(400, parsed.reason);
      const { email, password } = parsed.value;
      const keys = [`login-ip:${request.ip}`, `login-email:${email}`];
      for (const key of keys) {
        const seen = await peekRateLimit(store, key, LOGIN_WINDOW_MS);
        if (seen.count >= config.loginAttemptsPer15Min) {
          throw new HttpError(429, 'too many failed logins; try again later', { 'retry-after': String(seen.retryAfter) });
        }
      }
      const user = await store.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
      if (!user || !(await verifyPassword(user?.password_hash ?? null, password))) {
        for (const key of keys) await hitRateLimit(store, key, LOGIN_WINDOW_MS);
        request.log.info({ email }, 'login failed');
        throw new HttpError(401, 'wrong email or password');
      }
      const session = await createAuthSession(store, user.id, ttlMs);
      setSessionCookie(request, reply, session.token, ttlMs / 1000);
      request.log.info({ userId: user.id }, 'logged in');
      return { user: accountInfo(user), csrfToken: session.csrfToken } satisfies MeResponse;
    },
  );

  app.post(SERVER_ROUTES.logout, { preHandler: member }, async (request, reply) => {
    await deleteAuthSession(store, request.account!.sessionId);
    clearSessionCookie(request, reply);
    return reply.code(204).send();
  });

  app.get(SERVER_ROUTES.me, { preHandler: member }, async (request) => {
    const { user, csrfToken } = request.account!;
    return { user: accountInfo(user), csrfToken } satisfies MeResponse;
  });

  app.post<{ Body: { password: string } }>(
    SERVER_ROUTES.password,
    { preHandler: member, schema: { body: { type: 'object', required: ['password'], properties: { password: { type: 'string' } } } } },
    async (request, reply) => {
      const parsed = parseWith(passwordSchema, request.body.password);
      if (!parsed.ok) throw new HttpError(400, parsed.reason);
      await store.db.updateTable('users').set({ password_hash: await hashPassword(parsed.value) }).where('id', '=', request.account!.user.id).execute();
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { token: string } }>(
    `${SERVER_ROUTES.loginLink}/:token`,
    { schema: { params: { type: 'object', properties: { token: { type: 'string', maxLength: 200 } } } } },
    async (request, reply) => {
      const userId = await consumeLoginLink(store, request.params.token);
      if (!userId) throw new HttpError(410, 'this login link was already used or has expired; ask an admin for a new one');
      const session = await createAuthSession(store, userId, ttlMs);
      setSessionCookie(request, reply, session.token, ttlMs / 1000);
      return reply.redirect('/', 303);
    },
  );
};
