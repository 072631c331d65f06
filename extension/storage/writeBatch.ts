/**
 * The background's write path: the session model's ingestBatch over the Dexie repository, and a retry loop
 * for a full disk or quota (storage-specific, so it stays here). When IndexedDB refuses a write
 * (QuotaExceededError, or Dexie's AbortError around it), the oldest unpinned sessions are deleted, a warning
 * is stored for the panel, and the batch is written again; it is acknowledged only once stored, so whatever
 * happens nothing acknowledged is lost.
 */
import { ingestBatch, jsonSize, type BatchInput, type IngestOptions, type IngestResult, type SessionRepository } from '../../sdk/model';
import type { RumscopeDb } from './db';
import { createDexieRepository } from './dexieRepository';
import { evictOldest, isQuotaError, recordStorageWarning } from './eviction';
import { currentTotals } from './sessionTotals';

export interface BatchWriterDeps {
  now?: () => number;
  /** Test builds only: an error to throw inside the next write's transaction (an injected full disk). */
  injectFailure?: () => Promise<Error | null>;
  /** Called after every stored batch (the size cap is enforced off this path). */
  afterWrite?: () => void;
  /** Attempts per batch before giving up (the relay then re-sends it later). */
  maxAttempts?: number;
}

/** The repository whose transactions all fail with `failure` once their work is done (so nothing commits). */
function failingAfterWork(repo: SessionRepository, failure: Error): SessionRepository {
  return {
    transaction: (work) =>
      repo.transaction(async (tx) => {
        await work(tx);
        throw failure;
      }),
  };
}

export function createBatchWriter(db: RumscopeDb, deps: BatchWriterDeps = {}) {
  const now = deps.now ?? Date.now;
  const repo = createDexieRepository(db);
  // Few attempts, no growth between them: a disk that stays full (space freed by deletes only comes back
  // after compaction) must not take every session with it. The relay keeps the batch and retries later,
  // backing off.
  const maxAttempts = deps.maxAttempts ?? 3;
  return async function writeBatch(input: BatchInput, options: IngestOptions = {}): Promise<IngestResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        const failure = deps.injectFailure ? await deps.injectFailure() : null;
        const result = await ingestBatch(failure ? failingAfterWork(repo, failure) : repo, input, options);
        if (result.status === 'stored') deps.afterWrite?.();
        return result;
      } catch (error) {
        if (!isQuotaError(error)) throw error;
        // Room for this batch and then some: twice its size or 5% of what is stored; at least one session.
        // Idle sessions go first; live ones (another tab's) only from the second attempt. The session this
        // page writes to is never evicted here.
        const total = (await currentTotals(db).catch(() => null))?.bytes ?? 0;
        const wanted = Math.max(2 * jsonSize(input.events), total * 0.05);
        const load = await db.loads.get(input.loadId);
        const keep = new Set(load?.sessionId ? [load.sessionId] : []);
        const freed = await evictOldest(db, { bytes: wanted, now: now(), keep, includeLive: attempt > 1, ...(options.timeouts ? { timeouts: options.timeouts } : {}) });
        await recordStorageWarning(db, { kind: freed.sessions ? 'quota' : 'full', at: now(), evictedSessions: freed.sessions, evictedBytes: freed.bytes });
        if (attempt >= maxAttempts || (!freed.sessions && attempt > 1)) throw error;
      }
    }
  };
}
