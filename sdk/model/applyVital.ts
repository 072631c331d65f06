import type { SessionRecord, VitalEvent } from '../schema';

/**
 * Keeps the session's last measured value of each Web Vital (by event time): an unsupported vital (no value)
 * changes nothing, a late report of an older value does not replace a newer one.
 */
export function applyVital(session: Pick<SessionRecord, 'vitals'>, event: Pick<VitalEvent, 'name' | 'value' | 'time'>): void {
  if (event.value === null || !Number.isFinite(event.value)) return;
  const vitals = (session.vitals ??= {});
  const seen = vitals[event.name];
  if (!seen || seen.time <= event.time) vitals[event.name] = { value: event.value, time: event.time };
}
