/**
 * Builds the Fastify app: one plugin per feature over one Store. No state in memory that another instance
 * would need: sessions, rate limits and upload receipts are rows.
 */
import { createRequire } from 'node:module';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ApiError } from '../sdk/schema';
import { SERVER_ROUTES } from '../sdk/schema';
import type { ServerConfig } from './config';
import type { Store } from './db/openDatabase';
import { HttpError, type AppContext } from './http';
import { adminRoutes } from './plugins/admin';
import { dashboardRoutes } from './plugins/dashboard';
import { authRoutes } from './plugins/auth';
import { compatIntakeRoutes } from './plugins/compatIntake';
import { intakeRoutes } from './plugins/intake';
import { replayRoutes } from './plugins/replay';
import { replayAssetRoutes } from './plugins/replayAssets';
import { searchRoutes } from './plugins/search';
import { sessionsRoutes } from './plugins/sessions';
import { startRetention } from './retention';
import { serveOpenApi } from './plugins/openapi';

const SERVER_VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export interface BuildOptions {
  config: ServerConfig;
  store: Store;
  /** Close the store when the app closes (graceful shutdown). */
  ownsStore?: boolean;
}

export async function buildApp({ config, store, ownsStore = false }: BuildOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel, redact: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-rumscope-token"]'] },
    trustProxy: config.trustedProxies.length ? config.trustedProxies : false,
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
  });
  const ctx: AppContext = { store, config };

  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown; headers?: Record<string, string> }, request, reply) => {
    const statusCode = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (statusCode >= 500) request.log.error({ err: error }, 'request failed');
    if (error instanceof HttpError) reply.headers(error.headers);
    const body: ApiError = {
      statusCode,
      error: statusCode >= 500 ? 'Internal Server Error' : httpReason(statusCode),
      message: statusCode >= 500 ? 'the server failed; nothing was acknowledged' : error.message,
    };
    return reply.code(statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no route ${request.method} ${request.url.split('?')[0]}` } satisfies ApiError),
  );

  serveOpenApi(app, SERVER_VERSION);
  app.get(SERVER_ROUTES.health, { schema: { summary: 'Liveness and database check' } }, async () => {
    await store.db.selectFrom('users').select('id').limit(1).execute();
    return { ok: true, database: store.dialect };
  });
  await app.register((child) => authRoutes(child, ctx));
  await app.register((child) => adminRoutes(child, ctx));
  await app.register((child) => intakeRoutes(child, ctx));
  await app.register((child) => compatIntakeRoutes(child, ctx));
  await app.register((child) => searchRoutes(child, ctx));
  await app.register((child) => sessionsRoutes(child, ctx));
  await app.register((child) => replayRoutes(child, ctx));
  await app.register((child) => replayAssetRoutes(child, ctx));
  await app.register((child) => dashboardRoutes(child, ctx));
  // Retention runs from start to close; a pass in progress finishes before the store closes.
  const stopRetention =
    config.retentionDays === null ? null : startRetention({ store, retentionDays: config.retentionDays, intervalMs: config.retentionIntervalMs, log: app.log });
  app.addHook('onClose', async () => {
    await stopRetention?.();
    if (ownsStore) await store.close();
  });
  return app;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
};

function httpReason(statusCode: number): string {
  return REASONS[statusCode] ?? 'Error';
}
