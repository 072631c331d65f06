import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from './openDatabase';
import { chunkSizes, insertMany } from './insertMany';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../testing/testStores';

describe('chunkSizes', () => {
  it('cuts full chunks, then the rest in powers of two', () => {
    expect(chunkSizes(0, 500)).toEqual([]);
    expect(chunkSizes(1, 500)).toEqual([1]);
    expect(chunkSizes(500, 500)).toEqual([500]);
    expect(chunkSizes(1234, 500)).toEqual([500, 500, 128, 64, 32, 8, 2]);
    expect(chunkSizes(7, 4)).toEqual([4, 2, 1]);
  });
});

describe.each(DIALECTS)('insertMany (%s)', (dialect) => {
  let database: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    store = await database.openMigrated();
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  const columns = ['session_id', 'kind', 'text'] as const;
  const insertTexts = (rows: { session_id: string; kind: string; text: string }[]) =>
    insertMany(store.db, 'spec texts', columns, rows, 8, (chunk) =>
      store.db
        .insertInto('search_texts')
        .values(chunk)
        .onConflict((oc) => oc.columns(['session_id', 'kind', 'text']).doNothing())
        .returning(['session_id', 'kind', 'text']),
    );

  it('stores every row with its own values, whatever the count, and returns what RETURNING gives', async () => {
    for (const count of [1, 3, 8, 21]) {
      // Values that look like SQL, quotes and other rows' markers stay values.
      const rows = Array.from({ length: count }, (_, i) => ({ session_id: `s${count}`, kind: i % 2 ? 'url' : 'api', text: `t${i} ' "; drop table events; -- insertMany:${i}` }));
      const returned = await insertTexts(rows);
      expect(returned).toEqual(rows);
      const stored = await store.db.selectFrom('search_texts').select(['session_id', 'kind', 'text']).where('session_id', '=', `s${count}`).execute();
      expect(stored.sort((a, b) => a.text.localeCompare(b.text))).toEqual([...rows].sort((a, b) => a.text.localeCompare(b.text)));
    }
    // ON CONFLICT DO NOTHING: only the new row comes back.
    expect(await insertTexts([{ session_id: 's3', kind: 'api', text: 'new' }, { session_id: 's3', kind: 'url', text: (await store.db.selectFrom('search_texts').select('text').where('session_id', '=', 's3').where('kind', '=', 'url').executeTakeFirstOrThrow()).text }])).toEqual([
      { session_id: 's3', kind: 'api', text: 'new' },
    ]);
  });

  it('refuses a row without one of the columns instead of writing a default', async () => {
    await expect(insertTexts([{ session_id: 'x', kind: 'api', text: undefined as unknown as string }])).rejects.toThrow(/row 0 has no text/);
    expect(await store.db.selectFrom('search_texts').select('text').where('session_id', '=', 'x').execute()).toEqual([]);
  });
});
