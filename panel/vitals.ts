/** Web Vitals of one session, for the detail view: the latest report of each metric. */
import type { StoredEvent, VitalEvent, VitalName, VitalRating } from '../sdk/schema';

/** Display order (spec: LCP, FID, CLS, TTFB; then the newer ones). */
export const VITAL_NAMES: readonly VitalName[] = ['LCP', 'FID', 'CLS', 'TTFB', 'INP', 'FCP'];

export interface VitalSummary {
  name: VitalName;
  /** "2,380 ms", "0.042", "not supported", "not measured" (no report yet, or supported but still null). */
  text: string;
  rating: VitalRating | null;
  /** The value is a real measurement. */
  measured: boolean;
}

function isVital(event: StoredEvent): event is StoredEvent & VitalEvent {
  return event.type === 'vital';
}

/** Formats a vital's value: CLS is unitless, the rest are ms. A null is never shown as 0. */
export function formatVitalValue(vital: Pick<VitalEvent, 'name' | 'value' | 'supported'>): string {
  if (vital.value === null) return vital.supported ? 'not measured' : 'not supported';
  if (vital.name === 'CLS') return vital.value.toFixed(3);
  return `${Math.round(vital.value).toLocaleString('en-US')} ms`;
}

/** Latest vital of each name, in VITAL_NAMES order; names never reported show "not measured". */
export function summarizeVitals(events: readonly StoredEvent[]): VitalSummary[] {
  const latest = new Map<VitalName, VitalEvent>();
  for (const event of events) {
    if (!isVital(event)) continue;
    const seen = latest.get(event.name);
    if (!seen || event.time >= seen.time) latest.set(event.name, event);
  }
  return VITAL_NAMES.map((name) => {
    const vital = latest.get(name);
    if (!vital) return { name, text: 'not measured', rating: null, measured: false };
    return { name, text: formatVitalValue(vital), rating: vital.rating, measured: vital.value !== null };
  });
}
