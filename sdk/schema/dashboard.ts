/**
 * The Sessions dashboard's contract: filters, KPI results and search, as plain data. The extension's panel
 * and the team server's dashboard both carry these (the server in its HTTP API), so they live here.
 * Types and constants only.
 */
import type { DeviceType } from './session';
import type { VitalName, VitalRating } from './events';

/** The spec's time range presets; 'custom' takes `from` / `to`. */
export type TimeRangePreset = '15m' | '1h' | '6h' | '24h' | '7d' | '30d';

export const TIME_RANGE_PRESETS: readonly TimeRangePreset[] = ['15m', '1h', '6h', '24h', '7d', '30d'];

/** Length of each preset in ms. */
export const TIME_RANGE_MS: Readonly<Record<TimeRangePreset, number>> = {
  '15m': 15 * 60_000,
  '1h': 60 * 60_000,
  '6h': 6 * 60 * 60_000,
  '24h': 24 * 60 * 60_000,
  '7d': 7 * 24 * 60 * 60_000,
  '30d': 30 * 24 * 60 * 60_000,
};

/** A session is in the range when it started in it: `from` <= startedAt < `to` (UTC ms). */
export type TimeRange = { preset: TimeRangePreset } | { preset: 'custom'; from: number; to: number };

/**
 * Error count: 'none' = 0, 'some' > 0, 'many' > 5, 'critical' > 10, 'custom' min..max (inclusive; either end open).
 */
export type ErrorCountFilter =
  | { preset: 'none' | 'some' | 'many' | 'critical' }
  | { preset: 'custom'; min: number | null; max: number | null };

export const ERROR_COUNT_PRESETS = ['none', 'some', 'many', 'critical'] as const;

/**
 * Session duration (lastEventAt - startedAt): 'short' < 1 min, 'medium' 1–10 min, 'long' > 10 min,
 * 'custom' minMs..maxMs (inclusive; either end open).
 */
export type DurationFilter =
  | { preset: 'short' | 'medium' | 'long' }
  | { preset: 'custom'; minMs: number | null; maxMs: number | null };

export const DURATION_PRESETS = ['short', 'medium', 'long'] as const;

/** The multi-value facets: a session matches when its value is one of the selected (an empty list = any). */
/** 'sdk': which SDK recorded the session (Rumscope, or a peer's through the server's compatible intake). */
export type FacetKey = 'userEmail' | 'country' | 'city' | 'browser' | 'os' | 'deviceType' | 'env' | 'version' | 'site' | 'sdk';

export const FACET_KEYS: readonly FacetKey[] = ['userEmail', 'country', 'city', 'browser', 'os', 'deviceType', 'env', 'version', 'site', 'sdk'];

/** The value a facet shows for a session that has none (no city, no user, ...). */
export const UNKNOWN_VALUE = 'Unknown';

/**
 * Every filter of the spec's "Filtering Sessions", combined with AND; within a facet the values are ORed.
 * Plain data: it round-trips through URL query parameters and the server's API.
 */
export interface SessionFilter {
  time?: TimeRange;
  /** Case-insensitive substring of the user's email ("Search for sessions by specific user email address"). */
  userEmailContains?: string;
  errors?: ErrorCountFilter;
  duration?: DurationFilter;
  country?: string[];
  city?: string[];
  browser?: string[];
  os?: string[];
  deviceType?: (DeviceType | typeof UNKNOWN_VALUE)[];
  env?: string[];
  version?: string[];
  site?: string[];
  /** Recorded by (SDK_LABELS values: 'Rumscope', 'Datadog browser-rum', 'OpenObserve browser-rum'). */
  sdk?: string[];
  /** Exact user emails (the User Email widget's values). */
  userEmail?: string[];
  /** Only sessions whose region (country) or device was not seen in the 30 days before the range. */
  novelty?: 'region' | 'device' | 'region-or-device';
  /** Full-text search over URLs, errors, actions and custom attributes; answered by the search index. */
  search?: string;
}

/** One value of a facet widget with the number of sessions that have it (other facets applied). */
export interface FacetValue {
  value: string;
  count: number;
}

/** What each filter widget shows: values present with their counts. */
export interface FacetCounts {
  facets: Record<FacetKey, FacetValue[]>;
  time: Record<TimeRangePreset, number>;
  errors: Record<(typeof ERROR_COUNT_PRESETS)[number], number>;
  duration: Record<(typeof DURATION_PRESETS)[number], number>;
  /** Sessions matching the whole filter. */
  total: number;
}

// ---- KPIs ----

export type DurationBand = 'poor' | 'normal' | 'high';
export type ErrorRateBand = 'excellent' | 'good' | 'needs-attention' | 'critical';
export type PagesBand = 'low' | 'medium' | 'high';

/** p75 of each Web Vital over sessions that measured it, with its rating by the web.dev thresholds. */
export interface VitalP75 {
  name: VitalName;
  p75: number | null;
  rating: VitalRating | null;
  /** Sessions that measured it. */
  samples: number;
  /** Sessions whose value rated good / needs-improvement / poor. */
  good: number;
  needsImprovement: number;
  poor: number;
}

/** The spec's "Session Metrics and KPIs" for one set of sessions. Averages are null over no sessions. */
export interface KpiSummary {
  totalSessions: number;
  /** Mean of lastEventAt - startedAt, ms. Spec bands: < 1 min poor, 1–5 min normal, 5+ min high. */
  avgDurationMs: number | null;
  durationBand: DurationBand | null;
  /** Share (0..1) of sessions with at least one error. Spec bands: < 5 % excellent, 5–10 % good, 10–20 % needs attention, > 20 % critical. */
  errorRate: number | null;
  errorRateBand: ErrorRateBand | null;
  /** Errors per session. */
  errorsPerSession: number | null;
  /** Mean page views per session. Spec bands: < 2 low, 2–5 medium, > 5 high. */
  pagesPerSession: number | null;
  pagesBand: PagesBand | null;
  actionsPerSession: number | null;
  /** Share of sessions with at most one page view and no action. */
  bounceRate: number | null;
  /** Distinct users (user id, else email, else visitor id); sessions with none are not counted. */
  users: number;
  /** Sessions with a user identity divided by distinct users. */
  sessionsPerUser: number | null;
  vitals: VitalP75[];
}

/** One day of the trend chart (the day starts at `dayStart`, UTC ms, in the viewer's zone). */
export interface KpiDay {
  dayStart: number;
  sessions: number;
  errorSessions: number;
  avgDurationMs: number | null;
  pagesPerSession: number | null;
  errorRate: number | null;
}

/** The selected period against the one just before it, of the same length. */
export interface KpiComparison {
  current: KpiSummary;
  previous: KpiSummary;
  /** current - previous for each number that both have; null where either lacks it. */
  delta: {
    totalSessions: number;
    avgDurationMs: number | null;
    errorRate: number | null;
    pagesPerSession: number | null;
    bounceRate: number | null;
  };
  period: { from: number; to: number; previousFrom: number; previousTo: number };
}

/** What the KPI cards and the trend chart show for one filter (a source's answer, plain data). */
export interface KpiReport {
  /** KPIs of the sessions matching the filter. */
  summary: KpiSummary;
  /** One row per day with sessions, oldest first (days in the zone the caller asked for). */
  daily: KpiDay[];
  /** The filter's time range against the period just before it; null without a time range. */
  comparison: KpiComparison | null;
  /** The newest application version among all sessions and the one before it (for "sessions after a deployment"). */
  versionChange?: VersionChange | null;
}

// ---- Search ----

export type SearchKind = 'url' | 'api' | 'error' | 'action' | 'attribute' | 'console';

export const SEARCH_KINDS: readonly SearchKind[] = ['url', 'api', 'error', 'action', 'attribute', 'console'];

export interface SearchQuery {
  text: string;
  /** Only these kinds of text; default all. */
  kinds?: SearchKind[];
  /** At most this many sessions (default SEARCH_DEFAULTS.limit). */
  limit?: number;
  /** How many of the best hits carry snippets (default SEARCH_DEFAULTS.snippets; the rest have none, which keeps big answers fast). */
  snippets?: number;
}

/** What a SearchQuery without `limit` or `snippets` gets, from every host. */
export const SEARCH_DEFAULTS = { limit: 1_000, snippets: 50 } as const;

/** A matched text of a session: what kind it is, the text (trimmed around the match) and the matched terms. */
export interface SearchSnippet {
  kind: SearchKind;
  text: string;
  terms: string[];
}

export interface SearchHit {
  sessionId: string;
  score: number;
  /** Best few matches, best first. */
  snippets: SearchSnippet[];
}

// ---- Cohorts and segments ----

/** The spec's "Session Cohort Analysis": by version, weekday vs weekend, new vs returning users, by feature. */
export type CohortDimension = 'version' | 'weekday' | 'userType' | 'feature';

export interface Cohort {
  /** Version string; 'weekday' / 'weekend'; 'new' / 'returning' / 'unknown' (no visitor id); 'with' / 'without'. */
  key: string;
  label: string;
  kpis: KpiSummary;
}

/** "Performance Analysis by Segment": location, device, browser, network. */
export type SegmentDimension = 'country' | 'deviceType' | 'browser' | 'connection';

export interface SegmentRow {
  segment: string;
  sessions: number;
  errorRate: number;
  vitals: VitalP75[];
}

/** The newest application version and the one before it (the "sessions after a deployment" view). */
export interface VersionChange {
  version: string;
  /** UTC ms of the new version's first session. */
  since: number;
  previous: string;
}

export interface CohortQuery {
  /** "By feature": sessions that visited a URL containing this text (answered by the search index's page texts). */
  feature?: string;
  /** Weekday vs weekend in this zone (minutes east of UTC); default UTC. */
  tzOffsetMinutes?: number;
}

/** The cohorts side by side and the performance by segment, for the sessions of one filter. */
export interface CohortReport {
  cohorts: {
    version: Cohort[];
    weekday: Cohort[];
    /** New vs returning: returning = an earlier session (any time, any filter) has the same visitor id. */
    userType: Cohort[];
    /** With / without the feature; null without `CohortQuery.feature`. */
    feature: Cohort[] | null;
  };
  segments: Record<SegmentDimension, SegmentRow[]>;
  versionChange: VersionChange | null;
  /**
   * With a time range: the regions and devices of the range that no session of the 30 days before it had
   * ("Sessions from new regions or devices"); null without a range.
   */
  novelty: { regions: string[]; devices: string[] } | null;
}
