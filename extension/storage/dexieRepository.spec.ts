import 'fake-indexeddb/auto';
import { describeRepositoryContract } from '../../tests/contract/sessionRepository.contract';
import { RumscopeDb } from './db';
import { createDexieRepository } from './dexieRepository';

let n = 0;
describeRepositoryContract('Dexie', async () => {
  const db = new RumscopeDb(`repository-contract-${++n}`);
  return {
    repo: createDexieRepository(db),
    readEvents: () => db.events.toArray(),
    close: async () => {
      db.close();
      await db.delete();
    },
  };
});
