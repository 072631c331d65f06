/**
 * Validation of RumscopeSettings (valibot). Used by the extension's background and pages and by the server;
 * never by the page SDK. Two entry points:
 * - readSettings: lenient, for what is stored. Field by field over the defaults; an invalid field keeps
 *   its default (and is reported), so one bad value can never stop recording or open a site.
 * - validateSettingsPatch: strict, for what a user or a caller wants to save. Nothing invalid is saved.
 */
import * as v from 'valibot';
import { isSitePattern } from './sitePattern';
import { DEFAULT_SETTINGS, PRIVACY_LEVELS, SETTINGS_LIMITS, type RumscopeSettings, type SettingsPatch } from './settings';


const percent = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(100));
const label = v.pipe(v.string(), v.trim(), v.maxLength(SETTINGS_LIMITS.maxLabelChars));
const pattern = v.pipe(
  v.string(),
  v.trim(),
  v.nonEmpty('a pattern cannot be empty'),
  v.maxLength(SETTINGS_LIMITS.maxPatternChars),
  v.check(isSitePattern, (issue) => `not a site pattern: ${String(issue.input)}`),
);
const patterns = v.pipe(v.array(pattern), v.maxLength(SETTINGS_LIMITS.maxPatterns));
const email = v.union([v.literal(''), v.pipe(v.string(), v.trim(), v.email('not an email address'), v.maxLength(SETTINGS_LIMITS.maxLabelChars))]);
const httpUrl = v.union([
  v.literal(''),
  v.pipe(
    v.string(),
    v.trim(),
    v.maxLength(SETTINGS_LIMITS.maxUrlChars),
    v.url('not a URL'),
    v.check((url) => /^https?:\/\//i.test(url), 'the sync server URL must start with http:// or https://'),
    v.check((url) => plainHttpRefusal(url) === null, (issue) => plainHttpRefusal(String(issue.input)) ?? 'refused'),
  ),
]);

const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Why the upload token may not be sent to `url`, or null: plain http:// only to this machine (localhost,
 * 127.x.x.x, [::1]), where nothing travels over a network; anywhere else the token and the sessions need https://.
 */
export function plainHttpRefusal(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' || LOOPBACK_HOST.test(parsed.hostname)) return null;
  return `refusing to send the upload token over plain http:// to ${parsed.host}: use https:// (plain http:// only to this machine: localhost, 127.0.0.1)`;
}

const headerName = v.pipe(
  v.string(),
  v.trim(),
  v.nonEmpty('a header name cannot be empty'),
  v.maxLength(SETTINGS_LIMITS.maxRedactNameChars),
  v.regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, (issue) => `not a header name: ${String(issue.input)}`),
);
const fieldName = v.pipe(v.string(), v.trim(), v.nonEmpty('a field name cannot be empty'), v.maxLength(SETTINGS_LIMITS.maxRedactNameChars));

/** One schema per leaf: a stored copy is checked leaf by leaf. */
const LEAVES = {
  siteAccess: { allow: patterns, block: patterns, privateWindows: v.boolean() },
  sampling: { sessionSampleRate: percent, sessionReplaySampleRate: percent },
  privacyLevel: v.picklist(PRIVACY_LEVELS as PrivacyLevelTuple),
  environment: label,
  tester: { name: label, email },
  retention: {
    days: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(SETTINGS_LIMITS.maxRetentionDays)),
    maxStorageMb: v.pipe(v.number(), v.finite(), v.minValue(SETTINGS_LIMITS.minStorageMb), v.maxValue(SETTINGS_LIMITS.maxStorageMb)),
  },
  sync: { url: httpUrl },
  networkDetail: {
    sites: patterns,
    redactHeaders: v.pipe(v.array(headerName), v.maxLength(SETTINGS_LIMITS.maxRedactNames)),
    redactFields: v.pipe(v.array(fieldName), v.maxLength(SETTINGS_LIMITS.maxRedactNames)),
  },
  instantReplay: { sites: patterns, onErrorSampleRate: percent },
  replayAssets: { privateSites: patterns },
} as const;
type PrivacyLevelTuple = ['allow', 'mask-user-input', 'mask'];

export interface SettingsIssue {
  /** e.g. "retention.days" */
  path: string;
  message: string;
}

type Leaf = v.GenericSchema<unknown, unknown>;
const isLeaf = (node: unknown): node is Leaf => typeof node === 'object' && node !== null && 'kind' in node && (node as { kind: unknown }).kind === 'schema';
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

/**
 * Walks `input` over the leaf schemas. `base` supplies every value `input` lacks (and, leniently,
 * every invalid one). Unknown keys are ignored and reported.
 */
function walk(input: unknown, base: RumscopeSettings): { settings: RumscopeSettings; issues: SettingsIssue[] } {
  const issues: SettingsIssue[] = [];
  const out = structuredClone(base) as unknown as Record<string, unknown>;
  const visit = (schemaNode: Record<string, unknown>, value: unknown, target: Record<string, unknown>, prefix: string) => {
    if (value === undefined) return;
    if (!isPlainObject(value)) {
      issues.push({ path: prefix || '(root)', message: 'expected an object' });
      return;
    }
    for (const key of Object.keys(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const node = Object.prototype.hasOwnProperty.call(schemaNode, key) ? schemaNode[key] : undefined;
      if (node === undefined) {
        issues.push({ path, message: 'unknown setting' });
        continue;
      }
      if (isLeaf(node)) {
        const result = v.safeParse(node, value[key]);
        if (result.success) target[key] = result.output;
        else issues.push({ path, message: result.issues[0]?.message ?? 'invalid' });
      } else {
        visit(node as Record<string, unknown>, value[key], target[key] as Record<string, unknown>, path);
      }
    }
  };
  visit(LEAVES, input, out, '');
  const settings = out as unknown as RumscopeSettings;
  // Patterns are kept unique and trimmed, in the order given.
  settings.siteAccess.allow = [...new Set(settings.siteAccess.allow)];
  settings.siteAccess.block = [...new Set(settings.siteAccess.block)];
  settings.networkDetail.sites = [...new Set(settings.networkDetail.sites)];
  settings.instantReplay.sites = [...new Set(settings.instantReplay.sites)];
  settings.replayAssets.privateSites = [...new Set(settings.replayAssets.privateSites)];
  return { settings, issues };
}

/** The settings in force: the stored copy (possibly partial, possibly from an older version) over the defaults. */
export function readSettings(stored: unknown): { settings: RumscopeSettings; issues: SettingsIssue[] } {
  return walk(stored ?? {}, DEFAULT_SETTINGS);
}

/** Applies a patch to the current settings; fails with every issue if any field is invalid (nothing half-applied). */
export function validateSettingsPatch(
  current: RumscopeSettings,
  patch: SettingsPatch,
): { ok: true; settings: RumscopeSettings } | { ok: false; issues: SettingsIssue[] } {
  const { settings, issues } = walk(patch, current);
  return issues.length ? { ok: false, issues } : { ok: true, settings };
}

/** The sync server's upload token (kept apart from the settings: extension/sync/syncCredentials.ts). '' = none. */
const syncToken = v.pipe(v.string(), v.trim(), v.maxLength(SETTINGS_LIMITS.maxTokenChars, 'the token is too long'));

export function validateSyncToken(token: unknown): { ok: true; token: string } | { ok: false; issues: SettingsIssue[] } {
  const result = v.safeParse(syncToken, token);
  return result.success ? { ok: true, token: result.output } : { ok: false, issues: [{ path: 'sync.token', message: result.issues[0]?.message ?? 'invalid' }] };
}
