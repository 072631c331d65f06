/** Members, login sessions, one-time login links and upload tokens: all state in the database. */
import type { AccountInfo, UploadTokenInfo, UserRole } from '../../sdk/schema';
import type { Store } from '../db/openDatabase';
import type { UploadTokensTable, UsersTable } from '../db/schema';
import { hashPassword, newId, newSecret, secretHash } from './secrets';

export const LOGIN_LINK_TTL_MS = 24 * 60 * 60 * 1000;

export function accountInfo(row: UsersTable): AccountInfo {
  return { id: row.id, email: row.email, name: row.name, role: row.role, createdAt: row.created_at };
}

export function tokenInfo(row: UploadTokensTable): UploadTokenInfo {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export class AccountExistsError extends Error {}

export async function createUser(
  store: Store,
  input: { email: string; name?: string | undefined; role?: UserRole | undefined; password?: string | undefined },
): Promise<AccountInfo> {
  const email = input.email.trim().toLowerCase();
  const existing = await store.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (existing) throw new AccountExistsError(`an account for ${email} already exists`);
  const row: UsersTable = {
    id: newId(),
    email,
    name: input.name?.trim() || email.split('@')[0]!,
    role: input.role ?? 'member',
    password_hash: input.password ? await hashPassword(input.password) : null,
    created_at: Date.now(),
  };
  await store.db.insertInto('users').values(row).execute();
  return accountInfo(row);
}

export async function countUsers(store: Store): Promise<number> {
  const row = await store.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A one-time link path (`/auth/link/<token>`): logs its holder in once, within a day. */
export async function createLoginLink(store: Store, userId: string, ttlMs = LOGIN_LINK_TTL_MS): Promise<string> {
  const token = newSecret('rsl');
  const now = Date.now();
  await store.db
    .insertInto('login_links')
    .values({ id: secretHash(token), user_id: userId, created_at: now, expires_at: now + ttlMs, used_at: null })
    .execute();
  return `/auth/link/${token}`;
}

/** Spends a login link: returns its user once; never again, on any instance. */
export async function consumeLoginLink(store: Store, token: string): Promise<string | null> {
  const now = Date.now();
  const id = secretHash(token);
  const result = await store.db
    .updateTable('login_links')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return null;
  const row = await store.db.selectFrom('login_links').select('user_id').where('id', '=', id).executeTakeFirst();
  return row?.user_id ?? null;
}

export async function createAuthSession(store: Store, userId: string, ttlMs: number): Promise<{ token: string; csrfToken: string }> {
  const token = newSecret('rss');
  const csrfToken = newSecret('csrf');
  const now = Date.now();
  await store.db
    .insertInto('auth_sessions')
    .values({ id: secretHash(token), user_id: userId, csrf_token: csrfToken, created_at: now, expires_at: now + ttlMs })
    .execute();
  return { token, csrfToken };
}

export async function findAuthSession(store: Store, token: string): Promise<{ user: UsersTable; csrfToken: string; sessionId: string } | null> {
  const row = await store.db
    .selectFrom('auth_sessions')
    .innerJoin('users', 'users.id', 'auth_sessions.user_id')
    .selectAll('users')
    .select(['auth_sessions.csrf_token', 'auth_sessions.id as session_id'])
    .where('auth_sessions.id', '=', secretHash(token))
    .where('auth_sessions.expires_at', '>', Date.now())
    .executeTakeFirst();
  if (!row) return null;
  const { csrf_token, session_id, ...user } = row;
  return { user, csrfToken: csrf_token, sessionId: session_id };
}

export async function deleteAuthSession(store: Store, sessionId: string): Promise<void> {
  await store.db.deleteFrom('auth_sessions').where('id', '=', sessionId).execute();
}

export async function createUploadToken(store: Store, userId: string, name: string): Promise<{ info: UploadTokenInfo; token: string }> {
  const token = newSecret('rsu');
  const row: UploadTokensTable = {
    id: newId(),
    user_id: userId,
    name,
    token_hash: secretHash(token),
    created_at: Date.now(),
    last_used_at: null,
    revoked_at: null,
  };
  await store.db.insertInto('upload_tokens').values(row).execute();
  return { info: tokenInfo(row), token };
}

/** The live (not revoked) token with this secret, and its member. */
export async function findUploadToken(store: Store, token: string): Promise<{ id: string; userId: string } | null> {
  const row = await store.db
    .selectFrom('upload_tokens')
    .innerJoin('users', 'users.id', 'upload_tokens.user_id')
    .select(['upload_tokens.id', 'upload_tokens.user_id'])
    .where('upload_tokens.token_hash', '=', secretHash(token))
    .where('upload_tokens.revoked_at', 'is', null)
    .executeTakeFirst();
  return row ? { id: row.id, userId: row.user_id } : null;
}
