/**
 * When a session ends. Spec: after 15 minutes without activity, when the browser closes, 4 hours at most;
 * and when the user ends it. Pure functions over a SessionRecord.
 */
import { ACTIVITY_EVENT_TYPES, SESSION_INACTIVITY_MS, SESSION_MAX_MS } from '../schema';
import type { RumEvent, SessionEndReason, SessionRecord } from '../schema';

export interface SessionTimeouts {
  inactivityMs: number;
  maxMs: number;
}

export const DEFAULT_TIMEOUTS: SessionTimeouts = { inactivityMs: SESSION_INACTIVITY_MS, maxMs: SESSION_MAX_MS };

/** How far an event's page time may be from the receiver's clock before it is clamped. */
export const MAX_PAST_MS = 10 * 60 * 1000;

const ACTIVITY = new Set(ACTIVITY_EVENT_TYPES);

/** A view, an action, typing, scrolling, coming back to the tab: what keeps a session alive and may start one. */
export function isActivity(event: Pick<RumEvent, 'type'>): boolean {
  return ACTIVITY.has(event.type);
}

/** A page's clock is not trusted: its times are kept within [now - 10 min, now] of the receiver's clock. */
export function clampTime(time: number, now: number): number {
  return Math.min(now, Math.max(now - MAX_PAST_MS, time));
}

/**
 * Why a session can no longer take events at `now`, or null if it is still live.
 * 'ended': it was ended without a reason being kept.
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

/** Marks a session found expired at `now` as ended at its last event, with the reason it expired. Returns whether it changed. */
export function closeExpired(session: SessionRecord, now: number, timeouts: SessionTimeouts = DEFAULT_TIMEOUTS): boolean {
  if (session.endedAt !== null) return false;
  const reason = expiryReason(session, now, timeouts);
  session.endedAt = session.lastEventAt;
  session.endReason = reason === 'ended' || reason === null ? null : reason;
  return true;
}

/** The user (or a command) ends a session now: it ends at its last event, never in the future. */
export function endSessionNow(session: SessionRecord, now: number, reason: SessionEndReason = 'user'): void {
  if (session.endedAt !== null) return;
  session.endedAt = Math.min(now, Math.max(session.lastEventAt, session.startedAt));
  session.endReason = reason;
}

/**
 * A session still open when the browser closed ends at its last event, for that reason. (When the browser
 * closed is not known at the next start, so an idle session is not told apart from one cut off by the close.)
 */
export function endAtShutdown(session: SessionRecord, reason: SessionEndReason): void {
  if (session.endedAt !== null) return;
  session.endedAt = session.lastEventAt;
  session.endReason = reason;
}
