/**
 * The panel's SessionFilter and sort as the query parameters of GET /api/sessions and /api/sessions/count, both
 * ways: the dashboard's HTTP SessionSource writes them, the server reads them back (after its JSON schema,
 * below, has checked each one). Pure: bundled into the dashboard page too.
 *
 *   from, to              started at or after / before (UTC ms)           the source's absolute bounds
 *   range                 15m|1h|6h|24h|7d|30d (relative to the server's now), or custom with rangeFrom, rangeTo
 *   errors                none|some|many|critical, or custom with errorsMin, errorsMax (either may be left out)
 *   duration              short|medium|long, or custom with durationMinMs, durationMaxMs
 *   email                 the user's email contains (case-insensitive)
 *   user, country, city, browser, os, device, env, version, site, sdk   facet values, repeated (any of them)
 *   novelty               region|device|region-or-device
 *   q                     search text
 *   sort, direction       startedAt|timeSpent|errors|email|location, asc|desc
 */
import { DURATION_PRESETS, ERROR_COUNT_PRESETS, SDK_LABELS, SDK_NAMES, TIME_RANGE_PRESETS, type DeviceType, type FacetKey, type SdkName } from '../sdk/schema';
import type { SessionFilter } from '../panel/source/SessionSource';
import { SESSION_SORT_KEYS } from '../panel/source/SessionSource';
import { FACET_PARAMS } from '../panel/dashboard/filterParams';

type FacetParam = 'user' | 'country' | 'city' | 'browser' | 'os' | 'device' | 'env' | 'version' | 'site' | 'sdk';

export type SessionFilterParams = {
  from?: number;
  to?: number;
  range?: (typeof TIME_RANGE_PRESETS)[number] | 'custom';
  rangeFrom?: number;
  rangeTo?: number;
  errors?: (typeof ERROR_COUNT_PRESETS)[number] | 'custom';
  errorsMin?: number;
  errorsMax?: number;
  duration?: (typeof DURATION_PRESETS)[number] | 'custom';
  durationMinMs?: number;
  durationMaxMs?: number;
  email?: string;
  novelty?: 'region' | 'device' | 'region-or-device';
  q?: string;
} & { [P in FacetParam]?: string[] };

const ms = { type: 'integer', minimum: 0, maximum: 8_640_000_000_000_000 } as const;
const facet = { type: 'array', maxItems: 200, items: { type: 'string', maxLength: 2048 } } as const;

/** JSON schema of the filter parameters (Fastify coerces numbers, and one value of a facet into a list). */
export const SESSION_FILTER_PARAMS_SCHEMA = {
  from: { ...ms, description: 'Started at or after (UTC ms)' },
  to: { ...ms, description: 'Started before (UTC ms)' },
  range: { type: 'string', enum: [...TIME_RANGE_PRESETS, 'custom'], description: 'Started in the past 15m…30d (server time), or custom' },
  rangeFrom: { ...ms, description: 'range=custom: from (UTC ms, inclusive)' },
  rangeTo: { ...ms, description: 'range=custom: to (UTC ms, exclusive)' },
  errors: { type: 'string', enum: [...ERROR_COUNT_PRESETS, 'custom'], description: 'none = 0, some > 0, many > 5, critical > 10, or custom' },
  errorsMin: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
  errorsMax: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
  duration: { type: 'string', enum: [...DURATION_PRESETS, 'custom'], description: 'short < 1 min, medium 1–10 min, long > 10 min, or custom' },
  durationMinMs: ms,
  durationMaxMs: ms,
  email: { type: 'string', maxLength: 320, description: "The user's email contains (case-insensitive)" },
  user: { ...facet, description: 'User email (exact), any of' },
  country: facet,
  city: facet,
  browser: facet,
  os: facet,
  device: facet,
  env: facet,
  version: facet,
  site: facet,
  sdk: { ...facet, description: `Recorded by: ${SDK_NAMES.join(', ')} or their labels` },
  novelty: { type: 'string', enum: ['region', 'device', 'region-or-device'], description: 'Only sessions from a region / device unseen in the 30 days before the range' },
  q: { type: 'string', maxLength: 256, description: 'Search text (URLs, API calls, errors, actions, console, custom attributes)' },
} as const;

export const SESSION_SORT_PARAMS_SCHEMA = {
  sort: { type: 'string', enum: [...SESSION_SORT_KEYS], description: 'Sort column (default startedAt); ties: newest first, then id' },
  direction: { type: 'string', enum: ['asc', 'desc'], description: 'Default desc' },
} as const;

export function filterToParams(filter: SessionFilter = {}): Record<string, string | number | string[]> {
  const out: Record<string, string | number | string[]> = {};
  if (filter.startedFrom !== undefined) out.from = filter.startedFrom;
  if (filter.startedBefore !== undefined) out.to = filter.startedBefore;
  if (filter.time) {
    out.range = filter.time.preset;
    if (filter.time.preset === 'custom') Object.assign(out, { rangeFrom: filter.time.from, rangeTo: filter.time.to });
  }
  if (filter.errors) {
    out.errors = filter.errors.preset;
    if (filter.errors.preset === 'custom') {
      if (filter.errors.min !== null) out.errorsMin = filter.errors.min;
      if (filter.errors.max !== null) out.errorsMax = filter.errors.max;
    }
  }
  if (filter.duration) {
    out.duration = filter.duration.preset;
    if (filter.duration.preset === 'custom') {
      if (filter.duration.minMs !== null) out.durationMinMs = filter.duration.minMs;
      if (filter.duration.maxMs !== null) out.durationMaxMs = filter.duration.maxMs;
    }
  }
  if (filter.userEmailContains?.trim()) out.email = filter.userEmailContains;
  for (const [key, param] of Object.entries(FACET_PARAMS) as [FacetKey, FacetParam][]) {
    const values = filter[key];
    if (values?.length) out[param] = [...values];
  }
  if (filter.novelty) out.novelty = filter.novelty;
  if (filter.search?.trim()) out.q = filter.search;
  return out;
}

const labelOf = (value: string) => ((SDK_NAMES as readonly string[]).includes(value) ? SDK_LABELS[value as SdkName] : value);

/** The filter the (schema-checked) parameters describe; throws an Error naming a parameter that makes no sense. */
export function filterFromParams(params: SessionFilterParams): SessionFilter {
  const filter: SessionFilter = {};
  if (params.from !== undefined) filter.startedFrom = params.from;
  if (params.to !== undefined) filter.startedBefore = params.to;
  if (params.range === 'custom') {
    if (params.rangeFrom === undefined || params.rangeTo === undefined || params.rangeFrom >= params.rangeTo) {
      throw new Error('range=custom needs rangeFrom < rangeTo (UTC ms)');
    }
    filter.time = { preset: 'custom', from: params.rangeFrom, to: params.rangeTo };
  } else if (params.range) filter.time = { preset: params.range };
  if (params.errors === 'custom') {
    if (params.errorsMin !== undefined && params.errorsMax !== undefined && params.errorsMin > params.errorsMax) throw new Error('errorsMin is above errorsMax');
    filter.errors = { preset: 'custom', min: params.errorsMin ?? null, max: params.errorsMax ?? null };
  } else if (params.errors) filter.errors = { preset: params.errors };
  if (params.duration === 'custom') {
    if (params.durationMinMs !== undefined && params.durationMaxMs !== undefined && params.durationMinMs > params.durationMaxMs) throw new Error('durationMinMs is above durationMaxMs');
    filter.duration = { preset: 'custom', minMs: params.durationMinMs ?? null, maxMs: params.durationMaxMs ?? null };
  } else if (params.duration) filter.duration = { preset: params.duration };
  if (params.email?.trim()) filter.userEmailContains = params.email;
  for (const [key, param] of Object.entries(FACET_PARAMS) as [FacetKey, FacetParam][]) {
    const values = params[param];
    if (!values?.length) continue;
    if (key === 'deviceType') filter.deviceType = values as DeviceType[];
    else if (key === 'sdk') filter.sdk = values.map(labelOf);
    else filter[key] = values;
  }
  if (params.novelty) filter.novelty = params.novelty;
  if (params.q?.trim()) filter.search = params.q;
  return filter;
}
