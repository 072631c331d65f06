import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../sdk/schema';
import { currentMarker, replayMarkers } from './replayMarkers';

const stored = { sessionId: 's', loadId: 'l', tabId: 1, frameId: 0, schema: 1 as const, tz: 0, viewId: 'v' };
const events = [
  { ...stored, seq: 0, time: 1_000, type: 'view', url: 'http://a.test/', referrer: '', title: 'A', navigation: 'initial', loadingTime: 1 },
  { ...stored, seq: 1, time: 2_000, type: 'console', level: 'warn', message: 'slow checkout', args: [], count: 3 },
  { ...stored, seq: 2, time: 3_000, type: 'console', level: 'log', message: 'x'.repeat(500), args: [], count: 1 },
  { ...stored, seq: 3, time: 4_000, type: 'resource', url: 'http://a.test/a.js', resourceType: 'script', duration: 1, timing: null, transferSize: null, renderBlocking: false },
  { ...stored, seq: 4, time: 60_000, type: 'console', level: 'info', message: 'long after the recording', args: [], count: 1 },
] as StoredEvent[];

describe('replay markers', () => {
  it('marks console messages beside page views, at their offset in the recording', () => {
    const markers = replayMarkers(events, 1_000, 5_000);
    expect(markers.map((m) => [m.kind, m.offset])).toEqual([
      ['view', 0],
      ['console', 1_000],
      ['console', 2_000],
    ]);
    expect(markers[1]!.label).toBe('console.warn: slow checkout (×3)');
    expect(markers[1]!.at).toBe(0.25);
    expect(markers[2]!.label.length).toBeLessThan(230);
  });

  it('follows playback: the last marker at or before the offset', () => {
    const markers = replayMarkers(events, 1_000, 5_000);
    expect(currentMarker(markers, 1_500)).toBe(1);
    expect(currentMarker(markers, -1)).toBe(-1);
  });
});
