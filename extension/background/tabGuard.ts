import { LIMITS } from '../../sdk/schema';
import type { DropReason } from '../../sdk/schema';
import type { RumscopeDb, TabStatsRecord } from '../storage/db';

const FLUSH_MS = 1000;

/**
 * Per-tab rate cap (token bucket over events) and per-tab counts of what was refused.
 * Counts are kept in memory and written at most once a second, so a flood costs no extra writes.
 */
export function createTabGuard(db: RumscopeDb, clock: () => number = Date.now) {
  const buckets = new Map<number, { tokens: number; at: number }>();
  const pending = new Map<number, Partial<Record<DropReason, number>>>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = async () => {
    timer = undefined;
    const entries = [...pending];
    pending.clear();
    if (!entries.length) return;
    await db.transaction('rw', db.tabStats, async () => {
      for (const [tabId, reasons] of entries) {
        const row: TabStatsRecord = (await db.tabStats.get(tabId)) ?? { tabId, dropped: 0, reasons: {}, updatedAt: 0 };
        for (const [reason, count] of Object.entries(reasons) as [DropReason, number][]) {
          row.reasons[reason] = (row.reasons[reason] ?? 0) + count;
          row.dropped += count;
        }
        row.updatedAt = clock();
        await db.tabStats.put(row);
      }
    });
  };

  return {
    /** How many of `wanted` events this tab may send now. */
    take(tabId: number, wanted: number): number {
      const now = clock();
      const bucket = buckets.get(tabId) ?? { tokens: LIMITS.burstEventsPerTab, at: now };
      bucket.tokens = Math.min(LIMITS.burstEventsPerTab, bucket.tokens + ((now - bucket.at) / 1000) * LIMITS.eventsPerSecondPerTab);
      bucket.at = now;
      const granted = Math.max(0, Math.min(wanted, Math.floor(bucket.tokens)));
      bucket.tokens -= granted;
      buckets.set(tabId, bucket);
      return granted;
    },
    count(tabId: number, reason: DropReason, n = 1) {
      if (n <= 0) return;
      const reasons = pending.get(tabId) ?? {};
      reasons[reason] = (reasons[reason] ?? 0) + n;
      pending.set(tabId, reasons);
      timer ??= setTimeout(() => void flush().catch(() => {}), FLUSH_MS);
    },
    flush,
    forget(tabId: number) {
      buckets.delete(tabId);
    },
  };
}
