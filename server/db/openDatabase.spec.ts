import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/testStores';
import pg from 'pg';
import { bindsOneByOne, migrate, openDatabase, SQLITE_CHECKPOINT_PAGES, SQLITE_MMAP_BYTES, SQLITE_TEMP_STORE } from './openDatabase';

describe('openDatabase on an SQLite file', () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
  });

  it('writes through the WAL with a full sync at each commit, checkpoints every 10,000 pages, reads the file through a memory map and keeps temporary data (statement journals) in memory', async () => {
    database = await createTestDatabase('sqlite');
    const store = await database.openMigrated();
    const pragma = async (name: string) => Object.values((await sql.raw(`pragma ${name}`).execute(store.db)).rows[0] as object)[0];
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(2); // FULL
    expect(await pragma('mmap_size')).toBe(SQLITE_MMAP_BYTES);
    expect(SQLITE_MMAP_BYTES).toBeGreaterThan(0);
    expect(await pragma('wal_autocheckpoint')).toBe(SQLITE_CHECKPOINT_PAGES);
    expect(await pragma('temp_store')).toBe(SQLITE_TEMP_STORE);
    expect(SQLITE_TEMP_STORE).toBe(2); // MEMORY: statement journals never written to a file
    await store.close();
  });

  it('binds the values of a query passed one by one as they were in one array, and refuses an array or object value as before', async () => {
    database = await createTestDatabase('sqlite');
    const store = await database.openMigrated();
    const values = ['text', 'é ☃ \u{1F600}', '', 42, -1.5, 2n ** 62n, null, Buffer.from([0, 1, 255]), new Uint8Array([7, 8])];
    expect(bindsOneByOne(values)).toBe(true);
    const query = sql.raw(`select ${values.map(() => '? as v').join(' union all select ')}`);
    const rows = (await store.db.executeQuery<{ v: unknown }>({ ...query.compile(store.db), parameters: values })).rows.map((row) => row.v);
    expect(rows).toEqual(['text', 'é ☃ \u{1F600}', '', 42, -1.5, 2 ** 62, null, Buffer.from([0, 1, 255]), Buffer.from([7, 8])]);
    // An array or a plain object would bind as several values or as named parameters one by one: such a query keeps
    // the one array, and better-sqlite3 refuses the value as it did.
    for (const bad of [[1, 2], { a: 1 }, new Date(0)]) {
      expect(bindsOneByOne([1, bad])).toBe(false);
      const two = sql.raw('select ? as a, ? as b').compile(store.db);
      await expect(store.db.executeQuery({ ...two, parameters: [1, bad] })).rejects.toThrow('SQLite3 can only bind numbers, strings, bigints, buffers, and null');
    }
    await store.close();
  });
});

describe('openDatabase on PostgreSQL', () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
  });

  it('turns the JIT off on its connections (the short queries of the dashboard paid its compilation)', async () => {
    database = await createTestDatabase('postgres');
    const store = await database.openMigrated();
    // Every connection of the pool: several at once.
    const answers = await Promise.all(Array.from({ length: 4 }, () => sql<{ jit: string }>`show jit`.execute(store.db)));
    expect(answers.map((a) => a.rows[0]!.jit)).toEqual(['off', 'off', 'off', 'off']);
    await store.close();
  });

  it('reports an idle connection the server closed, keeps running and answers the next query on a new connection', async () => {
    database = await createTestDatabase('postgres');
    const reported: string[] = [];
    const store = openDatabase(database.url, { onIdleConnectionError: (error) => reported.push((error as { code?: string }).code ?? error.message) });
    await migrate(store.db);
    const before = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(store.db)).rows[0]!.pid;
    // Another connection ends the pool's idle one, as an administrator or a restart would.
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query('select pg_terminate_backend($1)', [before]);
    await admin.end();
    await expect.poll(() => reported).toEqual(['57P01']);
    const after = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(store.db)).rows[0]!.pid;
    expect(after).not.toBe(before);
    await store.close();
  });
});
