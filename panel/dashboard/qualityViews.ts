/**
 * The spec's "Monitor Session Quality" as one-click views: high error counts, unusually short or long
 * sessions, new regions or devices, sessions after a deployment (the newest application version).
 */
import { UNKNOWN_VALUE } from '../../sdk/schema';
import type { SessionFilter, SessionRecord, VersionChange } from '../../sdk/schema';
import { facetValue } from './filter';

export interface QualityView {
  id: 'high-errors' | 'short' | 'long' | 'new-regions-devices' | 'after-version-change';
  label: string;
  /** Applied over the current time range (the view keeps `time`). */
  filter: SessionFilter;
}

/**
 * The version that appeared last: the one whose first session is the newest. null with fewer than two
 * versions (no change to look after).
 */
export function latestVersionChange(sessions: Iterable<SessionRecord>): VersionChange | null {
  const first = new Map<string, number>();
  for (const s of sessions) {
    const v = facetValue(s, 'version');
    if (v === UNKNOWN_VALUE) continue;
    const seen = first.get(v);
    if (seen === undefined || s.startedAt < seen) first.set(v, s.startedAt);
  }
  const byFirst = [...first].sort(([, a], [, b]) => b - a);
  if (byFirst.length < 2) return null;
  return { version: byFirst[0]![0], since: byFirst[0]![1], previous: byFirst[1]![0] };
}

export function qualityViews(sessions: Iterable<SessionRecord> | VersionChange | null, base: SessionFilter = {}): QualityView[] {
  const keep: SessionFilter = base.time ? { time: base.time } : {};
  const views: QualityView[] = [
    { id: 'high-errors', label: 'High error counts (> 5)', filter: { ...keep, errors: { preset: 'many' } } },
    { id: 'short', label: 'Short sessions (< 1 min)', filter: { ...keep, duration: { preset: 'short' } } },
    { id: 'long', label: 'Long sessions (> 10 min)', filter: { ...keep, duration: { preset: 'long' } } },
    { id: 'new-regions-devices', label: 'New regions or devices', filter: { ...keep, novelty: 'region-or-device' } },
  ];
  // The version change itself (a source's answer), or the sessions to find it in.
  const change = sessions === null || 'version' in sessions ? sessions : latestVersionChange(sessions);
  if (change) {
    views.push({
      id: 'after-version-change',
      label: `After the change to ${change.version} (from ${change.previous})`,
      filter: { ...keep, version: [change.version] },
    });
  }
  return views;
}
