/**
 * What each list column sorts by, as data: every source orders the same way (the Dexie source in memory or
 * by its index, the server in SQL). Ties go newest first.
 */
import type { SessionRecord } from '../../sdk/schema';
import { formatLocation, formatUserEmail } from '../format';
import type { SessionSort, SessionSortKey } from './SessionSource';

export function sessionSortValue(session: SessionRecord, key: SessionSortKey): number | string {
  switch (key) {
    case 'startedAt':
      return session.startedAt;
    case 'timeSpent':
      return session.lastEventAt - session.startedAt;
    case 'errors':
      return session.counts.errors;
    case 'email':
      return formatUserEmail(session).toLowerCase();
    case 'location':
      return formatLocation(session).toLowerCase();
  }
}

/** A comparator for Array.prototype.sort in the given order. */
export function compareSessions(sort: SessionSort): (a: SessionRecord, b: SessionRecord) => number {
  const sign = sort.direction === 'asc' ? 1 : -1;
  return (a, b) => {
    const x = sessionSortValue(a, sort.key);
    const y = sessionSortValue(b, sort.key);
    if (x < y) return -sign;
    if (x > y) return sign;
    return b.startedAt - a.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  };
}
