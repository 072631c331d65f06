/** Rows of the resources / API calls waterfall: each entry's start, phases and total, relative to the first. */
import type { StoredEvent } from '../../../sdk/schema';
import { phasesOf, type Phase } from './phases';

export interface WaterfallRow {
  /** The event's position in the session (loadId:seq), unique. */
  key: string;
  kind: 'api' | 'resource';
  /** "POST /api/pay" or the resource URL. */
  label: string;
  url: string;
  /** script, css, image, font, fetch, xhr... */
  type: string;
  /** API status (0 = network error); null for resources. */
  status: number | null;
  /** ms from the first entry's start. */
  offset: number;
  duration: number;
  phases: Phase[];
  /** DNS / connect / TLS / request / response in ms, null where not known (the table's columns). */
  timing: { dns: number | null; connect: number | null; tls: number | null; request: number | null; response: number | null };
  transferSize: number | null;
}

export interface Waterfall {
  rows: WaterfallRow[];
  /** ms from the first start to the last end: the scale's width. */
  span: number;
  start: number;
}

const NO_TIMING = { dns: null, connect: null, tls: null, request: null, response: null };

export function waterfallRows(events: readonly StoredEvent[], kinds: readonly ('api' | 'resource')[] = ['api', 'resource']): Waterfall {
  const net = events
    .filter((e): e is Extract<StoredEvent, { type: 'api' | 'resource' }> => (e.type === 'api' || e.type === 'resource') && kinds.includes(e.type))
    .sort((a, b) => a.time - b.time);
  const start = net[0]?.time ?? 0;
  let end = start;
  const rows = net.map((e): WaterfallRow => {
    end = Math.max(end, e.time + Math.max(0, e.duration));
    const common = {
      key: `${e.loadId}:${e.seq}`,
      url: e.url,
      offset: e.time - start,
      duration: Math.max(0, e.duration),
      phases: phasesOf(e.duration, e.timing),
      timing: e.timing ?? NO_TIMING,
    };
    return e.type === 'api'
      ? { ...common, kind: 'api', label: `${e.method} ${e.url}`, type: e.via, status: e.status, transferSize: e.responseSize }
      : { ...common, kind: 'resource', label: e.url, type: e.resourceType, status: null, transferSize: e.transferSize };
  });
  return { rows, span: end - start, start };
}
