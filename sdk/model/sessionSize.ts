/** JSON length: the unit of SessionRecord.bytes (retention and the size cap count in it). */
export function jsonSize(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return 0;
  }
}

/** What a stored event adds beyond the page's event: its keys (session, load, seq, tab, frame, schema). */
export const STORED_EVENT_OVERHEAD = 120;

/**
 * Running totals of a session store (what the storage figures and the size cap read): kept up to date by
 * adding what each write changed, never by summing every session again.
 */
export interface StorageTotals {
  sessions: number;
  pinned: number;
  /** Sum of the sessions' `bytes`. */
  bytes: number;
}

export const NO_TOTALS: Readonly<StorageTotals> = { sessions: 0, pinned: 0, bytes: 0 };

/** What one stored session counts for in the totals (nothing for none). */
export function totalsOf(session: { bytes?: number; pinned?: number } | undefined | null): StorageTotals {
  if (!session) return { ...NO_TOTALS };
  return { sessions: 1, pinned: session.pinned === 1 ? 1 : 0, bytes: Number.isFinite(session.bytes) ? session.bytes! : 0 };
}

/** `a` plus `sign` times `b`. */
export function addTotals(a: StorageTotals, b: StorageTotals, sign: 1 | -1 = 1): StorageTotals {
  return { sessions: a.sessions + sign * b.sessions, pinned: a.pinned + sign * b.pinned, bytes: a.bytes + sign * b.bytes };
}

/** What replacing `before` by `after` (either may be absent: an insert, a delete) changes in the totals. */
export function totalsDelta(before: Parameters<typeof totalsOf>[0], after: Parameters<typeof totalsOf>[0]): StorageTotals {
  return addTotals(totalsOf(after), totalsOf(before), -1);
}
