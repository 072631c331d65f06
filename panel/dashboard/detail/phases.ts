/**
 * One network entry's time split into phases, from the event's resource-timing breakdown: what the browser
 * did not account for (redirects, queueing, stalls) first, then DNS, connect, TLS, request (waiting for the
 * first byte) and response (download). Shared by the waterfall and the HAR export.
 */
import type { TimingBreakdown } from '../../../sdk/schema';

export type PhaseName = 'queue' | 'dns' | 'connect' | 'tls' | 'request' | 'response';

export const PHASE_NAMES: readonly PhaseName[] = ['queue', 'dns', 'connect', 'tls', 'request', 'response'];

export interface Phase {
  name: PhaseName;
  /** ms from the entry's start. */
  start: number;
  duration: number;
}

const round = (ms: number) => Math.round(ms * 10) / 10;
const positive = (ms: number | null | undefined): number => (ms !== null && ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : 0);

/**
 * The phases in order; with no breakdown (cross-origin without Timing-Allow-Origin) a single 'request'
 * phase spans the whole duration. `connect` in the breakdown includes TLS, so the connect phase here is
 * connect minus TLS.
 */
export function phasesOf(duration: number, timing: TimingBreakdown | null): Phase[] {
  const total = positive(duration);
  if (!timing) return total ? [{ name: 'request', start: 0, duration: round(total) }] : [];
  const tls = Math.min(positive(timing.tls), positive(timing.connect));
  const parts: [PhaseName, number][] = [
    ['dns', positive(timing.dns)],
    ['connect', positive(timing.connect) - tls],
    ['tls', tls],
    ['request', positive(timing.request)],
    ['response', positive(timing.response)],
  ];
  const known = parts.reduce((sum, [, ms]) => sum + ms, 0);
  const out: Phase[] = [];
  let at = 0;
  for (const [name, ms] of [['queue', Math.max(0, total - known)] as [PhaseName, number], ...parts]) {
    if (ms <= 0) continue;
    out.push({ name, start: round(at), duration: round(ms) });
    at += ms;
  }
  return out;
}
