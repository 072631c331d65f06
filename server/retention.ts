/**
 * The retention job: sessions whose last event is older than RETENTION_DAYS are deleted with their events,
 * loads, replay segments (Rumscope's and the peer SDKs'), search index rows and change-feed rows, a batch per
 * transaction so writers never wait long; the intake's dedup records (upload receipts, compat keys) of that age
 * go too. It runs at start and then every RETENTION_INTERVAL_MINUTES; every instance may run it (deleting twice is
 * harmless). Replay assets (stylesheets, fonts, images) go with their references: a body no remaining session names is deleted.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from './db/openDatabase';
import { deleteSessionRows } from './db/deleteSessions';

const DAY = 24 * 60 * 60 * 1000;
/** Sessions per transaction. */
const BATCH = 200;

export interface RetentionResult {
  sessions: number;
  cutoff: number;
}

/** One pass: deletes every session whose last event is before `cutoff` (UTC ms). */
export async function deleteSessionsBefore(store: Store, cutoff: number): Promise<RetentionResult> {
  let sessions = 0;
  for (;;) {
    const deleted = await store.transaction(async (trx) => {
      // started_at (indexed) narrows; last_event_at keeps a session that is still growing.
      const rows = await trx.selectFrom('sessions').select('id').where('started_at', '<', cutoff).where('last_event_at', '<', cutoff).limit(BATCH).execute();
      return deleteSessionRows(
        trx,
        rows.map((row) => row.id),
      );
    });
    sessions += deleted;
    if (deleted < BATCH) break;
  }
  await store.transaction(async (trx) => {
    await trx.deleteFrom('upload_receipts').where('created_at', '<', cutoff).execute();
    await trx.deleteFrom('compat_keys').where('created_at', '<', cutoff).execute();
  });
  return { sessions, cutoff };
}

export interface RetentionOptions {
  store: Store;
  retentionDays: number;
  intervalMs: number;
  log: FastifyBaseLogger;
  now?: () => number;
}

/** Runs a pass now and every `intervalMs`; the returned stop waits for a running pass to finish. */
export function startRetention({ store, retentionDays, intervalMs, log, now = Date.now }: RetentionOptions): () => Promise<void> {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  const pass = async () => {
    try {
      const result = await deleteSessionsBefore(store, now() - retentionDays * DAY);
      if (result.sessions) log.info({ sessions: result.sessions, olderThan: new Date(result.cutoff).toISOString() }, 'retention: sessions deleted');
    } catch (error) {
      log.error({ err: error }, 'retention pass failed (it runs again at the next interval)');
    }
    if (!stopped) timer = setTimeout(() => void (running = pass()), intervalMs);
  };
  running = pass();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
