/**
 * Real databases for the server's tests: an SQLite file in a fresh temp folder, and a fresh PostgreSQL database
 * created on the server named by TEST_POSTGRES_URL (`.ci/run` starts PostgreSQL and exports it). Nothing is
 * skipped: without a reachable PostgreSQL the PostgreSQL tests fail and say how to start one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { ServerConfig } from '../config';
import { migrate, openDatabase, type Dialect, type Store } from '../db/openDatabase';

/** The role and database `.ci/run` creates (README: "Team server" → tests). */
export const DEFAULT_TEST_POSTGRES_URL = 'postgres://rumscope_test:rumscope_test@127.0.0.1:5432/rumscope_test';

export const DIALECTS: Dialect[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  dialect: Dialect;
  url: string;
  /** A new Store on this database (as a second instance would open it). */
  open(): Store;
  /** Opens and migrates to the latest version (or to `target`). */
  openMigrated(target?: string): Promise<Store>;
  drop(): Promise<void>;
}

export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  let url: string;
  let drop: () => Promise<void>;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'rumscope-server-'));
    url = `file:${join(dir, 'test.sqlite')}`;
    drop = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    if (process.env.CI && !process.env.TEST_POSTGRES_URL) throw new Error('TEST_POSTGRES_URL is not set: .ci/run must start PostgreSQL and export it');
    const base = process.env.TEST_POSTGRES_URL ?? DEFAULT_TEST_POSTGRES_URL;
    const name = `rumscope_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client({ connectionString: base });
    try {
      await admin.connect();
    } catch (error) {
      throw new Error(
        `PostgreSQL is not reachable at TEST_POSTGRES_URL (${base.replace(/:[^:@/]*@/, ':…@')}): ${(error as Error).message}. ` +
          'Start it as .ci/run does (pg_ctlcluster 15 main start, then create the rumscope_test role with CREATEDB).',
      );
    }
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const target = new URL(base);
    target.pathname = `/${name}`;
    url = target.toString();
    drop = async () => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      // FORCE cannot end a backend of another role (an autovacuum worker on a loaded machine): wait and retry.
      for (let attempt = 1; ; attempt++) {
        try {
          await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          break;
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (attempt >= 20 || (code !== '42501' && code !== '55006')) throw error;
          await new Promise((done) => setTimeout(done, 250 * attempt));
        }
      }
      await client.end();
    };
  }
  return {
    dialect,
    url,
    open: () => openDatabase(url),
    async openMigrated(target) {
      const store = openDatabase(url);
      await migrate(store.db, target);
      return store;
    },
    drop,
  };
}

export function testConfig(databaseUrl: string, overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    databaseUrl,
    trustedProxies: [],
    publicUrl: null,
    logLevel: 'silent',
    maxUploadBytes: 1024 * 1024,
    uploadsPerMinute: 1000,
    loginAttemptsPer15Min: 10,
    sessionTtlHours: 24,
    retentionDays: null,
    retentionIntervalMs: 60 * 60_000,
    adminEmail: null,
    adminPassword: null,
    staticDir: null,
    ...overrides,
  };
}
