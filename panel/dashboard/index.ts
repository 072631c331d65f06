/**
 * The Sessions dashboard's host-agnostic logic, for the panel's App (and the server's dashboard) to wire:
 * filters, KPIs, cohorts, search and the session detail's exports. Pure: no DOM, no storage.
 * Components (Svelte 5, plain props) are in ./components.
 */
export { createFacetCounter, createMatcher, durationOf, facetCounts, facetValue, isEmptyFilter, matchesFilter, movesWithClock, rangeBounds, type FacetCounter, type FilterContext } from './filter';
export { FACET_PARAMS, filterFromParams, filterToParams, type ParsedFilter } from './filterParams';
export {
  comparison,
  compareKpis,
  computeKpis,
  createKpiAccumulator,
  dayStart,
  durationBand,
  errorRateBand,
  pagesBand,
  previousPeriod,
  sessionVitals,
  userKey,
  VITAL_THRESHOLDS,
  vitalRating,
  type KpiAccumulator,
  type KpiOptions,
  type SessionVitals,
} from './kpis';
export { kpiCards, formatP75, type KpiCard, type Tone } from './kpiCards';
export { cohortsBy, deviceKey, novelSessions, NOVELTY_LOOKBACK_MS, regionKey, returningSessions, segmentPerformance, type CohortOptions, type Novelty } from './cohorts';
export { latestVersionChange, qualityViews, type QualityView } from './qualityViews';
export { createSearchIndex, eventTexts, loadSearchIndex, type SearchIndexJSON, type SessionSearchIndex } from './searchIndex';
export { toHar, type Har, type HarOptions } from './detail/har';
export { toCurl } from './detail/curl';
export { toBugReport, type BugReportOptions } from './detail/bugReport';
export { toPlaywrightTest } from './detail/playwright';
export { sessionSteps, type Step } from './detail/steps';
export { waterfallRows, type Waterfall, type WaterfallRow } from './detail/waterfall';
export { networkDetail, SECRET_HEADERS, type NetworkDetail } from './detail/networkDetail';
