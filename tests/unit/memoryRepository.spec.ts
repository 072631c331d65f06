import { describeRepositoryContract } from '../contract/sessionRepository.contract';
import { createMemoryRepository } from '../contract/memoryRepository';

// The model's unit tests run on this store: it must keep the same contract as the real ones.
describeRepositoryContract('in memory (the model tests)', async () => {
  const repo = createMemoryRepository();
  return { repo, readEvents: async () => [...repo.events.values()], close: async () => {} };
});
