/**
 * Cohorts (the spec's "Session Cohort Analysis"), performance by segment, and the "new regions or devices"
 * rule: a region or device is new when no session of the 30 days before the selected range had it.
 */
import { UNKNOWN_VALUE } from '../../sdk/schema';
import type { Cohort, CohortDimension, SegmentDimension, SegmentRow, SessionRecord } from '../../sdk/schema';
import { facetValue, MINUTE } from './filter';
import { createKpiAccumulator, dayStart, type KpiAccumulator, type SessionVitals } from './kpis';

export const NOVELTY_LOOKBACK_MS = 30 * 24 * 60 * MINUTE;

export interface CohortOptions {
  /** Which sessions are reported (e.g. the selected range); the others only serve as history. Default all. */
  include?: (session: SessionRecord) => boolean;
  /** Weekday vs weekend in this zone (minutes east of UTC); default UTC. */
  tzOffsetMinutes?: number;
  /** For 'feature': the sessions that used the feature (e.g. visited a URL, from the search index). */
  featureSessions?: ReadonlySet<string>;
  /** For 'feature': its name in the labels, e.g. "/checkout". */
  featureLabel?: string;
  vitalsOf?: (sessionId: string) => SessionVitals | undefined;
}

/** Returning = an earlier session of the same visitor id exists among `sessions`. */
export function returningSessions(sessions: Iterable<SessionRecord>): { returning: Set<string>; withVisitor: Set<string> } {
  const first = new Map<string, SessionRecord>();
  const all: SessionRecord[] = [];
  for (const s of sessions) {
    if (!s.visitorId) continue;
    all.push(s);
    const seen = first.get(s.visitorId);
    if (!seen || s.startedAt < seen.startedAt || (s.startedAt === seen.startedAt && s.id < seen.id)) first.set(s.visitorId, s);
  }
  const returning = new Set<string>();
  for (const s of all) if (first.get(s.visitorId!) !== s) returning.add(s.id);
  return { returning, withVisitor: new Set(all.map((s) => s.id)) };
}

/** Day of week (0 = Sunday) in a zone `offsetMinutes` east of UTC. */
function weekday(time: number, offsetMinutes: number): number {
  return new Date(dayStart(time, offsetMinutes) + offsetMinutes * MINUTE).getUTCDay();
}

export function cohortsBy(sessions: readonly SessionRecord[], dimension: CohortDimension, options: CohortOptions = {}): Cohort[] {
  const include = options.include ?? (() => true);
  const offset = options.tzOffsetMinutes ?? 0;
  const groups = new Map<string, { label: string; acc: KpiAccumulator; latest: number }>();
  const put = (key: string, label: string, s: SessionRecord) => {
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { label, acc: createKpiAccumulator({ tzOffsetMinutes: offset }), latest: -Infinity }));
    group.acc.put(s, options.vitalsOf?.(s.id));
    group.latest = Math.max(group.latest, s.startedAt);
  };
  let keyOf: (s: SessionRecord) => [string, string];
  let order: string[] | null = null;
  switch (dimension) {
    case 'version':
      keyOf = (s) => {
        const v = facetValue(s, 'version');
        return [v, v === UNKNOWN_VALUE ? 'Unknown version' : `Version ${v}`];
      };
      break;
    case 'weekday':
      order = ['weekday', 'weekend'];
      keyOf = (s) => {
        const day = weekday(s.startedAt, offset);
        return day === 0 || day === 6 ? ['weekend', 'Weekend'] : ['weekday', 'Weekday'];
      };
      break;
    case 'userType': {
      order = ['new', 'returning', 'unknown'];
      const { returning, withVisitor } = returningSessions(sessions);
      keyOf = (s) =>
        !withVisitor.has(s.id) ? ['unknown', 'No visitor id'] : returning.has(s.id) ? ['returning', 'Returning users'] : ['new', 'New users'];
      break;
    }
    case 'feature': {
      const used = options.featureSessions;
      if (!used) throw new Error("cohortsBy('feature') needs options.featureSessions");
      const name = options.featureLabel ?? 'the feature';
      order = ['with', 'without'];
      keyOf = (s) => (used.has(s.id) ? ['with', `Used ${name}`] : ['without', `Did not use ${name}`]);
      break;
    }
  }
  for (const s of sessions) {
    if (!include(s)) continue;
    const [key, label] = keyOf(s);
    put(key, label, s);
  }
  const entries = [...groups];
  // Versions: the newest (by its latest session) first; fixed dimensions in their own order.
  if (order) entries.sort(([a], [b]) => order!.indexOf(a) - order!.indexOf(b));
  else entries.sort(([, a], [, b]) => b.latest - a.latest);
  return entries.map(([key, g]) => ({ key, label: g.label, kpis: g.acc.summary() }));
}

function segmentValue(s: SessionRecord, dimension: SegmentDimension): string {
  if (dimension === 'connection') return s.effectiveType?.trim() || s.connectionType?.trim() || UNKNOWN_VALUE;
  return facetValue(s, dimension);
}

/** Web Vitals p75 and error rate per segment, the largest segments first. */
export function segmentPerformance(
  sessions: Iterable<SessionRecord>,
  dimension: SegmentDimension,
  vitalsOf?: (sessionId: string) => SessionVitals | undefined,
): SegmentRow[] {
  const groups = new Map<string, KpiAccumulator>();
  for (const s of sessions) {
    const key = segmentValue(s, dimension);
    let acc = groups.get(key);
    if (!acc) groups.set(key, (acc = createKpiAccumulator()));
    acc.put(s, vitalsOf?.(s.id));
  }
  return [...groups]
    .map(([segment, acc]) => {
      const k = acc.summary();
      return { segment, sessions: k.totalSessions, errorRate: k.errorRate ?? 0, vitals: k.vitals };
    })
    .sort((a, b) => b.sessions - a.sessions || a.segment.localeCompare(b.segment));
}

export const regionKey = (s: SessionRecord): string | null => {
  const country = facetValue(s, 'country');
  return country === UNKNOWN_VALUE ? null : country;
};

/** "Desktop · Mac OS X · Chrome": a device as the dashboard tells them apart. */
export const deviceKey = (s: SessionRecord): string =>
  `${facetValue(s, 'deviceType')} · ${facetValue(s, 'os')} · ${facetValue(s, 'browser')}`;

export interface Novelty {
  /** Sessions in the range whose region (country) no session of the 30 days before had. */
  newRegion: Set<string>;
  newDevice: Set<string>;
  regions: string[];
  devices: string[];
}

/** Sessions in [from, to) whose region or device was not seen in [from - 30 days, from). */
export function novelSessions(sessions: Iterable<SessionRecord>, from: number, to: number): Novelty {
  const knownRegions = new Set<string>();
  const knownDevices = new Set<string>();
  const inRange: SessionRecord[] = [];
  for (const s of sessions) {
    if (s.startedAt >= from && s.startedAt < to) inRange.push(s);
    else if (s.startedAt >= from - NOVELTY_LOOKBACK_MS && s.startedAt < from) {
      const region = regionKey(s);
      if (region) knownRegions.add(region);
      knownDevices.add(deviceKey(s));
    }
  }
  const out: Novelty = { newRegion: new Set(), newDevice: new Set(), regions: [], devices: [] };
  const regions = new Set<string>();
  const devices = new Set<string>();
  for (const s of inRange) {
    const region = regionKey(s);
    if (region && !knownRegions.has(region)) {
      out.newRegion.add(s.id);
      regions.add(region);
    }
    const device = deviceKey(s);
    if (!knownDevices.has(device)) {
      out.newDevice.add(s.id);
      devices.add(device);
    }
  }
  out.regions = [...regions].sort();
  out.devices = [...devices].sort();
  return out;
}
