/**
 * The spec's "Session Metrics and KPIs", with its benchmark bands, kept by an accumulator that sessions are
 * added to and removed from: a live view updates in proportion to what changed (an updated session is a
 * remove and an add), never by re-reading every session.
 */
import type {
  DurationBand,
  ErrorRateBand,
  KpiComparison,
  KpiDay,
  KpiReport,
  KpiSummary,
  PagesBand,
  SessionRecord,
  StoredEvent,
  TimeRange,
  VitalName,
  VitalP75,
  VitalRating,
} from '../../sdk/schema';
import { durationOf, MINUTE, rangeBounds } from './filter';
import { lowerBound } from '../../sdk/model/lowerBound';

const DAY = 24 * 60 * MINUTE;

/** Spec: < 1 minute poor, 1–5 minutes normal, 5+ minutes high engagement. */
export function durationBand(ms: number): DurationBand {
  return ms < MINUTE ? 'poor' : ms < 5 * MINUTE ? 'normal' : 'high';
}

/** Spec: < 5 % excellent, 5–10 % good, 10–20 % needs attention, > 20 % critical (rate is 0..1). */
export function errorRateBand(rate: number): ErrorRateBand {
  return rate < 0.05 ? 'excellent' : rate <= 0.1 ? 'good' : rate <= 0.2 ? 'needs-attention' : 'critical';
}

/** Spec: < 2 low, 2–5 medium, > 5 high. */
export function pagesBand(pages: number): PagesBand {
  return pages < 2 ? 'low' : pages <= 5 ? 'medium' : 'high';
}

/** web.dev thresholds: good at or below the first, poor above the second. */
export const VITAL_THRESHOLDS: Readonly<Record<VitalName, readonly [number, number]>> = {
  LCP: [2500, 4000],
  FID: [100, 300],
  CLS: [0.1, 0.25],
  INP: [200, 500],
  TTFB: [800, 1800],
  FCP: [1800, 3000],
};

export const KPI_VITALS: readonly VitalName[] = ['LCP', 'FID', 'CLS', 'TTFB', 'INP', 'FCP'];

export function vitalRating(name: VitalName, value: number): VitalRating {
  const [good, poor] = VITAL_THRESHOLDS[name];
  return value <= good ? 'good' : value <= poor ? 'needs-improvement' : 'poor';
}

/** One session's Web Vitals: the last measured value of each. */
export type SessionVitals = Partial<Record<VitalName, number>>;

/** The session's vitals from its events (the last report of each name with a value). */
export function sessionVitals(events: Iterable<StoredEvent>): SessionVitals {
  const out: SessionVitals = {};
  const at: Partial<Record<VitalName, number>> = {};
  for (const event of events) {
    if (event.type !== 'vital' || event.value === null) continue;
    if ((at[event.name] ?? -Infinity) > event.time) continue;
    at[event.name] = event.time;
    out[event.name] = event.value;
  }
  return out;
}

/** The vitals a session record keeps (SessionRecord.vitals, written as vital events are stored). */
export function recordVitals(session: Pick<SessionRecord, 'vitals'>): SessionVitals {
  const out: SessionVitals = {};
  for (const [name, entry] of Object.entries(session.vitals ?? {}) as [VitalName, { value: number } | undefined][]) {
    if (entry && Number.isFinite(entry.value)) out[name] = entry.value;
  }
  return out;
}

/** Who a session belongs to, for sessions per user and returning users: user id, else email, else visitor id. */
export function userKey(session: Pick<SessionRecord, 'user' | 'visitorId'>): string | null {
  const id = session.user?.id;
  if (typeof id === 'string' && id) return `id:${id}`;
  const email = session.user?.email;
  if (typeof email === 'string' && email) return `email:${email.toLowerCase()}`;
  return session.visitorId ? `visitor:${session.visitorId}` : null;
}

/** The start of the day containing `time`, for a zone `offsetMinutes` east of UTC. */
export function dayStart(time: number, offsetMinutes: number): number {
  const shift = offsetMinutes * MINUTE;
  return Math.floor((time + shift) / DAY) * DAY - shift;
}

interface Contribution {
  duration: number;
  views: number;
  actions: number;
  errors: number;
  bounce: boolean;
  user: string | null;
  day: number;
  /** The finite vitals, as [name, value] pairs. */
  vitals: readonly (readonly [VitalName, number])[];
}

type VitalPairs = Contribution['vitals'];

const vitalPairs = (vitals: SessionVitals): VitalPairs =>
  (Object.entries(vitals) as [VitalName, number][]).filter(([, value]) => Number.isFinite(value));

/** What a record contributes whatever the zone, derived once per record (records are never changed in place). */
const ownFacts = new WeakMap<SessionRecord, { user: string | null; vitals: VitalPairs }>();
function factsOf(session: SessionRecord): { user: string | null; vitals: VitalPairs } {
  let facts = ownFacts.get(session);
  if (!facts) ownFacts.set(session, (facts = { user: userKey(session), vitals: vitalPairs(recordVitals(session)) }));
  return facts;
}

export interface DayTotals {
  sessions: number;
  errorSessions: number;
  duration: number;
  views: number;
}

export const kpiDay = (start: number, d: DayTotals): KpiDay => ({
  dayStart: start,
  sessions: d.sessions,
  errorSessions: d.errorSessions,
  avgDurationMs: d.sessions ? d.duration / d.sessions : null,
  pagesPerSession: d.sessions ? d.views / d.sessions : null,
  errorRate: d.sessions ? d.errorSessions / d.sessions : null,
});

/** The sums a KPI summary is made of. */
export interface KpiTotals {
  sessions: number;
  duration: number;
  views: number;
  actions: number;
  errors: number;
  errorSessions: number;
  bounces: number;
  /** Distinct users, and the sessions that have a user. */
  users: number;
  identified: number;
}

/** The summary of `t`; `sortedVitals(name)`: the sessions' values of that vital, ascending. */
/** `vitalOf(name)`: the vital's p75 and bands, from sorted values (vitalSummary) or unsorted ones (vitalSummaryUnsorted). */
export function kpiSummary(t: KpiTotals, vitalOf: (name: VitalName) => VitalP75): KpiSummary {
  const n = t.sessions;
  const avg = (total: number) => (n ? total / n : null);
  const avgDurationMs = avg(t.duration);
  const errorRate = avg(t.errorSessions);
  const pagesPerSession = avg(t.views);
  return {
    totalSessions: n,
    avgDurationMs,
    durationBand: avgDurationMs === null ? null : durationBand(avgDurationMs),
    errorRate,
    errorRateBand: errorRate === null ? null : errorRateBand(errorRate),
    errorsPerSession: avg(t.errors),
    pagesPerSession,
    pagesBand: pagesPerSession === null ? null : pagesBand(pagesPerSession),
    actionsPerSession: avg(t.actions),
    bounceRate: avg(t.bounces),
    users: t.users,
    sessionsPerUser: t.users ? t.identified / t.users : null,
    vitals: KPI_VITALS.map(vitalOf),
  };
}

/**
 * A multiset of numbers that answers percentiles: additions wait unsorted and are merged in on the next
 * read (one sort of what was added, one linear merge), a removal is a binary search. Adding 50,000 values
 * costs one sort, not 50,000 insertions; a live update costs one removal and one merge.
 */
export class SortedValues {
  private sorted: number[] = [];
  private pending: number[] = [];

  add(value: number): void {
    this.pending.push(value);
  }

  remove(value: number): void {
    const at = this.pending.indexOf(value);
    if (at >= 0) {
      this.pending[at] = this.pending[this.pending.length - 1]!;
      this.pending.pop();
      return;
    }
    const i = lowerBound(this.sorted, value);
    if (this.sorted[i] === value) this.sorted.splice(i, 1);
  }

  values(): readonly number[] {
    // A live update adds a value or two: each goes in its place (no new list of every value).
    if (this.pending.length && this.pending.length * 64 <= this.sorted.length) {
      for (const value of this.pending) this.sorted.splice(lowerBound(this.sorted, value), 0, value);
      this.pending = [];
    }
    if (this.pending.length) {
      // A typed array sorts numbers natively (no comparator call per comparison): ~10× faster at 100,000 values.
      const add = Float64Array.from(this.pending).sort();
      const old = this.sorted;
      const merged = new Array<number>(old.length + add.length);
      let i = 0;
      let j = 0;
      let k = 0;
      while (i < old.length && j < add.length) merged[k++] = old[i]! <= add[j]! ? old[i++]! : add[j++]!;
      while (i < old.length) merged[k++] = old[i++]!;
      while (j < add.length) merged[k++] = add[j++]!;
      this.sorted = merged;
      this.pending = [];
    }
    return this.sorted;
  }
}

/** Nearest-rank 75th percentile of a sorted list. */
export function p75(sorted: ArrayLike<number>): number | null {
  return sorted.length ? sorted[Math.ceil(sorted.length * 0.75) - 1]! : null;
}

export interface KpiAccumulator {
  /** Adds a session, or replaces what it contributed if it is already there (a live update). Vitals default to the record's own. */
  put(session: SessionRecord, vitals?: SessionVitals): void;
  remove(sessionId: string): void;
  has(sessionId: string): boolean;
  readonly size: number;
  summary(): KpiSummary;
  /** One row per day that has sessions, oldest first. */
  daily(): KpiDay[];
}

export interface KpiOptions {
  /** Days start at midnight in this zone (minutes east of UTC); default UTC. */
  tzOffsetMinutes?: number;
}

export function createKpiAccumulator(options: KpiOptions = {}): KpiAccumulator {
  const offset = options.tzOffsetMinutes ?? 0;
  const contributions = new Map<string, Contribution>();
  const users = new Map<string, number>();
  const days = new Map<number, DayTotals>();
  const vitals = new Map<VitalName, SortedValues>(KPI_VITALS.map((name) => [name, new SortedValues()]));
  let duration = 0;
  let views = 0;
  let actions = 0;
  let errors = 0;
  let errorSessions = 0;
  let bounces = 0;
  let identified = 0;

  /** `withVitals` false: the session's vitals stay where they are (an update that did not change them). */
  const apply = (c: Contribution, sign: 1 | -1, withVitals = true) => {
    duration += sign * c.duration;
    views += sign * c.views;
    actions += sign * c.actions;
    errors += sign * c.errors;
    if (c.errors > 0) errorSessions += sign;
    if (c.bounce) bounces += sign;
    if (c.user !== null) {
      identified += sign;
      const n = (users.get(c.user) ?? 0) + sign;
      if (n > 0) users.set(c.user, n);
      else users.delete(c.user);
    }
    const day = days.get(c.day) ?? { sessions: 0, errorSessions: 0, duration: 0, views: 0 };
    day.sessions += sign;
    if (c.errors > 0) day.errorSessions += sign;
    day.duration += sign * c.duration;
    day.views += sign * c.views;
    if (day.sessions > 0) days.set(c.day, day);
    else days.delete(c.day);
    if (!withVitals) return;
    for (const [name, value] of c.vitals) {
      const list = vitals.get(name);
      if (!list) continue;
      if (sign > 0) list.add(value);
      else list.remove(value);
    }
  };

  const accumulator: KpiAccumulator = {
    put(session, sessionVitals) {
      const old = contributions.get(session.id);
      const facts = factsOf(session);
      const c: Contribution = {
        duration: durationOf(session),
        views: session.counts.views,
        actions: session.counts.actions,
        errors: session.counts.errors,
        bounce: session.counts.views <= 1 && session.counts.actions === 0,
        user: facts.user,
        day: dayStart(session.startedAt, offset),
        vitals: sessionVitals ? vitalPairs(sessionVitals) : facts.vitals,
      };
      // A live update rarely changes the vitals: then they are not taken out of the percentile lists and put back.
      const sameVitals = !!old && sameVitalValues(old.vitals, c.vitals);
      if (old) apply(old, -1, !sameVitals);
      contributions.set(session.id, c);
      apply(c, 1, !sameVitals);
    },
    remove(sessionId) {
      const old = contributions.get(sessionId);
      if (!old) return;
      apply(old, -1);
      contributions.delete(sessionId);
    },
    has: (sessionId) => contributions.has(sessionId),
    get size() {
      return contributions.size;
    },
    summary: () =>
      kpiSummary({ sessions: contributions.size, duration, views, actions, errors, errorSessions, bounces, users: users.size, identified }, (name) => vitalSummary(name, vitals.get(name)!.values())),
    daily: () => [...days].sort(([a], [b]) => a - b).map(([start, d]) => kpiDay(start, d)),
  };
  return accumulator;
}

function sameVitalValues(a: VitalPairs, b: VitalPairs): boolean {
  return a.length === b.length && a.every(([name, value], i) => b[i]![0] === name && Object.is(b[i]![1], value));
}

export function vitalSummary(name: VitalName, sorted: ArrayLike<number>): VitalP75 {
  const value = p75(sorted);
  const [good, poor] = VITAL_THRESHOLDS[name];
  const goodCount = lowerBound(sorted, good, true);
  const poorCount = sorted.length - lowerBound(sorted, poor, true);
  return {
    name,
    p75: value,
    rating: value === null ? null : vitalRating(name, value),
    samples: sorted.length,
    good: goodCount,
    needsImprovement: sorted.length - goodCount - poorCount,
    poor: poorCount,
  };
}

/**
 * The same summary as vitalSummary, of values in any order (reordered in place): the bands are counted in one pass and
 * the p75 is selected (quickselect, O(n)) instead of sorting every value (a sort of 100,000 values
 * is ~12 ms, for each of six vitals and two periods per question).
 */
export function vitalSummaryUnsorted(name: VitalName, values: Float64Array): VitalP75 {
  const n = values.length;
  const [good, poor] = VITAL_THRESHOLDS[name];
  let goodCount = 0;
  let poorCount = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v <= good) goodCount++;
    else if (v > poor) poorCount++;
  }
  const value = n ? selectKth(values, Math.ceil(n * 0.75) - 1) : null;
  return {
    name,
    p75: value,
    rating: value === null ? null : vitalRating(name, value),
    samples: n,
    good: goodCount,
    needsImprovement: n - goodCount - poorCount,
    poor: poorCount,
  };
}

/** The k-th smallest value (0-based), as a sort would place it; reorders `values`. */
export function selectKth(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (hi > lo) {
    // Median of three as pivot, then a three-way partition (many equal values are common: the same vital repeated).
    const mid = (lo + hi) >>> 1;
    const a = values[lo]!;
    const b = values[mid]!;
    const c = values[hi]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = values[i]!;
      if (v < pivot) {
        values[i] = values[lt]!;
        values[lt++] = v;
        i++;
      } else if (v > pivot) {
        values[i] = values[gt]!;
        values[gt--] = v;
      } else i++;
    }
    if (k < lt) hi = lt - 1;
    else if (k > gt) lo = gt + 1;
    else return pivot;
  }
  return values[k]!;
}

/** KPIs of a set of sessions in one go. */
export function computeKpis(
  sessions: Iterable<SessionRecord>,
  vitalsOf?: (sessionId: string) => SessionVitals | undefined,
  options?: KpiOptions,
): KpiSummary {
  const acc = createKpiAccumulator(options);
  for (const s of sessions) acc.put(s, vitalsOf?.(s.id));
  return acc.summary();
}

const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

/** The period before a range, of the same length: [from - (to - from), from). */
export function previousPeriod(range: TimeRange, now: number): KpiComparison['period'] {
  const { from, to } = rangeBounds(range, now);
  return { from, to, previousFrom: from - (to - from), previousTo: from };
}

/**
 * KPIs of the range against the period just before it. `sessions` must cover both periods and be filtered
 * by everything but time (the comparison applies the two periods itself).
 */
export function compareKpis(
  sessions: Iterable<SessionRecord>,
  range: TimeRange,
  now: number,
  vitalsOf?: (sessionId: string) => SessionVitals | undefined,
): KpiComparison {
  const period = previousPeriod(range, now);
  const current = createKpiAccumulator();
  const previous = createKpiAccumulator();
  for (const s of sessions) {
    if (s.startedAt >= period.from && s.startedAt < period.to) current.put(s, vitalsOf?.(s.id));
    else if (s.startedAt >= period.previousFrom && s.startedAt < period.previousTo) previous.put(s, vitalsOf?.(s.id));
  }
  return comparison(current.summary(), previous.summary(), period);
}

/** Builds the comparison from two summaries (e.g. two live accumulators). */
export function comparison(current: KpiSummary, previous: KpiSummary, period: KpiComparison['period']): KpiComparison {
  return {
    current,
    previous,
    delta: {
      totalSessions: current.totalSessions - previous.totalSessions,
      avgDurationMs: diff(current.avgDurationMs, previous.avgDurationMs),
      errorRate: diff(current.errorRate, previous.errorRate),
      pagesPerSession: diff(current.pagesPerSession, previous.pagesPerSession),
      bounceRate: diff(current.bounceRate, previous.bounceRate),
    },
    period,
  };
}

/** KPIs of the sessions a filter keeps, live: the period's and (with a time range) the previous period's. */
export interface LiveKpis {
  /** Adds or replaces a session (one the filter does not keep is only removed). */
  put(session: SessionRecord): void;
  remove(sessionId: string): void;
  /**
   * Moves `now` forward (relative time ranges move with it): only the sessions whose start crossed a period's
   * bounds are placed again; `startedIn(from, to)` gives the held sessions that started in [from, to).
   */
  advance(now: number, startedIn: (from: number, to: number) => Iterable<SessionRecord>): void;
  report(): KpiReport;
}

/**
 * `match`: every part of the filter but its time range (the periods are applied here). With no time range,
 * one period of everything matched.
 */
export function createLiveKpis(range: TimeRange | undefined, match: (session: SessionRecord) => boolean, options: KpiOptions, now: number): LiveKpis {
  const current = createKpiAccumulator(options);
  const previous = createKpiAccumulator(options);
  let period = range ? previousPeriod(range, now) : null;
  const held = new Map<string, SessionRecord>();
  const place = (session: SessionRecord) => {
    current.remove(session.id);
    previous.remove(session.id);
    if (!match(session)) return;
    const at = session.startedAt;
    if (!period) current.put(session);
    else if (at >= period.from && at < period.to) current.put(session);
    else if (at >= period.previousFrom && at < period.previousTo) previous.put(session);
  };
  return {
    put(session) {
      held.set(session.id, session);
      place(session);
    },
    remove(sessionId) {
      held.delete(sessionId);
      current.remove(sessionId);
      previous.remove(sessionId);
    },
    advance(next, startedIn) {
      if (!range || !period) return;
      const moved = previousPeriod(range, next);
      const bounds: [number, number][] = [
        [period.from, moved.from],
        [period.to, moved.to],
        [period.previousFrom, moved.previousFrom],
      ];
      period = moved;
      const again = new Set<string>();
      for (const [a, b] of bounds) if (a !== b) for (const s of startedIn(Math.min(a, b), Math.max(a, b))) again.add(s.id);
      for (const id of again) {
        const session = held.get(id);
        if (session) place(session);
      }
    },
    report() {
      const summary = current.summary();
      return { summary, daily: current.daily(), comparison: period ? comparison(summary, previous.summary(), period) : null };
    },
  };
}
