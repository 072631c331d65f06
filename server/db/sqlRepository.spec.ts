import { describe, expect, it } from 'vitest';
import { describeRepositoryContract } from '../../tests/contract/sessionRepository.contract';
import type { StoredEvent } from '../../sdk/schema';
import { createTestDatabase, DIALECTS } from '../testing/testStores';
import { sqlRepository } from './sqlRepository';

// The model's shared contract, on a real SQLite file and a real PostgreSQL database.
for (const dialect of DIALECTS) {
  describeRepositoryContract(`SQL (${dialect})`, async () => {
    const database = await createTestDatabase(dialect);
    const store = await database.openMigrated();
    return {
      repo: sqlRepository(store),
      readEvents: async () => (await store.db.selectFrom('events').select('body').execute()).map((row) => JSON.parse(row.body) as StoredEvent),
      close: async () => {
        await store.close();
        await database.drop();
      },
    };
  });
}

describe.each(DIALECTS)('putEvents on %s', (dialect) => {
  it('keeps one row per [loadId+seq], the last one sent, with the search terms of what it keeps', async () => {
    const database = await createTestDatabase(dialect);
    const store = await database.openMigrated();
    try {
      const event = (loadId: string, seq: number, message: string) =>
        ({ loadId, seq, sessionId: 's1', type: 'error', time: 1000 + seq, errorType: 'TypeError', message }) as unknown as StoredEvent;
      // Keys repeated within one call, across two loads whose seqs overlap.
      await sqlRepository(store).transaction((tx) =>
        tx.putEvents([event('a', 1, 'first'), event('b', 1, 'other'), event('a', 2, 'second'), event('a', 1, 'replaced'), event('b', 1, 'again')]),
      );
      const rows = await store.db.selectFrom('events').select(['load_id', 'seq', 'body']).orderBy('load_id').orderBy('seq').execute();
      expect(rows.map((row) => [row.load_id, row.seq, (JSON.parse(row.body) as { message: string }).message])).toEqual([
        ['a', 1, 'replaced'],
        ['a', 2, 'second'],
        ['b', 1, 'again'],
      ]);
      const terms = await store.db.selectFrom('search_terms').select('term').where('session_id', '=', 's1').where('kind', '=', 'error').execute();
      expect(terms.map((row) => row.term).sort()).toEqual(['again', 'replaced', 'second', 'typeerror']);
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
