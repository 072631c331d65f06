/**
 * Opens the store named by DATABASE_URL: an SQLite file (WAL, fsync on commit, so an acknowledged upload
 * survives a crash) or a PostgreSQL pool. One Kysely<Database> either way; `transaction` is the only way to
 * write several rows together.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, SqliteDialect, sql, type MigrationResultSet, type SqliteDatabase, type SqliteStatement } from 'kysely';
import pg from 'pg';
import { MIGRATIONS } from './migrations';
import type { Database } from './schema';
import { createSessionQueries, type SessionQueries } from './sessionQueries';

export type Dialect = 'sqlite' | 'postgres';

export interface TransactionOptions {
  /**
   * PostgreSQL's isolation level (SQLite's writers are serial whatever it says). READ COMMITTED only for work whose
   * every statement is safe when another transaction writes the same keys meanwhile — keyed upserts, INSERT … ON
   * CONFLICT DO NOTHING whose RETURNING says what it added, checks the writes themselves repeat — and that reads no
   * row another transaction may delete or change in between. SERIALIZABLE (the default) checks the whole transaction,
   * but each INSERT … ON CONFLICT's probe of its unique index is a read of that index page: concurrent uploads that
   * add rows next to each other (the same search terms of different sessions) abort one another and run again.
   */
  isolation?: 'serializable' | 'read committed';
}

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /**
   * Runs `work` in one transaction (SQLite: BEGIN IMMEDIATE, so two processes on one file queue up instead of failing).
   * PostgreSQL: SERIALIZABLE unless `isolation` says READ COMMITTED (see TransactionOptions).
   */
  transaction<T>(work: (trx: Kysely<Database>) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** The session list's filters and sorts (each dialect's SQL). */
  queries: SessionQueries;
  close(): Promise<void>;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export function sqlitePath(url: string): string {
  return resolve(url.replace(/^(file|sqlite):(\/\/)?/i, ''));
}

// int8 (bigint, bigserial, count(*)) as a number: every value stored here is a time in ms or a counter.
const INT8_OID = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** How much of an SQLite file is read through a memory map (the rest with read() calls). */
export const SQLITE_MMAP_BYTES = 1024 * 1024 * 1024;

/**
 * WAL pages after which a commit copies them back into the file (SQLite's default: 1,000). An upload of 2,000 events
 * writes 500–850 pages to the WAL, so at the default nearly every upload ran a checkpoint: writing the pages it had
 * just written to the WAL into the file again, with an fsync of the file. Many of them are the same pages upload
 * after upload (the indexes' newest leaves, a term's last page), so a checkpoint every ~15 uploads writes each of
 * those once. Durability is the WAL's (synchronous FULL: a commit is on disk when it returns); the WAL file grows to
 * about 40 MB between checkpoints.
 */
export const SQLITE_CHECKPOINT_PAGES = 10_000;

/**
 * Where SQLite keeps its temporary files: 2 = MEMORY. What it changes for the intake is the statement journal: a
 * multi-row INSERT inside a transaction (each chunk of events, search texts and terms, the sessions) keeps the first
 * version of every page it changes, so that a failing row can undo that one statement. At the default (a file) the
 * journal went to a temporary file once past 64 KiB, written page by page: about 1,300 pwrite64 calls an upload of
 * 2,000 events (strace over 25 uploads: 72,688 → 39,790 in all with this setting), a third of the server's kernel
 * time. Durability is not touched: that journal only serves a statement's rollback inside its transaction (a crash
 * is recovered from the WAL, which is unchanged); it is dropped at the statement's end. The other use of the setting
 * is the temporary tables a query builds (e.g. the ids of an `IN (subquery)`): they stay in memory instead of
 * spilling to a file past the page cache, so a query over many rows may hold more memory while it runs.
 */
export const SQLITE_TEMP_STORE = 2;

/**
 * Settings of every PostgreSQL connection. JIT off: the dashboard's queries are short, and a count over a million
 * sessions crossed the JIT's cost threshold and spent ~11 ms compiling 12 functions (EXPLAIN ANALYZE, PostgreSQL 15)
 * for no gain.
 */
export const POSTGRES_CONNECTION_OPTIONS = '-c jit=off';

export interface OpenOptions {
  /**
   * PostgreSQL: an idle connection of the pool was closed by the server (a restart, an administrator's
   * pg_terminate_backend, a network cut). The pool drops it and opens another when next asked; this only reports it
   * (default: a line on stderr). Without a listener, pg throws such an error as an uncaught exception, which stopped
   * the whole process. Not called for connections the pool is already closing (`close()`).
   */
  onIdleConnectionError?(error: Error): void;
}

/** OpenOptions.onIdleConnectionError's default: a line on stderr. */
export const reportIdleConnectionError = (error: Error): void => console.error(`PostgreSQL closed an idle connection: ${error.message}`);

export function openDatabase(url: string, options: OpenOptions = {}): Store {
  if (isPostgresUrl(url)) {
    const pool = new pg.Pool({ connectionString: url, max: 10, types: pgTypes, options: POSTGRES_CONNECTION_OPTIONS });
    pool.on('error', (error) => {
      if (pool.ending) return;
      (options.onIdleConnectionError ?? reportIdleConnectionError)(error);
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      dialect: 'postgres',
      transaction: (work, options) => serializable(db, work, options?.isolation ?? 'serializable'),
      queries: createSessionQueries(db, 'postgres'),
      close: () => db.destroy(),
    };
  }
  const file = sqlitePath(url);
  mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  // Pages read through a memory map of the file instead of a read() call each (writes still go through the WAL and
  // its fsync, so what a commit guarantees is unchanged): measured on the intake, 5–9 % less server CPU per event.
  // SQLite's caveat: the file must not be truncated by another program while mapped (the server never shrinks it).
  sqlite.pragma(`mmap_size = ${SQLITE_MMAP_BYTES}`);
  sqlite.pragma(`wal_autocheckpoint = ${SQLITE_CHECKPOINT_PAGES}`);
  sqlite.pragma(`temp_store = ${SQLITE_TEMP_STORE}`);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    dialect: 'sqlite',
    queries: createSessionQueries(db, 'sqlite'),
    transaction: (work) =>
      db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const result = await work(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (error) {
          await sql`rollback`.execute(conn);
          throw error;
        }
      }),
    close: () => db.destroy(),
  };
}

/** Prepared statements kept per SQL text (Kysely's SQLite driver prepares each query it runs). */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Whether better-sqlite3 binds `parameters` the same way passed one by one as in one array: it does unless one of them
 * is itself an array (whose elements it would bind in its place) or another object that is not a buffer (a plain one
 * would be named parameters). Such a value is refused either way ("can only bind numbers, strings, bigints, buffers,
 * and null"); it still goes as an array, so that the error is the one it was.
 */
export function bindsOneByOne(parameters: ReadonlyArray<unknown>): boolean {
  for (let i = 0; i < parameters.length; i++) {
    const value = parameters[i];
    if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) return false;
  }
  return true;
}

/**
 * A prepared statement as Kysely's driver runs it, with the parameters passed to better-sqlite3 one by one: for an
 * array it fetches each element through a V8 API call, for arguments it reads them in place. Measured on the
 * intake's 500-row INSERT of events (3,000 values): 1.56–1.83 → 1.19–1.22 µs a row. The values bound are the same
 * (see bindsOneByOne). At most SQLite's 32,766 variables a statement: well within a call's arguments.
 */
class OneByOneStatement implements SqliteStatement {
  constructor(readonly statement: SQLite.Statement) {}
  get reader(): boolean {
    return this.statement.reader;
  }
  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return bindsOneByOne(parameters) ? this.statement.all(...parameters) : this.statement.all(parameters);
  }
  run(parameters: ReadonlyArray<unknown>) {
    return bindsOneByOne(parameters) ? this.statement.run(...parameters) : this.statement.run(parameters);
  }
  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    return bindsOneByOne(parameters) ? this.statement.iterate(...parameters) : this.statement.iterate(parameters);
  }
}

/**
 * The database as Kysely's SQLite driver sees it, with its prepared statements reused: an upload runs the same
 * few INSERTs for every session, and preparing one costs about as much as running it. A statement still being
 * iterated (a streamed select) is not handed out again.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, OneByOneStatement>();
  return {
    close: () => void sqlite.close(),
    prepare(text: string) {
      let statement = cache.get(text);
      if (statement && !statement.statement.busy) {
        cache.delete(text); // most recently used last
        cache.set(text, statement);
        return statement;
      }
      statement = new OneByOneStatement(sqlite.prepare(text));
      cache.set(text, statement);
      if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      return statement;
    },
  };
}

/** Errors after which PostgreSQL asks for the transaction to be run again. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 20;

/**
 * PostgreSQL: SERIALIZABLE (unless told READ COMMITTED), run again on a serialization failure or deadlock. Two
 * instances folding batches of one site into one session at once then behave as if one ran after the other (no lost
 * update, no second session), as BEGIN IMMEDIATE gives on SQLite.
 */
async function serializable<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>, isolation: 'serializable' | 'read committed'): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().setIsolationLevel(isolation).execute(work);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= MAX_ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}

/**
 * Migrates to the latest version (or to `target`), then runs the `afterCommit` of each migration it applied; throws
 * with the failing migration's error. PostgreSQL serialises concurrent migrators with a lock; SQLite's lock is per
 * process, so an instance that loses a race against another process on the same file waits and tries again (it then
 * finds the work done).
 */
export async function migrate(db: Kysely<any>, target?: string): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  for (let attempt = 1; ; attempt++) {
    const result = target ? await migrator.migrateTo(target) : await migrator.migrateToLatest();
    if (!result.error) {
      // What a migration applied now leaves for after its commit (a migration going down has none).
      for (const applied of result.results ?? []) {
        if (applied.status === 'Success' && applied.direction === 'Up') await MIGRATIONS[applied.migrationName]?.afterCommit?.(db);
      }
      return result;
    }
    if (postgres || attempt >= 5) throw result.error instanceof Error ? result.error : new Error(String(result.error));
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.random() * 100));
  }
}
