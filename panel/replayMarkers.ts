/** The player's scrubber marks: page views, clicks, errors, API calls and console messages, placed on the recording's time range. */
import type { StoredEvent } from '../sdk/schema';

export type MarkerKind = 'view' | 'action' | 'error' | 'api' | 'console';

export interface ReplayMarker {
  kind: MarkerKind;
  /** ms from the recording's start. */
  offset: number;
  /** 0..1 along the scrubber. */
  at: number;
  label: string;
  time: number;
}

const KINDS = new Set<string>(['view', 'action', 'error', 'api', 'console']);

/** Characters of a console message shown in a marker's label. */
const CONSOLE_LABEL_CHARS = 200;

function label(event: StoredEvent): string {
  switch (event.type) {
    case 'view':
      return `Page view ${event.url}`;
    case 'action':
      return `${event.action} "${event.name}"`;
    case 'error':
      return `Error: ${event.message}`;
    case 'api':
      return `${event.method} ${event.url} ${event.status}`;
    case 'console': {
      const text = event.message.length > CONSOLE_LABEL_CHARS ? `${event.message.slice(0, CONSOLE_LABEL_CHARS)}…` : event.message;
      return `console.${event.level}: ${text}${event.count > 1 ? ` (×${event.count})` : ''}`;
    }
    default:
      return event.type;
  }
}

/** Markers for the events inside [start, end] (the recording's range), in time order. */
export function replayMarkers(events: readonly StoredEvent[], start: number, end: number): ReplayMarker[] {
  const total = Math.max(1, end - start);
  return events
    .filter((e) => KINDS.has(e.type) && e.time >= start - 1000 && e.time <= end + 1000)
    .filter((e) => e.type !== 'view' || e.frameId === 0)
    .map((e) => {
      const offset = Math.min(total, Math.max(0, e.time - start));
      return { kind: e.type as MarkerKind, offset, at: offset / total, label: label(e), time: e.time };
    })
    .sort((a, b) => a.offset - b.offset);
}

/** The marker playback has reached (the last one at or before `offset`), or -1. */
export function currentMarker(markers: readonly ReplayMarker[], offset: number): number {
  let found = -1;
  for (let i = 0; i < markers.length && markers[i]!.offset <= offset; i++) found = i;
  return found;
}
