/** An app on a test database, with helpers to log in and upload the way clients do. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { CSRF_HEADER, SERVER_ROUTES, UPLOAD_TOKEN_HEADER, type MeResponse } from '../../sdk/schema';
import { createUploadToken, createUser } from '../accounts/accounts';
import { buildApp } from '../app';
import type { ServerConfig } from '../config';
import type { Store } from '../db/openDatabase';
import { testConfig, type TestDatabase } from './testStores';

export const ADMIN = { email: 'admin@example.com', password: 'correct horse battery' };

export interface TestApp {
  app: FastifyInstance;
  store: Store;
  close(): Promise<void>;
}

export async function startTestApp(database: TestDatabase, overrides: Partial<ServerConfig> = {}): Promise<TestApp> {
  const store = await database.openMigrated();
  const app = await buildApp({ config: testConfig(database.url, overrides), store, ownsStore: true });
  await app.ready();
  return { app, store, close: () => app.close() };
}

export interface Login {
  cookie: string;
  csrf: string;
  me: MeResponse;
}

export async function login(app: FastifyInstance, email = ADMIN.email, password = ADMIN.password): Promise<Login> {
  const response = await app.inject({ method: 'POST', url: SERVER_ROUTES.login, payload: { email, password } });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
  return { cookie: sessionCookieOf(response), csrf: response.json<MeResponse>().csrfToken, me: response.json<MeResponse>() };
}

export function sessionCookieOf(response: LightMyRequestResponse | { headers: Record<string, unknown> }): string {
  const header = String(response.headers['set-cookie'] ?? '');
  return header.split(';')[0]!;
}

/** Admin account plus an upload token of theirs. */
export async function seedAdmin(store: Store): Promise<{ userId: string; token: string }> {
  const user = await createUser(store, { email: ADMIN.email, password: ADMIN.password, role: 'admin' });
  const { token } = await createUploadToken(store, user.id, 'laptop chrome');
  return { userId: user.id, token };
}

export function uploadHeaders(token: string, extra: Record<string, string> = {}) {
  return { [UPLOAD_TOKEN_HEADER]: token, 'content-type': 'application/json', ...extra };
}

export function memberHeaders(session: Login, extra: Record<string, string> = {}) {
  return { cookie: session.cookie, [CSRF_HEADER]: session.csrf, ...extra };
}

export async function countRows(store: Store, table: 'sessions' | 'events' | 'upload_receipts' | 'replay_segments'): Promise<number> {
  const row = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
