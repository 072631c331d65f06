/**
 * Retention (spec: "decide how long to keep session data; automatically delete old sessions"):
 * sessions whose last event is older than the set days are deleted, then the oldest unpinned ones while
 * what is stored exceeds the size cap. Pinned sessions are never deleted here; live ones neither.
 * Each pass also records what is stored (meta `usage`) for the panel and the options page. What is stored is
 * read from the running totals (storage/sessionTotals.ts), never by summing every session: a pass after writes
 * costs in proportion to what it deletes.
 * The compacted search postings (`searchBlocks`) are kept by day of their sessions' start, not by session: a pass
 * deletes the blocks of days before the cutoff's day minus one (a session kept past the cutoff, pinned or live,
 * keeps its ids), and of days before the oldest stored session's.
 */
import { DEFAULT_TIMEOUTS, type SessionTimeouts } from '../../sdk/model/sessionRules';
import type { RumscopeDb, StorageUsage } from './db';
import { evictOldest } from './eviction';
import { currentTotals } from './sessionTotals';
import { deleteSessions } from './sessionStore';
import { deleteOldBlocks } from './compactPostings';
import { blockDayOf } from './searchPostings';
import { pruneSessionChanges } from './sessionChangeLog';

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionOptions {
  /** 0: no age limit. */
  days: number;
  capBytes: number;
  now: number;
  timeouts?: SessionTimeouts;
  /** navigator.storage.estimate where there is one. */
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
}

/** Unpinned sessions whose last event is more than `days` old at `now`. */
export async function expiredSessionIds(db: RumscopeDb, days: number, now: number): Promise<string[]> {
  if (!(days > 0)) return [];
  const cutoff = now - days * DAY_MS;
  return db.sessions
    .where('startedAt')
    .below(cutoff)
    .filter((s) => s.pinned !== 1 && s.lastEventAt < cutoff)
    .primaryKeys();
}

export async function runRetention(db: RumscopeDb, options: RetentionOptions): Promise<{ expired: number; overCap: number; usage: StorageUsage }> {
  const expired = await deleteSessions(db, await expiredSessionIds(db, options.days, options.now));
  const total = (await currentTotals(db)).bytes;
  let overCap = 0;
  if (total > options.capBytes) {
    const freed = await evictOldest(db, { bytes: total - options.capBytes, now: options.now, timeouts: options.timeouts ?? DEFAULT_TIMEOUTS });
    overCap = freed.sessions;
  }
  await deleteOldBlocks(db, options.days > 0 ? blockDayOf(options.now - options.days * DAY_MS) - 1 : -Infinity);
  await pruneSessionChanges(db);
  const usage = await recordUsage(db, options, { at: options.now, expired, overCap });
  return { expired, overCap, usage };
}

/** Writes meta `usage`: what is stored, against the cap. */
export async function recordUsage(
  db: RumscopeDb,
  options: Pick<RetentionOptions, 'days' | 'capBytes' | 'now' | 'estimate'>,
  lastRetention: StorageUsage['lastRetention'],
): Promise<StorageUsage> {
  const { bytes, sessions, pinned } = await currentTotals(db);
  let browserUsage: number | null = null;
  let browserQuota: number | null = null;
  try {
    const estimate = await options.estimate?.();
    browserUsage = estimate?.usage ?? null;
    browserQuota = estimate?.quota ?? null;
  } catch {
    // not available here
  }
  const usage: StorageUsage = {
    bytes,
    sessions,
    pinned,
    capBytes: options.capBytes,
    retentionDays: options.days,
    browserUsage,
    browserQuota,
    updatedAt: options.now,
    lastRetention,
  };
  try {
    await db.meta.put({ key: 'usage', value: usage });
  } catch {
    // advisory only
  }
  return usage;
}
