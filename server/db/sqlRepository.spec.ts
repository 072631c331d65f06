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
