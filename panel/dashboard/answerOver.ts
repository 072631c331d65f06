/**
 * The dashboard's questions (facet counts, KPIs with the previous period) answered over a set of session
 * records held in memory. Each host decides which records it holds (the extension: all of them, kept current by
 * the change feed; the team server's HTTP source: the most recent ones it fetched); the answers are the same.
 */
import type { CohortQuery, CohortReport, FacetCounts, KpiReport, SegmentDimension, SessionRecord } from '../../sdk/schema';
import type { KpiQueryOptions, SessionFilter } from '../source/SessionSource';
import { cohortsBy, novelSessions, segmentPerformance } from './cohorts';
import { latestVersionChange } from './qualityViews';
import { createMatcher, facetCounts, rangeBounds, type FilterContext } from './filter';
import { comparison, createKpiAccumulator, previousPeriod } from './kpis';

/** Search hits, when the filter has search text (the host's index answers). */
export type SearchIds = (text: string) => Promise<Set<string>> | Set<string>;

async function contextFor(all: readonly SessionRecord[], filter: SessionFilter, now: number, searchIds?: SearchIds): Promise<FilterContext> {
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

/** The sessions that match every part of the filter (`withoutTime`: all but its time preset). */
export async function matchingOver(all: readonly SessionRecord[], filter: SessionFilter, now: number, searchIds?: SearchIds, withoutTime = false): Promise<SessionRecord[]> {
  const { startedFrom: _from, startedBefore: _before, ...rest } = filter;
  if (withoutTime) delete rest.time;
  const match = createMatcher(rest, now, await contextFor(all, filter, now, searchIds));
  const inBounds = withinBounds(filter);
  return all.filter((s) => inBounds(s) && match(s));
}

export async function facetsOver(all: readonly SessionRecord[], filter: SessionFilter, now: number, searchIds?: SearchIds): Promise<FacetCounts> {
  const { startedFrom: _from, startedBefore: _before, ...rest } = filter;
  const context = await contextFor(all, { ...rest }, now, searchIds);
  return facetCounts(all.filter(withinBounds(filter)), rest, now, context);
}

export async function kpisOver(all: readonly SessionRecord[], filter: SessionFilter, options: KpiQueryOptions, now: number, searchIds?: SearchIds): Promise<KpiReport> {
  // Every part of the filter but time; the periods are applied here (the current one and the one before).
  const base = await matchingOver(all, filter, now, searchIds, true);
  const current = createKpiAccumulator(options);
  if (!filter.time) {
    for (const s of base) current.put(s);
    return { summary: current.summary(), daily: current.daily(), comparison: null, versionChange: latestVersionChange(all) };
  }
  const period = previousPeriod(filter.time, now);
  const previous = createKpiAccumulator(options);
  for (const s of base) {
    if (s.startedAt >= period.from && s.startedAt < period.to) current.put(s);
    else if (s.startedAt >= period.previousFrom && s.startedAt < period.previousTo) previous.put(s);
  }
  const summary = current.summary();
  return { summary, daily: current.daily(), comparison: comparison(summary, previous.summary(), period), versionChange: latestVersionChange(all) };
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
