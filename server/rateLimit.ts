/** Fixed-window counters in the database, so that every instance behind a load balancer sees the same counts. */
import type { Store } from './db/openDatabase';

export interface RateLimitResult {
  count: number;
  /** Seconds until the window resets (for Retry-After). */
  retryAfter: number;
}

function windowOf(windowMs: number, now: number) {
  const start = Math.floor(now / windowMs) * windowMs;
  return { start, retryAfter: Math.max(1, Math.ceil((start + windowMs - now) / 1000)) };
}

/** Counts one more hit on `key` in the current window and returns the count so far. */
export async function hitRateLimit(store: Store, key: string, windowMs: number, now = Date.now()): Promise<RateLimitResult> {
  const { start, retryAfter } = windowOf(windowMs, now);
  const row = await store.db
    .insertInto('rate_limits')
    .values({ key, window_start: start, count: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        count: eb
          .case()
          .when('rate_limits.window_start', '=', eb.ref('excluded.window_start'))
          .then(eb('rate_limits.count', '+', 1))
          .else(1)
          .end(),
        window_start: eb.ref('excluded.window_start'),
      })),
    )
    .returning('count')
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), retryAfter };
}

/** The count on `key` in the current window, without counting. */
export async function peekRateLimit(store: Store, key: string, windowMs: number, now = Date.now()): Promise<RateLimitResult> {
  const { start, retryAfter } = windowOf(windowMs, now);
  const row = await store.db
    .selectFrom('rate_limits')
    .select('count')
    .where('key', '=', key)
    .where('window_start', '=', start)
    .executeTakeFirst();
  return { count: row ? Number(row.count) : 0, retryAfter };
}
