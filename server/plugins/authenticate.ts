/**
 * Who is calling: a member's cookie session (dashboard, admin) or an upload token (intake only). A token can
 * never read: the read and admin routes accept only the cookie, and a cookie request that changes anything
 * must carry the session's CSRF token.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_HEADER, UPLOAD_TOKEN_HEADER } from '../../sdk/schema';
import { findAuthSession, findUploadToken } from '../accounts/accounts';
import type { UsersTable } from '../db/schema';
import { HttpError, type AppContext } from '../http';

export const SESSION_COOKIE = 'rumscope_session';

declare module 'fastify' {
  interface FastifyRequest {
    account?: { user: UsersTable; csrfToken: string; sessionId: string };
  }
}

export function readCookie(request: FastifyRequest, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return decodeURIComponent(part.slice(at + 1).trim());
  }
  return null;
}

/** Secure only when the request reached us over HTTPS (X-Forwarded-Proto counts only from trusted proxies). */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, maxAgeSeconds: number): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header('set-cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`);
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  setSessionCookie(request, reply, '', 0);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** preHandler: a logged-in member (and, for a state change, the matching CSRF header). */
export function requireMember(ctx: AppContext) {
  return async (request: FastifyRequest) => {
    const token = readCookie(request, SESSION_COOKIE);
    const account = token ? await findAuthSession(ctx.store, token) : null;
    if (!account) throw new HttpError(401, 'log in first');
    if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== account.csrfToken) {
      throw new HttpError(403, `missing or wrong ${CSRF_HEADER} header`);
    }
    request.account = account;
  };
}

export function requireAdmin(ctx: AppContext) {
  const member = requireMember(ctx);
  return async (request: FastifyRequest) => {
    await member(request);
    if (request.account?.user.role !== 'admin') throw new HttpError(403, 'only an admin can do this');
  };
}

/** The upload token of an intake request (x-rumscope-token or Authorization: Bearer). */
export async function uploadTokenOf(ctx: AppContext, request: FastifyRequest): Promise<{ id: string; userId: string }> {
  const header = request.headers[UPLOAD_TOKEN_HEADER];
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const secret = typeof header === 'string' ? header : bearer;
  const token = secret ? await findUploadToken(ctx.store, secret) : null;
  if (!token) throw new HttpError(401, 'a valid upload token is required');
  return token;
}
