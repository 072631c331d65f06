/**
 * Making room: the oldest unpinned sessions go first. Used by the size cap (retention.ts) and when the
 * browser refuses a write for lack of space (writeBatch.ts). A live session (events within the inactivity
 * window) is deleted only when the browser refuses writes and nothing else is left.
 */
import type { SessionRecord } from '../../sdk/schema';
import { DEFAULT_TIMEOUTS, expiryReason, type SessionTimeouts } from '../../sdk/model/sessionRules';
import type { RumscopeDb, StorageWarning } from './db';
import { deleteSessions } from './sessionStore';

/** True for the errors IndexedDB (and Dexie around it) gives when the disk or the quota is full. */
export function isQuotaError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    const e = current as { name?: unknown; message?: unknown; inner?: unknown; cause?: unknown; failures?: unknown[] };
    if (e.name === 'QuotaExceededError') return true;
    // Dexie: AbortError / BulkError around the DOMException; some engines only say so in the message.
    if (typeof e.message === 'string' && /quota/i.test(e.message) && (e.name === 'AbortError' || e.name === 'UnknownError')) return true;
    current = e.inner ?? e.cause ?? (Array.isArray(e.failures) ? e.failures[0] : undefined);
  }
  return false;
}

export interface EvictOptions {
  /** Free at least this many bytes (by the sessions' `bytes`); at least one session goes if any can. */
  bytes: number;
  now: number;
  /** Sessions never evicted here (e.g. the one being written). */
  keep?: ReadonlySet<string>;
  /** Also evict live sessions (oldest first) when nothing else is left. */
  includeLive?: boolean;
  timeouts?: SessionTimeouts;
}

/** Deletes the oldest unpinned sessions until `bytes` are freed. Returns what went. */
export async function evictOldest(db: RumscopeDb, options: EvictOptions): Promise<{ sessions: number; bytes: number }> {
  const timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
  // Oldest first along the startedAt index, stopping as soon as enough is freed: the walk reads the sessions it
  // evicts (and the pinned or live ones between them), not the whole store.
  const chosen: string[] = [];
  const live: SessionRecord[] = [];
  let freed = 0;
  const enough = () => chosen.length > 0 && freed >= options.bytes;
  await db.sessions
    .orderBy('startedAt')
    .until(enough)
    .each((s) => {
      if (s.pinned === 1 || options.keep?.has(s.id)) return;
      if (expiryReason(s, options.now, timeouts) === null) {
        if (options.includeLive) live.push(s);
        return;
      }
      chosen.push(s.id);
      freed += s.bytes ?? 0;
    });
  // Sessions still recording go only when the idle ones were not enough (a refused write, second attempt).
  for (const session of live) {
    if (enough()) break;
    chosen.push(session.id);
    freed += session.bytes ?? 0;
  }
  if (!chosen.length) return { sessions: 0, bytes: 0 };
  await deleteSessions(db, chosen);
  return { sessions: chosen.length, bytes: freed };
}

/** Adds to the panel's storage warning (kept until the user dismisses it). */
export async function recordStorageWarning(
  db: RumscopeDb,
  update: { kind: StorageWarning['kind']; at: number; evictedSessions: number; evictedBytes: number },
): Promise<void> {
  try {
    await db.transaction('rw', db.meta, async () => {
      const row = await db.meta.get('storageWarning');
      const previous = row?.key === 'storageWarning' ? row.value : null;
      const value: StorageWarning = {
        kind: update.kind,
        at: update.at,
        evictedSessions: (previous?.evictedSessions ?? 0) + update.evictedSessions,
        evictedBytes: (previous?.evictedBytes ?? 0) + update.evictedBytes,
        refusedWrites: (previous?.refusedWrites ?? 0) + 1,
      };
      await db.meta.put({ key: 'storageWarning', value });
    });
  } catch {
    // The warning is advisory: when even this small write is refused, recording still goes on.
  }
}

export async function clearStorageWarning(db: RumscopeDb): Promise<void> {
  await db.meta.delete('storageWarning');
}
