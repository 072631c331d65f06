/**
 * The dashboard's questions (facet counts, KPIs with the previous period) answered over a set of session
 * records held in memory. Each host decides which records it holds (the extension: all of them, kept current by
 * the change feed; the team server's HTTP source: the most recent ones it fetched); the answers are the same.
 */
import type { FacetCounts, KpiReport, SessionRecord } from '../../sdk/schema';
import type { KpiQueryOptions, SessionFilter } from '../source/SessionSource';
import { novelSessions } from './cohorts';
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
    return { summary: current.summary(), daily: current.daily(), comparison: null };
  }
  const period = previousPeriod(filter.time, now);
  const previous = createKpiAccumulator(options);
  for (const s of base) {
    if (s.startedAt >= period.from && s.startedAt < period.to) current.put(s);
    else if (s.startedAt >= period.previousFrom && s.startedAt < period.previousTo) previous.put(s);
  }
  const summary = current.summary();
  return { summary, daily: current.daily(), comparison: comparison(summary, previous.summary(), period) };
}
