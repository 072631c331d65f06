/**
 * The dashboard's filters as pure functions over session records: whether a session matches, and the counts
 * each filter widget shows (every facet counted with the other facets applied, as faceted search does).
 */
import {
  DURATION_PRESETS,
  ERROR_COUNT_PRESETS,
  FACET_KEYS,
  SDK_LABELS,
  TIME_RANGE_MS,
  TIME_RANGE_PRESETS,
  UNKNOWN_VALUE,
} from '../../sdk/schema';
import type {
  DurationFilter,
  ErrorCountFilter,
  FacetCounts,
  FacetKey,
  FacetValue,
  SessionFilter,
  SessionRecord,
  TimeRange,
} from '../../sdk/schema';

export const MINUTE = 60_000;

/** What matching needs beyond the session itself: the search index's answer and the novelty sets. */
export interface FilterContext {
  /** Sessions the search index found for `filter.search`; required when the filter has a search... */
  searchHits?: ReadonlySet<string>;
  /**
   * ...unless the question is answered from columns (columnAnswers.ts) and the host gives the hits as rows instead:
   * 1 at each row of the columns it was computed over (the extension's search answers with session keys, which its
   * dashboard turns into rows by a table of numbers).
   */
  searchRows?: Uint8Array;
  /** Sessions whose region / device is new (see `novelSessions` in cohorts.ts); required with `filter.novelty`. */
  newRegion?: ReadonlySet<string>;
  newDevice?: ReadonlySet<string>;
}

/** [from, to) in UTC ms for a range at `now`. */
export function rangeBounds(range: TimeRange, now: number): { from: number; to: number } {
  if (range.preset === 'custom') return { from: range.from, to: range.to };
  return { from: now - TIME_RANGE_MS[range.preset], to: now + 1 };
}

/** Whether the filter's sessions change with the clock alone: a relative time range ("past 7 days") moves with `now`. */
export function movesWithClock(filter: Pick<SessionFilter, 'time'>): boolean {
  return !!filter.time && filter.time.preset !== 'custom';
}

export const durationOf = (session: Pick<SessionRecord, 'startedAt' | 'lastEventAt'>): number =>
  Math.max(0, session.lastEventAt - session.startedAt);

function known(value: string | null | undefined): string {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  return trimmed || UNKNOWN_VALUE;
}

/** The value a session shows in each facet widget. */
export function facetValue(session: SessionRecord, key: FacetKey): string {
  switch (key) {
    case 'userEmail':
      return known(typeof session.user?.email === 'string' ? session.user.email : null);
    case 'country':
      return known(session.geo.country);
    case 'city':
      return known(session.geo.city);
    case 'browser':
      return known(session.browser.name);
    case 'os':
      return known(session.os.name);
    case 'deviceType':
      return known(session.deviceType);
    case 'env':
      return known(session.app.env ?? session.defaults?.env);
    case 'version':
      return known(session.app.version);
    case 'site':
      return known(session.site);
    case 'sdk':
      return SDK_LABELS[session.sdk?.name ?? 'rumscope'];
  }
}

/**
 * A record's facet values, derived once per record (records are never changed in place: a changed session is a new
 * record) and interned: `ids[k]` numbers the value of FACET_KEYS[k] among every value of that key seen so far, so
 * that counting a facet is an array increment, not a string key's map lookup.
 */
export interface FacetFacts {
  values: readonly string[];
  ids: Int32Array;
}

const FACET_INDEX = new Map<FacetKey, number>(FACET_KEYS.map((key, i) => [key, i]));
/** Interned strings: value → id and id → value. Grows with the distinct values seen. */
export interface InternTable {
  readonly ids: Map<string, number>;
  readonly values: string[];
}

export const internTable = (): InternTable => ({ ids: new Map(), values: [] });

/** The id of `value` in `table`, added if new. */
export function intern(table: InternTable, value: string): number {
  let id = table.ids.get(value);
  if (id === undefined) {
    id = table.values.length;
    table.values.push(value);
    table.ids.set(value, id);
  }
  return id;
}

/** Per facet key: value → id, and id → value. Grows with the distinct values seen (a few per key, or one per user email). */
const interned = FACET_KEYS.map(() => internTable());
const factsOfRecord = new WeakMap<SessionRecord, FacetFacts>();

export function facetFacts(session: SessionRecord): FacetFacts {
  let facts = factsOfRecord.get(session);
  if (facts) return facts;
  facts = internFacets(session);
  factsOfRecord.set(session, facts);
  return facts;
}

/**
 * A record's facet values and their interned ids, not kept: for a holder of many records that keeps them itself (a
 * WeakMap of 100,000 records makes every full garbage collection of the page slow: its entries are marked apart).
 */
export function internFacets(session: SessionRecord): FacetFacts {
  const values = FACET_KEYS.map((key) => facetValue(session, key));
  const ids = new Int32Array(values.length);
  values.forEach((value, k) => (ids[k] = intern(interned[k]!, value)));
  return { values, ids };
}

/** The value a session shows in a facet widget, derived once per record (see facetValue). */
export const cachedFacetValue = (session: SessionRecord, key: FacetKey): string => facetFacts(session).values[FACET_INDEX.get(key)!]!;

export function matchesErrorCount(errors: number, filter: ErrorCountFilter): boolean {
  switch (filter.preset) {
    case 'none':
      return errors === 0;
    case 'some':
      return errors > 0;
    case 'many':
      return errors > 5;
    case 'critical':
      return errors > 10;
    case 'custom':
      return (filter.min === null || errors >= filter.min) && (filter.max === null || errors <= filter.max);
  }
}

export function matchesDuration(ms: number, filter: DurationFilter): boolean {
  switch (filter.preset) {
    case 'short':
      return ms < MINUTE;
    case 'medium':
      return ms >= MINUTE && ms <= 10 * MINUTE;
    case 'long':
      return ms > 10 * MINUTE;
    case 'custom':
      return (filter.minMs === null || ms >= filter.minMs) && (filter.maxMs === null || ms <= filter.maxMs);
  }
}

/** The lower-case text a user email must contain, '' for none. */
export const emailNeedle = (filter: Pick<SessionFilter, 'userEmailContains'>): string => filter.userEmailContains?.trim().toLowerCase() ?? '';

export const ERROR_PRESET_FILTERS = ERROR_COUNT_PRESETS.map((preset) => ({ preset }));
export const DURATION_PRESET_FILTERS = DURATION_PRESETS.map((preset) => ({ preset }));

/** The parts of a filter a session can fail, one bit each; facets are counted with every other part applied. */
export type Part = 'time' | 'email' | 'errors' | 'duration' | 'novelty' | 'search' | FacetKey;

function compile(filter: SessionFilter, now: number, context: FilterContext): [Part, (s: SessionRecord) => boolean][] {
  const parts: [Part, (s: SessionRecord) => boolean][] = [];
  if (filter.time) {
    const { from, to } = rangeBounds(filter.time, now);
    parts.push(['time', (s) => s.startedAt >= from && s.startedAt < to]);
  }
  const needle = emailNeedle(filter);
  if (needle) {
    parts.push(['email', (s) => typeof s.user?.email === 'string' && s.user.email.toLowerCase().includes(needle)]);
  }
  const errors = filter.errors;
  if (errors) parts.push(['errors', (s) => matchesErrorCount(s.counts.errors, errors)]);
  const duration = filter.duration;
  if (duration) parts.push(['duration', (s) => matchesDuration(durationOf(s), duration)]);
  for (const key of FACET_KEYS) {
    const selected = filter[key];
    if (!selected || selected.length === 0) continue;
    const set = new Set<string>(selected);
    const k = FACET_INDEX.get(key)!;
    parts.push([key, (s) => set.has(facetFacts(s).values[k]!)]);
  }
  if (filter.novelty) {
    const { newRegion, newDevice } = context;
    if (!newRegion || !newDevice) throw new Error('filter.novelty needs context.newRegion and context.newDevice (novelSessions)');
    const novelty = filter.novelty;
    parts.push([
      'novelty',
      (s) =>
        novelty === 'region' ? newRegion.has(s.id) : novelty === 'device' ? newDevice.has(s.id) : newRegion.has(s.id) || newDevice.has(s.id),
    ]);
  }
  if (filter.search?.trim()) {
    const hits = context.searchHits;
    if (!hits) throw new Error('filter.search needs context.searchHits (the search index answers it)');
    parts.push(['search', (s) => hits.has(s.id)]);
  }
  return parts;
}

/** Whether a session matches every part of the filter at time `now` (UTC ms). */
export function matchesFilter(session: SessionRecord, filter: SessionFilter, now: number, context: FilterContext = {}): boolean {
  return compile(filter, now, context).every(([, test]) => test(session));
}

/** A matcher compiled once, for filtering many sessions. */
export function createMatcher(filter: SessionFilter, now: number, context: FilterContext = {}): (session: SessionRecord) => boolean {
  const tests = compile(filter, now, context).map(([, test]) => test);
  return (session) => {
    for (const test of tests) if (!test(session)) return false;
    return true;
  };
}

/** The same order as String.prototype.localeCompare (the default locale's), without making a collator per comparison. */
const collator = new Intl.Collator();

/** How many values of FACET_KEYS[k] are interned (every id a record's facts hold is below it). */
export const internedCount = (k: number): number => interned[k]!.values.length;

/** Every interned value of FACET_KEYS[k], by id (a copy). */
export const internedValues = (k: number): string[] => [...interned[k]!.values];

/** The id of a value of FACET_KEYS[k], interned if new (a kept snapshot's values are put back this way). */
export const internFacetValue = (k: number, value: string): number => intern(interned[k]!, value);

/** The interned id of a value of FACET_KEYS[k]; undefined when no record seen had it. */
export const internedId = (k: number, value: string): number | undefined => interned[k]!.ids.get(value);

/** Values with a count above 0, most first, then by name. `counts[id]` is the count of the key's interned value `id`. */
export function sortedInterned(k: number, counts: ArrayLike<number>): FacetValue[] {
  const names = interned[k]!.values;
  const out: FacetValue[] = [];
  for (let id = 0; id < counts.length; id++) if (counts[id]! > 0) out.push({ value: names[id]!, count: counts[id]! });
  return out.sort((a, b) => b.count - a.count || collator.compare(a.value, b.value));
}

/** Facet counts kept live: sessions are put (added or replaced) and removed, counts read at any time. */
export interface FacetCounter {
  put(session: SessionRecord): void;
  remove(sessionId: string): void;
  counts(): FacetCounts;
  /**
   * Moves the counter's `now` forward: only the sessions whose start crossed a time boundary (a preset's
   * start, or `now` itself) between the two are counted again; `startedIn(from, to)` gives the held sessions
   * that started in [from, to). The other sessions count the same at either time.
   */
  advance(now: number, startedIn: (from: number, to: number) => Iterable<SessionRecord>): void;
}

/** The time boundaries a count at `now` depends on: each preset's start, and `now` itself (a start after it does not count). */
export function timeWindowsCrossed(from: number, to: number): [number, number][] {
  if (!(to > from)) return [];
  return [...Object.values(TIME_RANGE_MS).map((ms): [number, number] => [from - ms, to - ms]), [from, to + 1]];
}

/**
 * Counts for every widget, kept incrementally. A facet's counts apply every part of the filter except that
 * facet's own, so selecting "Chrome" still shows how many Firefox sessions there are. The filter and the
 * context are fixed for the counter's life (make a new one when they change); `now` moves with `advance`.
 */
export function createFacetCounter(filter: SessionFilter, now: number, context: FilterContext = {}): FacetCounter {
  interface Compiled {
    now: number;
    tests: ((s: SessionRecord) => boolean)[];
    /** Per FACET_KEYS index, the index of that facet's own part (-1: the filter has none); then time, errors, duration. */
    facetPart: Int32Array;
    timePart: number;
    errorsPart: number;
    durationPart: number;
  }
  const compileAt = (at: number): Compiled => {
    const parts = compile(filter, at, context);
    const partIndex = new Map(parts.map(([part], i) => [part, i]));
    const index = (part: Part) => partIndex.get(part) ?? -1;
    return {
      now: at,
      tests: parts.map(([, test]) => test),
      facetPart: Int32Array.from(FACET_KEYS, index),
      timePart: index('time'),
      errorsPart: index('errors'),
      durationPart: index('duration'),
    };
  };
  let current = compileAt(now);
  /** Per FACET_KEYS index: count per interned value id. */
  const facetCounts: number[][] = FACET_KEYS.map(() => []);
  const time = Object.fromEntries(TIME_RANGE_PRESETS.map((p) => [p, 0])) as FacetCounts['time'];
  const errors = Object.fromEntries(ERROR_COUNT_PRESETS.map((p) => [p, 0])) as FacetCounts['errors'];
  const duration = Object.fromEntries(DURATION_PRESETS.map((p) => [p, 0])) as FacetCounts['duration'];
  /** Each session with the `now` it was counted at (removing it subtracts exactly what was added). */
  const sessions = new Map<string, { session: SessionRecord; at: Compiled }>();
  let total = 0;

  const apply = (session: SessionRecord, at: Compiled, sign: 1 | -1) => {
    const { tests } = at;
    // The one part it fails, -1 if none; more than one failure counts nowhere.
    let failed = -1;
    let failures = 0;
    for (let i = 0; i < tests.length && failures < 2; i++) {
      if (!tests[i]!(session)) {
        failed = i;
        failures++;
      }
    }
    if (failures > 1) return;
    if (failures === 0) total += sign;
    const { ids } = facetFacts(session);
    for (let k = 0; k < ids.length; k++) {
      if (failed !== -1 && failed !== at.facetPart[k]) continue;
      const counts = facetCounts[k]!;
      const id = ids[k]!;
      counts[id] = (counts[id] ?? 0) + sign;
    }
    if (failed === -1 || failed === at.timePart) {
      for (const preset of TIME_RANGE_PRESETS) if (session.startedAt >= at.now - TIME_RANGE_MS[preset] && session.startedAt <= at.now) time[preset] += sign;
    }
    if (failed === -1 || failed === at.errorsPart) {
      for (const filter of ERROR_PRESET_FILTERS) if (matchesErrorCount(session.counts.errors, filter)) errors[filter.preset] += sign;
    }
    if (failed === -1 || failed === at.durationPart) {
      const ms = durationOf(session);
      for (const filter of DURATION_PRESET_FILTERS) if (matchesDuration(ms, filter)) duration[filter.preset] += sign;
    }
  };

  const put = (session: SessionRecord) => {
    const old = sessions.get(session.id);
    if (old) apply(old.session, old.at, -1);
    sessions.set(session.id, { session, at: current });
    apply(session, current, 1);
  };

  return {
    put,
    remove(sessionId) {
      const old = sessions.get(sessionId);
      if (!old) return;
      apply(old.session, old.at, -1);
      sessions.delete(sessionId);
    },
    advance(next, startedIn) {
      if (next === current.now) return;
      const windows = next > current.now ? timeWindowsCrossed(current.now, next) : timeWindowsCrossed(next, current.now);
      current = compileAt(next);
      const again = new Set<string>();
      for (const [from, to] of windows) for (const s of startedIn(from, to)) again.add(s.id);
      for (const id of again) {
        const held = sessions.get(id);
        if (held) put(held.session);
      }
    },
    counts: () => ({
      facets: Object.fromEntries(FACET_KEYS.map((key, k) => [key, sortedInterned(k, facetCounts[k]!)])) as unknown as FacetCounts['facets'],
      time: { ...time },
      errors: { ...errors },
      duration: { ...duration },
      total,
    }),
  };
}

/** Counts for every widget over a set of sessions in one pass (see createFacetCounter). */
export function facetCounts(sessions: Iterable<SessionRecord>, filter: SessionFilter, now: number, context: FilterContext = {}): FacetCounts {
  const counter = createFacetCounter(filter, now, context);
  for (const session of sessions) counter.put(session);
  return counter.counts();
}

/** True when the filter narrows nothing. */
export function isEmptyFilter(filter: SessionFilter): boolean {
  return Object.values(filter).every((value) => value === undefined || value === '' || (Array.isArray(value) && value.length === 0));
}
