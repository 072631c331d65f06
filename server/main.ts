/**
 * `npm run server`: the team server alone. `npm run server -- create-admin --email you@example.com` creates an
 * admin (or reuses the account) and prints a one-time login link instead of starting.
 */
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { countUsers, createLoginLink, createUser } from './accounts/accounts';
import { buildApp } from './app';
import { ConfigError, loadConfig, type ServerConfig } from './config';
import { migrate, openDatabase, reportIdleConnectionError, type Store } from './db/openDatabase';

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  /** Where it listens, e.g. http://127.0.0.1:8787. */
  url: string;
  /** The URL people use (PUBLIC_URL, or `url`). */
  publicUrl: string;
  close(): Promise<void>;
}

/** Opens and migrates the database, creates the env's first-run admin, listens. */
export async function startServer(config: ServerConfig, options: { adminComesNext?: boolean } = {}): Promise<RunningServer> {
  let log: { warn(details: object, message: string): void } | undefined;
  const store = openDatabase(config.databaseUrl, {
    onIdleConnectionError: (error) => (log ? log.warn({ err: error }, 'PostgreSQL closed an idle connection; the pool opens another') : reportIdleConnectionError(error)),
  });
  try {
    await migrate(store.db);
    const app = await buildApp({ config, store, ownsStore: true });
    log = app.log;
    if ((await countUsers(store)) === 0) {
      if (config.adminEmail && config.adminPassword) {
        await createUser(store, { email: config.adminEmail, password: config.adminPassword, role: 'admin' });
        app.log.info({ email: config.adminEmail }, 'first-run admin created from ADMIN_EMAIL');
      } else if (!options.adminComesNext) {
        app.log.warn('no account yet: run `npm run server -- create-admin --email you@example.com` for a one-time login link');
      }
    }
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host}:${port}`;
    return { app, store, url, publicUrl: config.publicUrl ?? url, close: () => app.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Creates (or finds) an admin and returns a one-time login link path. */
export async function adminLoginLink(store: Store, email: string, name?: string): Promise<string> {
  const normalized = email.trim().toLowerCase();
  const existing = await store.db.selectFrom('users').select(['id', 'role']).where('email', '=', normalized).executeTakeFirst();
  let id = existing?.id;
  if (existing && existing.role !== 'admin') await store.db.updateTable('users').set({ role: 'admin' }).where('id', '=', existing.id).execute();
  if (!id) id = (await createUser(store, { email: normalized, name, role: 'admin' })).id;
  return createLoginLink(store, id);
}

function argValue(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

async function main(args: string[]): Promise<void> {
  let config: ServerConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  if (args[0] === 'create-admin') {
    const email = argValue(args, '--email');
    if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) {
      console.error('usage: npm run server -- create-admin --email you@example.com [--name "Your Name"]');
      process.exit(2);
    }
    const store = openDatabase(config.databaseUrl);
    await migrate(store.db);
    const path = await adminLoginLink(store, email, argValue(args, '--name'));
    await store.close();
    const base = config.publicUrl ?? `http://${config.host}:${config.port}`;
    console.log(`Admin ${email}: open this one-time login link within 24 hours, then set a password:\n  ${base}${path}`);
    return;
  }
  const server = await startServer(config);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    server.app.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
