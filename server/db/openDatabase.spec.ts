import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/testStores';
import { SQLITE_MMAP_BYTES } from './openDatabase';

describe('openDatabase on an SQLite file', () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
  });

  it('writes through the WAL with a full sync at each commit, and reads the file through a memory map', async () => {
    database = await createTestDatabase('sqlite');
    const store = await database.openMigrated();
    const pragma = async (name: string) => Object.values((await sql.raw(`pragma ${name}`).execute(store.db)).rows[0] as object)[0];
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(2); // FULL
    expect(await pragma('mmap_size')).toBe(SQLITE_MMAP_BYTES);
    expect(SQLITE_MMAP_BYTES).toBeGreaterThan(0);
    await store.close();
  });
});
