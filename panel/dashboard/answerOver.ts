/**
 * The dashboard's questions (facet counts, KPIs with the previous period) answered over a set of session
 * records held in memory. Each host decides which records it holds (the extension: all of them, kept current by
 * the change feed; the team server's HTTP source: the most recent ones it fetched); the answers are the same.
 */
import type { CohortQuery, CohortReport, FacetCounts, KpiReport, SegmentDimension, SessionRecord } from '../../sdk/schema';
import type { KpiQueryOptions, SessionFilter } from '../source/SessionSource';
import { cohortsBy, novelSessions, segmentPerformance } from './cohorts';
import { latestVersionChange } from './qualityViews';
import { createMatcher, rangeBounds, type FilterContext } from './filter';
import { columnFacetCounts, columnKpis } from './columnAnswers';
import { createSessionColumns } from './sessionColumns';

/** Search hits, when the filter has search text (the host's index answers). */
export type SearchIds = (text: string) => Promise<Set<string>> | Set<string>;

/** What matching the filter needs beyond the records: the search's hits and the novelty sets (over `all`, the history). */
export async function filterContext(all: readonly SessionRecord[], filter: SessionFilter, now: number, searchIds?: SearchIds): Promise<FilterContext> {
  const context: FilterContext = {};
  if (filter.search?.trim()) {
    if (!searchIds) throw new Error('search is not available here');
    context.searchHits = await searchIds(filter.search);
  }
  if (filter.novelty) {
    const { from, to } = filter.time ? rangeBounds(filter.time, now) : { from: filter.startedFrom ?? -Infinity, to: filter.startedBefore ?? Infinity };
    const novelty = novelSessions(all, from, to);
    context.newRegion = novelty.newRegion;
    context.newDevice = novelty.newDevice;
  }
  return context;
}

const withinBounds = (filter: SessionFilter) => (s: SessionRecord) =>
  s.startedAt >= (filter.startedFrom ?? -Infinity) && s.startedAt < (filter.startedBefore ?? Infinity);

/** The sessions that match every part of the filter. */
export async function matchingOver(all: readonly SessionRecord[], filter: SessionFilter, now: number, searchIds?: SearchIds): Promise<SessionRecord[]> {
  const { startedFrom: _from, startedBefore: _before, ...rest } = filter;
  const match = createMatcher(rest, now, await filterContext(all, filter, now, searchIds));
  const inBounds = withinBounds(filter);
  return all.filter((s) => inBounds(s) && match(s));
}

/** The records as columns (sessionColumns.ts), for one answer. */
const columnsOf = (all: readonly SessionRecord[]) => createSessionColumns([...all].sort((a, b) => a.startedAt - b.startedAt));

export async function facetsOver(all: readonly SessionRecord[], filter: SessionFilter, now: number, searchIds?: SearchIds): Promise<FacetCounts> {
  return columnFacetCounts(columnsOf(all), filter, now, await filterContext(all, filter, now, searchIds));
}

export async function kpisOver(all: readonly SessionRecord[], filter: SessionFilter, options: KpiQueryOptions, now: number, searchIds?: SearchIds): Promise<KpiReport> {
  // The periods (the range and the one before it) are applied by the KPIs.
  const report = columnKpis(columnsOf(all), filter, options, now, await filterContext(all, filter, now, searchIds));
  return { ...report, versionChange: latestVersionChange(all) };
}

const SEGMENTS: readonly SegmentDimension[] = ['country', 'deviceType', 'browser', 'connection'];

/**
 * Cohorts and segments of the sessions matching the filter. `all` is the history too: returning users and new
 * regions look at sessions outside the filter. `featureIds`: the sessions that visited the feature's URL.
 */
export async function cohortsOver(
  all: readonly SessionRecord[],
  filter: SessionFilter,
  query: CohortQuery,
  now: number,
  searchIds?: SearchIds,
  featureIds?: (text: string) => Promise<Set<string>> | Set<string>,
): Promise<CohortReport> {
  const matched = await matchingOver(all, filter, now, searchIds);
  const ids = new Set(matched.map((s) => s.id));
  const options = { include: (s: SessionRecord) => ids.has(s.id), tzOffsetMinutes: query.tzOffsetMinutes ?? 0 };
  const feature = query.feature?.trim();
  let featureCohorts: CohortReport['cohorts']['feature'] = null;
  if (feature) {
    if (!featureIds) throw new Error('cohorts by feature need the search index');
    featureCohorts = cohortsBy(matched, 'feature', { ...options, featureSessions: await featureIds(feature), featureLabel: feature });
  }
  let novelty: CohortReport['novelty'] = null;
  if (filter.time) {
    const { from, to } = rangeBounds(filter.time, now);
    const found = novelSessions(all, from, to);
    novelty = { regions: found.regions, devices: found.devices };
  }
  return {
    cohorts: {
      version: cohortsBy(matched, 'version', options),
      weekday: cohortsBy(matched, 'weekday', options),
      userType: cohortsBy(all, 'userType', options),
      feature: featureCohorts,
    },
    segments: Object.fromEntries(SEGMENTS.map((d) => [d, segmentPerformance(matched, d)])) as CohortReport['segments'],
    versionChange: latestVersionChange(all),
    novelty,
  };
}
