import { SESSION_INACTIVITY_MS, SESSION_MAX_MS } from '../../sdk/schema';
import type { SessionEndReason, SessionRecord } from '../../sdk/schema';

export interface SessionTimeouts {
  inactivityMs: number;
  maxMs: number;
}

export const DEFAULT_TIMEOUTS: SessionTimeouts = { inactivityMs: SESSION_INACTIVITY_MS, maxMs: SESSION_MAX_MS };

/**
 * Why a session can no longer take events at `now`, or null if it is still live.
 * Spec: a session ends after 15 minutes of inactivity or when the browser closes; 4 hours at most.
 */
export function expiryReason(
  session: Pick<SessionRecord, 'startedAt' | 'lastActivityAt' | 'endedAt' | 'endReason'>,
  now: number,
  timeouts: SessionTimeouts = DEFAULT_TIMEOUTS,
): SessionEndReason | 'ended' | null {
  if (session.endedAt !== null) return session.endReason ?? 'ended';
  if (now - session.lastActivityAt >= timeouts.inactivityMs) return 'inactivity';
  if (now - session.startedAt >= timeouts.maxMs) return 'max_duration';
  return null;
}
