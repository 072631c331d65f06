/**
 * The dashboard's answers over SessionColumns: which rows match a filter, the facet counts every widget shows and
 * the KPIs with the previous period. The same answers as filter.ts and kpis.ts give over records (tests compare
 * them), in one pass of typed-array reads, so the host can answer each question from scratch instead of keeping
 * accumulators per question.
 */
import { DURATION_PRESETS, ERROR_COUNT_PRESETS, FACET_KEYS, TIME_RANGE_MS, TIME_RANGE_PRESETS, UNKNOWN_VALUE } from '../../sdk/schema';
import type { FacetCounts, KpiReport, VersionChange } from '../../sdk/schema';
import type { SessionFilter, SessionSort } from '../source/SessionSource';
import {
  emailNeedle,
  internedCount,
  internedId,
  internedValues,
  matchesDuration,
  matchesErrorCount,
  MINUTE,
  rangeBounds,
  sortedInterned,
  type FilterContext,
  type Part,
} from './filter';
import { comparison, dayStart, KPI_VITALS, kpiDay, kpiSummary, previousPeriod, vitalSummaryUnsorted, type DayTotals, type KpiOptions, type KpiTotals } from './kpis';
import { EMAILS, SORT_EMAILS, SORT_LOCATIONS, USERS, type SessionColumns } from './sessionColumns';
import type { InternTable } from './filter';

/**
 * Which rows a set of ids names, per columns: a search's hits are tested by the list, its count, the facets and
 * the KPIs; one pass of id lookups serves them all while the rows are the same.
 */
const rowMasks = new WeakMap<ReadonlySet<string>, { columns: SessionColumns; version: number; mask: Uint8Array }>();
function rowMask(cols: SessionColumns, ids: ReadonlySet<string>): Uint8Array {
  const kept = rowMasks.get(ids);
  if (kept && kept.columns === cols && kept.version === cols.version) return kept.mask;
  const { ids: rowIds, size } = cols;
  const mask = new Uint8Array(size);
  for (let row = 0; row < size; row++) if (ids.has(rowIds[row]!)) mask[row] = 1;
  rowMasks.set(ids, { columns: cols, version: cols.version, mask });
  return mask;
}

/** One part of a filter: 1 at each row of [first, end) that passes it (rows outside are not set). */
type PartMask = [Part, Uint8Array];

// One small loop per kind of part, each always given the same kinds of arrays: the passes over the rows read masks
// only. (They called one closure per part and row before: a call site that saw a new closure with each filter, whose
// optimized code was thrown away again and again: 50–90 ms for one facet count in the panel against 8 ms warm.)
function errorsMask(mask: Uint8Array, errors: Int32Array, filter: NonNullable<SessionFilter['errors']>, first: number, end: number) {
  for (let row = first; row < end; row++) mask[row] = matchesErrorCount(errors[row]!, filter) ? 1 : 0;
}
function durationMask(mask: Uint8Array, durationMs: Float64Array, filter: NonNullable<SessionFilter['duration']>, first: number, end: number) {
  for (let row = first; row < end; row++) mask[row] = matchesDuration(durationMs[row]!, filter) ? 1 : 0;
}
/** Rows whose interned value (-1: none) is one of `selected` (1 at its id). */
function valueMask(mask: Uint8Array, column: Int32Array, selected: Uint8Array, first: number, end: number) {
  for (let row = first; row < end; row++) {
    const value = column[row]!;
    mask[row] = value >= 0 && selected[value] === 1 ? 1 : 0;
  }
}

/**
 * Typed arrays kept between questions, per use and slot, grown by half when too short: each answer uses them before it
 * returns, and a new array per question is memory outside the heap, whose growth sets off full collections of a heap
 * that holds every record (in the panel: ~130 ms for the KPIs' rows of 49,000 sessions, 130–300 ms collections).
 */
function kept<T extends Uint8Array | Int32Array | Float64Array>(pool: T[], slot: number, size: number, make: (length: number) => T): T {
  const array = pool[slot];
  if (array && array.length >= size) return array;
  return (pool[slot] = make(Math.max(size, Math.ceil((array?.length ?? 0) * 1.5))));
}
const newUint8 = (length: number) => new Uint8Array(length);

/** The masks of one answer, by part. */
const maskPool: Uint8Array[] = [];

/** A filter's parts as row masks over [first, end) (the same parts, and the same meaning, as filter.ts's compile). */
function compileRows(cols: SessionColumns, filter: SessionFilter, now: number, context: FilterContext, first: number, end: number): PartMask[] {
  const parts: PartMask[] = [];
  const size = cols.size;
  /** The next mask of this answer, at least `size` long; its rows are all written before they are read. */
  const newMask = () => kept(maskPool, parts.length, size, newUint8);
  if (filter.time) {
    const { from, to } = rangeBounds(filter.time, now);
    // Rows are in start order: the range's rows are one run.
    const mask = newMask();
    const a = Math.max(first, cols.firstFrom(from));
    const b = Math.min(end, cols.firstFrom(to));
    mask.fill(0, first, end);
    if (b > a) mask.fill(1, a, b);
    parts.push(['time', mask]);
  }
  const needle = emailNeedle(filter);
  if (needle) {
    // Each distinct email is tested once.
    const hit = Uint8Array.from(EMAILS.values, (email) => (email.toLowerCase().includes(needle) ? 1 : 0));
    const mask = newMask();
    valueMask(mask, cols.email, hit, first, end);
    parts.push(['email', mask]);
  }
  if (filter.errors) {
    const mask = newMask();
    errorsMask(mask, cols.errors, filter.errors, first, end);
    parts.push(['errors', mask]);
  }
  if (filter.duration) {
    const mask = newMask();
    durationMask(mask, cols.durationMs, filter.duration, first, end);
    parts.push(['duration', mask]);
  }
  FACET_KEYS.forEach((key, k) => {
    const selected = filter[key];
    if (!selected || selected.length === 0) return;
    // Which interned values are selected; a value no record has is not interned, and matches no row.
    const ids = new Uint8Array(internedCount(k));
    for (const value of selected) {
      const id = internedId(k, value);
      if (id !== undefined) ids[id] = 1;
    }
    const mask = newMask();
    valueMask(mask, cols.facets[k]!, ids, first, end);
    parts.push([key, mask]);
  });
  if (filter.novelty) {
    const { newRegion, newDevice } = context;
    if (!newRegion || !newDevice) throw new Error('filter.novelty needs context.newRegion and context.newDevice (novelSessions)');
    const region = filter.novelty === 'device' ? null : rowMask(cols, newRegion);
    const device = filter.novelty === 'region' ? null : rowMask(cols, newDevice);
    const mask = newMask();
    for (let row = first; row < end; row++) mask[row] = region?.[row] === 1 || device?.[row] === 1 ? 1 : 0;
    parts.push(['novelty', mask]);
  }
  if (filter.search?.trim()) {
    const hits = context.searchHits;
    if (!hits && !context.searchRows) throw new Error('filter.search needs context.searchHits or searchRows (the search index answers it)');
    // Kept per hits and rows, and only read here.
    parts.push(['search', context.searchRows ?? rowMask(cols, hits!)]);
  }
  return parts;
}

const masksOf = (parts: PartMask[]) => parts.map(([, mask]) => mask);

/** Rows within the filter's absolute start bounds: [first, end). */
function boundRows(cols: SessionColumns, filter: SessionFilter): [number, number] {
  const first = filter.startedFrom === undefined ? 0 : cols.firstFrom(filter.startedFrom);
  const end = filter.startedBefore === undefined ? cols.size : cols.firstFrom(filter.startedBefore);
  return [first, Math.max(first, end)];
}

/** The rows matching every part of the filter, in start order (the host reads the records of those it shows). */
export function matchingRows(cols: SessionColumns, filter: SessionFilter, now: number, context: FilterContext = {}): number[] {
  const { startedFrom: _from, startedBefore: _before, ...rest } = filter;
  const [first, end] = boundRows(cols, filter);
  const masks = masksOf(compileRows(cols, rest, now, context, first, end));
  const out: number[] = [];
  rows: for (let row = first; row < end; row++) {
    for (let i = 0; i < masks.length; i++) if (masks[i]![row] === 0) continue rows;
    out.push(row);
  }
  return out;
}

/** Each interned id's place among the table's values in code-unit order (what `<` on the strings gives). */
function ranks(table: InternTable): Int32Array {
  const order = table.values.map((_, id) => id).sort((a, b) => (table.values[a]! < table.values[b]! ? -1 : table.values[a]! > table.values[b]! ? 1 : 0));
  const rank = new Int32Array(order.length);
  order.forEach((id, place) => (rank[id] = place));
  return rank;
}

/**
 * `rows` (row numbers) in the list's order by `sort`'s column: the order compareSessions (panel/source/sessionSort.ts)
 * gives the records, ties newest first, then by id.
 */
export function sortRows(cols: SessionColumns, rows: readonly number[], sort: SessionSort): number[] {
  const sign = sort.direction === 'asc' ? 1 : -1;
  const value = new Float64Array(rows.length);
  const fill = (read: (row: number) => number) => rows.forEach((row, i) => (value[i] = read(row)));
  switch (sort.key) {
    case 'startedAt':
      fill((row) => cols.startedAt[row]!);
      break;
    case 'timeSpent':
      fill((row) => cols.timeSpent[row]!);
      break;
    case 'errors':
      fill((row) => cols.errors[row]!);
      break;
    case 'email': {
      const rank = ranks(SORT_EMAILS);
      fill((row) => rank[cols.sortEmail[row]!]!);
      break;
    }
    case 'location': {
      const rank = ranks(SORT_LOCATIONS);
      fill((row) => rank[cols.sortLocation[row]!]!);
      break;
    }
  }
  const { startedAt, ids } = cols;
  const order = rows.map((_, i) => i);
  order.sort((i, j) => {
    const x = value[i]!;
    const y = value[j]!;
    if (x < y) return -sign;
    if (x > y) return sign;
    const a = rows[i]!;
    const b = rows[j]!;
    return startedAt[b]! - startedAt[a]! || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0);
  });
  return order.map((i) => rows[i]!);
}

/** The same answer as qualityViews.ts's latestVersionChange over the rows' records: the version whose first session is the newest. */
export function columnVersionChange(cols: SessionColumns): VersionChange | null {
  const k = FACET_KEYS.indexOf('version');
  const column = cols.facets[k]!;
  const values = internedValues(k);
  const first = new Float64Array(values.length).fill(Infinity);
  // Rows are in start order: a value's first row is its first session.
  for (let row = cols.size - 1; row >= 0; row--) first[column[row]!] = cols.startedAt[row]!;
  const byFirst: [string, number][] = [];
  values.forEach((value, id) => {
    if (value !== UNKNOWN_VALUE && first[id]! !== Infinity) byFirst.push([value, first[id]!]);
  });
  byFirst.sort(([, a], [, b]) => b - a);
  if (byFirst.length < 2) return null;
  return { version: byFirst[0]![0], since: byFirst[0]![1], previous: byFirst[1]![0] };
}

const PASSES = -1;
const FAILS_MORE = -2;
const statePool: Int32Array[] = [];

/** Per row of [first, end): PASSES, FAILS_MORE, or the index of the one mask it fails (kept array: read it now). */
function rowStates(masks: readonly Uint8Array[], first: number, end: number): Int32Array {
  const state = kept(statePool, 0, end, (length) => new Int32Array(length));
  if (masks.length === 0) state.fill(PASSES, first, end);
  else if (masks.length === 1) {
    const mask = masks[0]!;
    for (let row = first; row < end; row++) state[row] = mask[row] === 1 ? PASSES : 0;
  } else {
    for (let row = first; row < end; row++) {
      let failed = PASSES;
      for (let i = 0; i < masks.length; i++) {
        if (masks[i]![row] === 1) continue;
        if (failed !== PASSES) {
          failed = FAILS_MORE;
          break;
        }
        failed = i;
      }
      state[row] = failed;
    }
  }
  return state;
}

/** Rows passing every part, listed (kept array). */
const passPool: Int32Array[] = [];

/** Adds one facet's values (interned ids; -1: none) at rows [first, end). */
function countRange(counts: Int32Array, column: Int32Array, first: number, end: number) {
  for (let row = first; row < end; row++) {
    const value = column[row]!;
    if (value >= 0) counts[value]!++;
  }
}
/** … at the first `n` rows listed. */
function countRows(counts: Int32Array, column: Int32Array, rows: Int32Array, n: number) {
  for (let i = 0; i < n; i++) {
    const value = column[rows[i]!]!;
    if (value >= 0) counts[value]!++;
  }
}
/** … at the rows of [first, end) that fail `part` only. */
function countFailing(counts: Int32Array, column: Int32Array, state: Int32Array, part: number, first: number, end: number) {
  for (let row = first; row < end; row++) {
    if (state[row] !== part) continue;
    const value = column[row]!;
    if (value >= 0) counts[value]!++;
  }
}

/**
 * Counts for every widget (as filter.ts's createFacetCounter): a facet's counts apply every part of the filter but
 * that facet's own; only the rows within the absolute start bounds count.
 */
export function columnFacetCounts(cols: SessionColumns, filter: SessionFilter, now: number, context: FilterContext = {}): FacetCounts {
  const { startedFrom: _from, startedBefore: _before, ...rest } = filter;
  const [first, end] = boundRows(cols, filter);
  const parts = compileRows(cols, rest, now, context, first, end);
  const masks = masksOf(parts);
  const index = (part: Part) => parts.findIndex(([p]) => p === part);
  const facetPart = Int32Array.from(FACET_KEYS, index);
  const timePart = index('time');
  const errorsPart = index('errors');
  const durationPart = index('duration');
  const counts = FACET_KEYS.map((_, k) => new Int32Array(internedCount(k)));
  const { startedAt, errors, durationMs, facets } = cols;
  const keys = facets.length;
  let total = 0;
  // The time options: rows are in start order, so an option's rows (started in [now - its span, now]) are one range of
  // rows, and its count is how many rows counted for time lie in that range: a running count, read at each range's
  // first row and at the end (one comparison per row, not one per option).
  const clamp = (row: number) => Math.min(end, Math.max(first, row));
  let endNow = cols.firstFrom(now);
  while (endNow < cols.size && startedAt[endNow]! <= now) endNow++;
  const rangeFirst = TIME_RANGE_PRESETS.map((preset) => clamp(cols.firstFrom(now - TIME_RANGE_MS[preset])));
  const rangeEnd = clamp(endNow);
  const checkpoints = [...new Set([...rangeFirst, rangeEnd])].sort((a, b) => a - b);
  const countedBefore = new Map<number, number>();
  let nextCheckpoint = 0;
  let timeCounted = 0;
  // The error and duration options by band, each row in one band: a row with 7 errors counts for "> 0" and "> 5".
  // The same bands as matchesErrorCount / matchesDuration (filter.ts) give the presets; the specs compare the two.
  let errorsNone = 0;
  let errorsToFive = 0;
  let errorsToTen = 0;
  let errorsOverTen = 0;
  let short = 0;
  let medium = 0;
  let long = 0;
  // Each row's state: PASSES every part, FAILS_MORE than one (counts nowhere), or the index of the one part it fails.
  const state = rowStates(masks, first, end);
  // Then each facet, column by column: its values at the rows that pass (listed once), and for a facet of the filter,
  // at the rows that fail its own part only. A search's or a narrow filter's facets read its rows only.
  const passing = kept(passPool, 0, end - first, (length) => new Int32Array(length));
  for (let row = first; row < end; row++) if (state[row] === PASSES) passing[total++] = row;
  for (let k = 0; k < keys; k++) {
    if (total === end - first) countRange(counts[k]!, facets[k]!, first, end);
    else countRows(counts[k]!, facets[k]!, passing, total);
    if (facetPart[k]! >= 0) countFailing(counts[k]!, facets[k]!, state, facetPart[k]!, first, end);
  }
  for (let row = first; row < end; row++) {
    while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint] === row) countedBefore.set(checkpoints[nextCheckpoint++]!, timeCounted);
    const failed = state[row]!;
    if (failed === FAILS_MORE) continue;
    if (failed === PASSES || failed === timePart) timeCounted++;
    if (failed === PASSES || failed === errorsPart) {
      const e = errors[row]!;
      if (e === 0) errorsNone++;
      else if (e > 10) errorsOverTen++;
      else if (e > 5) errorsToTen++;
      else if (e > 0) errorsToFive++;
    }
    if (failed === PASSES || failed === durationPart) {
      const ms = durationMs[row]!;
      if (ms < MINUTE) short++;
      else if (ms <= 10 * MINUTE) medium++;
      else if (ms > 10 * MINUTE) long++;
    }
  }
  while (nextCheckpoint < checkpoints.length) countedBefore.set(checkpoints[nextCheckpoint++]!, timeCounted);
  const time = Float64Array.from(rangeFirst, (from) => (rangeEnd > from ? countedBefore.get(rangeEnd)! - countedBefore.get(from)! : 0));
  const byBand: Record<(typeof ERROR_COUNT_PRESETS)[number] | (typeof DURATION_PRESETS)[number], number> = {
    none: errorsNone,
    some: errorsToFive + errorsToTen + errorsOverTen,
    many: errorsToTen + errorsOverTen,
    critical: errorsOverTen,
    short,
    medium,
    long,
  };
  const errorCounts = Float64Array.from(ERROR_COUNT_PRESETS, (preset) => byBand[preset]);
  const durationCounts = Float64Array.from(DURATION_PRESETS, (preset) => byBand[preset]);
  const byPreset = <P extends string>(presets: readonly P[], values: Float64Array) => Object.fromEntries(presets.map((p, i) => [p, values[i]!])) as Record<P, number>;
  return {
    facets: Object.fromEntries(FACET_KEYS.map((key, k) => [key, sortedInterned(k, counts[k]!)])) as unknown as FacetCounts['facets'],
    time: byPreset(TIME_RANGE_PRESETS, time),
    errors: byPreset(ERROR_COUNT_PRESETS, errorCounts),
    duration: byPreset(DURATION_PRESETS, durationCounts),
    total,
  };
}

const KPI_VITAL_INDEX = new Map(KPI_VITALS.map((name, i) => [name, i]));

/** Per period (slot 0: the period, 1: the one before): the rows added, and which users were seen. */
const addedPool: Int32Array[] = [];
const seenPool: Uint8Array[] = [];
/** The vital values of one summary. */
const valuePool: Float64Array[] = [];

/** KPI sums of rows added in start order (the days come in order: no map of days). */
function rowTotals(cols: SessionColumns, offsetMinutes: number, slot: 0 | 1) {
  const totals: KpiTotals = { sessions: 0, duration: 0, views: 0, actions: 0, errors: 0, errorSessions: 0, bounces: 0, users: 0, identified: 0 };
  const seenUser = kept(seenPool, slot, USERS.values.length, newUint8).fill(0, 0, USERS.values.length);
  const days: [number, DayTotals][] = [];
  // The rows added, for the vitals read at the end (one tight loop per vital over them).
  const added = kept(addedPool, slot, cols.size, (length) => new Int32Array(length));
  let addedCount = 0;
  const { startedAt, durationMs, views, actions, errors, user, vitals } = cols;
  let dayEnd = -Infinity;
  let day: DayTotals | null = null;
  const DAY = 86_400_000;
  return {
    add(row: number) {
      const duration = durationMs[row]!;
      const e = errors[row]!;
      const v = views[row]!;
      totals.sessions++;
      totals.duration += duration;
      totals.views += v;
      totals.actions += actions[row]!;
      totals.errors += e;
      if (e > 0) totals.errorSessions++;
      if (v <= 1 && actions[row] === 0) totals.bounces++;
      const u = user[row]!;
      if (u >= 0) {
        totals.identified++;
        if (!seenUser[u]) {
          seenUser[u] = 1;
          totals.users++;
        }
      }
      const at = startedAt[row]!;
      if (at >= dayEnd || !day) {
        const start = dayStart(at, offsetMinutes);
        day = { sessions: 0, errorSessions: 0, duration: 0, views: 0 };
        days.push([start, day]);
        dayEnd = start + DAY;
      }
      day.sessions++;
      if (e > 0) day.errorSessions++;
      day.duration += duration;
      day.views += v;
      added[addedCount++] = row;
    },
    summary: () => {
      // Each vital's measured values (NaN: not measured) of the rows added, in one scratch array.
      const values = kept(valuePool, 0, addedCount, (length) => new Float64Array(length));
      return kpiSummary(totals, (name) => {
        const column = vitals[KPI_VITAL_INDEX.get(name)!]!;
        let n = 0;
        for (let k = 0; k < addedCount; k++) {
          const value = column[added[k]!]!;
          if (value === value) values[n++] = value;
        }
        return vitalSummaryUnsorted(name, values.subarray(0, n));
      });
    },
    daily: () => days.map(([start, d]) => kpiDay(start, d)),
  };
}

/**
 * The KPIs of the rows matching the filter (as kpis.ts's createLiveKpis): with a time range, that period's and the
 * one before it; without, one period of every matching row.
 */
export function columnKpis(cols: SessionColumns, filter: SessionFilter, options: KpiOptions, now: number, context: FilterContext = {}): Omit<KpiReport, 'versionChange'> {
  const { startedFrom: _from, startedBefore: _before, time: range, ...rest } = filter;
  const [first, end] = boundRows(cols, filter);
  const masks = masksOf(compileRows(cols, rest, now, context, first, end));
  const offset = options.tzOffsetMinutes ?? 0;
  const current = rowTotals(cols, offset, 0);
  const previous = rowTotals(cols, offset, 1);
  const period = range ? previousPeriod(range, now) : null;
  const startedAt = cols.startedAt;
  rows: for (let row = first; row < end; row++) {
    const at = startedAt[row]!;
    if (period && (at < period.previousFrom || at >= period.to)) continue;
    for (let i = 0; i < masks.length; i++) if (masks[i]![row] === 0) continue rows;
    if (!period || at >= period.from) current.add(row);
    else if (at < period.previousTo) previous.add(row);
  }
  const summary = current.summary();
  return { summary, daily: current.daily(), comparison: period ? comparison(summary, previous.summary(), period) : null };
}
