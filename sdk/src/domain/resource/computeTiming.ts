import type { TimingBreakdown } from '../../../schema';

/**
 * True when the browser hides the breakdown: a cross-origin entry without Timing-Allow-Origin has its
 * phase timestamps (and sizes) zeroed. Its phases are then "not available" (null), never 0.
 */
export const isRestricted = (entry: PerformanceResourceTiming): boolean => entry.requestStart === 0;

const span = (from: number, to: number): number | null => (from > 0 && to >= from ? Math.round((to - from) * 10) / 10 : null);

/** DNS, connect, TLS, request (to first byte) and response (download) in ms, or null when hidden. */
export function computeTiming(entry: PerformanceResourceTiming): TimingBreakdown | null {
  if (isRestricted(entry)) return null;
  return {
    dns: span(entry.domainLookupStart, entry.domainLookupEnd),
    connect: span(entry.connectStart, entry.connectEnd),
    // No TLS (http:) or a reused connection: secureConnectionStart is 0 and no time was spent on it.
    tls: entry.secureConnectionStart > 0 ? span(entry.secureConnectionStart, entry.connectEnd) : 0,
    request: span(entry.requestStart, entry.responseStart),
    response: span(entry.responseStart, entry.responseEnd),
  };
}
