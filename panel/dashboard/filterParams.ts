/**
 * A SessionFilter as URL query parameters and back, so the panel's URL (and a shared link to the server's
 * dashboard) restores the filters. Malformed values are reported, never guessed; other parameters (tabId...)
 * are left alone.
 *
 *   range=1h | range=custom&from=2025-12-05T00:00:00.000Z&to=...   errors=none|some|many|critical|3-7|3-|-7|custom
 *   duration=short|medium|long|60-300 (seconds)|custom (no bound yet)   email=<contains>   q=<search>   novelty=region|device|region-or-device
 *   country=India&country=France (and city, browser, os, device, env, version, site, user)
 */
import { DURATION_PRESETS, ERROR_COUNT_PRESETS, TIME_RANGE_PRESETS } from '../../sdk/schema';
import type { DeviceType, DurationFilter, ErrorCountFilter, FacetKey, SessionFilter, TimeRange } from '../../sdk/schema';

/** Query parameter of each facet. */
export const FACET_PARAMS: Readonly<Record<FacetKey, string>> = {
  userEmail: 'user',
  country: 'country',
  city: 'city',
  browser: 'browser',
  os: 'os',
  deviceType: 'device',
  env: 'env',
  version: 'version',
  site: 'site',
  sdk: 'sdk',
};

const RANGE_RE = /^(\d*)-(\d*)$/;

function range(text: string): [number | null, number | null] | null {
  const m = RANGE_RE.exec(text);
  if (!m || (!m[1] && !m[2])) return null;
  const min = m[1] ? Number(m[1]) : null;
  const max = m[2] ? Number(m[2]) : null;
  if (min !== null && max !== null && min > max) return null;
  return [min, max];
}

/** "3-7", "3-", "-7"; "custom" while neither end is set (a custom range being entered). */
const rangeText = (min: number | null, max: number | null) => (min === null && max === null ? 'custom' : `${min ?? ''}-${max ?? ''}`);

function time(value: number): string {
  return new Date(value).toISOString();
}

function parseTime(text: string | null): number | null {
  if (!text) return null;
  const n = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isFinite(n) ? n : null;
}

export function filterToParams(filter: SessionFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.time) {
    params.set('range', filter.time.preset);
    if (filter.time.preset === 'custom') {
      params.set('from', time(filter.time.from));
      params.set('to', time(filter.time.to));
    }
  }
  if (filter.errors) {
    params.set('errors', filter.errors.preset === 'custom' ? rangeText(filter.errors.min, filter.errors.max) : filter.errors.preset);
  }
  if (filter.duration) {
    const d = filter.duration;
    params.set(
      'duration',
      d.preset === 'custom' ? rangeText(d.minMs === null ? null : Math.round(d.minMs / 1000), d.maxMs === null ? null : Math.round(d.maxMs / 1000)) : d.preset,
    );
  }
  if (filter.userEmailContains) params.set('email', filter.userEmailContains);
  for (const [key, param] of Object.entries(FACET_PARAMS) as [FacetKey, string][]) {
    for (const value of filter[key] ?? []) params.append(param, value);
  }
  if (filter.novelty) params.set('novelty', filter.novelty);
  if (filter.search) params.set('q', filter.search);
  return params;
}

export interface ParsedFilter {
  filter: SessionFilter;
  /** One line per parameter that was not understood (and left out of the filter). */
  issues: string[];
}

export function filterFromParams(params: URLSearchParams): ParsedFilter {
  const filter: SessionFilter = {};
  const issues: string[] = [];
  const rangeParam = params.get('range');
  if (rangeParam !== null) {
    if (rangeParam === 'custom') {
      const from = parseTime(params.get('from'));
      const to = parseTime(params.get('to'));
      if (from === null || to === null || from >= to) issues.push('range=custom needs from < to (ISO dates or UTC ms)');
      else filter.time = { preset: 'custom', from, to } satisfies TimeRange;
    } else if ((TIME_RANGE_PRESETS as readonly string[]).includes(rangeParam)) {
      filter.time = { preset: rangeParam as (typeof TIME_RANGE_PRESETS)[number] };
    } else issues.push(`range: unknown preset "${rangeParam}"`);
  }
  const errors = params.get('errors');
  if (errors !== null) {
    const custom = range(errors);
    if ((ERROR_COUNT_PRESETS as readonly string[]).includes(errors)) filter.errors = { preset: errors as (typeof ERROR_COUNT_PRESETS)[number] };
    else if (errors === 'custom') filter.errors = { preset: 'custom', min: null, max: null };
    else if (custom) filter.errors = { preset: 'custom', min: custom[0], max: custom[1] } satisfies ErrorCountFilter;
    else issues.push(`errors: expected none, some, many, critical or min-max, got "${errors}"`);
  }
  const duration = params.get('duration');
  if (duration !== null) {
    const custom = range(duration);
    if ((DURATION_PRESETS as readonly string[]).includes(duration)) filter.duration = { preset: duration as (typeof DURATION_PRESETS)[number] };
    else if (duration === 'custom') filter.duration = { preset: 'custom', minMs: null, maxMs: null };
    else if (custom) {
      filter.duration = {
        preset: 'custom',
        minMs: custom[0] === null ? null : custom[0] * 1000,
        maxMs: custom[1] === null ? null : custom[1] * 1000,
      } satisfies DurationFilter;
    } else issues.push(`duration: expected short, medium, long or min-max seconds, got "${duration}"`);
  }
  const email = params.get('email');
  if (email) filter.userEmailContains = email;
  for (const [key, param] of Object.entries(FACET_PARAMS) as [FacetKey, string][]) {
    const values = params.getAll(param).filter((v) => v !== '');
    if (!values.length) continue;
    if (key === 'deviceType') filter.deviceType = values as DeviceType[];
    else filter[key] = values;
  }
  const novelty = params.get('novelty');
  if (novelty !== null) {
    if (novelty === 'region' || novelty === 'device' || novelty === 'region-or-device') filter.novelty = novelty;
    else issues.push(`novelty: expected region, device or region-or-device, got "${novelty}"`);
  }
  const q = params.get('q');
  if (q) filter.search = q;
  return { filter, issues };
}
