/**
 * Which sites are recorded (issue: site access). The background asks `decideSite` for every batch (cached);
 * the popup shows its answer and flips it with `withSiteAllowed`.
 */
import type { RumscopeSettings, SiteAccessReason, SiteAccessSettings } from '../../sdk/schema';
import { exactSitePattern, parseSitePattern, patternMatches, siteParts, type SitePattern } from '../../sdk/schema/sitePattern';

export type SiteDecisionReason = SiteAccessReason;

export interface SiteDecision {
  recorded: boolean;
  reason: SiteDecisionReason;
  /** The allow or block pattern that decided, when one did. */
  pattern?: string;
}

export interface SiteContext {
  incognito?: boolean;
  /** The extension's own origin(s), e.g. chrome-extension://<id>. */
  extensionOrigins?: readonly string[];
}

/** The URL's origin, or null when it has none (opaque or unparsable). */
export function originOf(url: string): string | null {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/** Compiled patterns, memoised per settings object (settings are replaced, never mutated). */
const compiled = new WeakMap<SiteAccessSettings, { allow: [string, SitePattern][]; block: [string, SitePattern][] }>();
function compile(access: SiteAccessSettings) {
  let entry = compiled.get(access);
  if (!entry) {
    const parse = (list: string[]) =>
      list.flatMap((p): [string, SitePattern][] => {
        const parsed = parseSitePattern(p);
        return parsed ? [[p, parsed]] : [];
      });
    entry = { allow: parse(access.allow), block: parse(access.block) };
    compiled.set(access, entry);
  }
  return entry;
}

export function decideSite(site: string, settings: RumscopeSettings, context: SiteContext = {}): SiteDecision {
  if (context.extensionOrigins?.some((own) => site === own || site.startsWith(own + '/'))) return { recorded: false, reason: 'extension' };
  const origin = originOf(site);
  if (!origin) return { recorded: false, reason: 'unsupported' };
  if (!siteParts(origin)) return { recorded: false, reason: 'unsupported' };
  const syncOrigin = settings.sync.url ? originOf(settings.sync.url) : null;
  if (syncOrigin && syncOrigin === origin) return { recorded: false, reason: 'sync_server' };
  if (context.incognito && !settings.siteAccess.privateWindows) return { recorded: false, reason: 'private_window' };
  const { allow, block } = compile(settings.siteAccess);
  const blocked = block.find(([, p]) => patternMatches(p, origin));
  if (blocked) return { recorded: false, reason: 'blocked', pattern: blocked[0] };
  const allowed = allow.find(([, p]) => patternMatches(p, origin));
  if (allowed) return { recorded: true, reason: 'allowed', pattern: allowed[0] };
  return { recorded: false, reason: 'not_allowed' };
}

/**
 * Site access after the popup's switch for one site. On: its exact block pattern goes, and its exact origin
 * is added to allow unless a pattern already allows it. Off: its exact allow pattern goes, and if another
 * pattern still allows it, its exact origin is added to block. A wider block pattern the user wrote
 * (e.g. `*.example.com`) is left alone: the switch then stays off and the options page says why.
 */
export function withSiteAllowed(access: SiteAccessSettings, site: string, allowed: boolean): SiteAccessSettings {
  const exact = exactSitePattern(site);
  if (!exact) return access;
  const same = (p: string) => normalise(p) === exact;
  const next: SiteAccessSettings = { ...access, allow: [...access.allow], block: [...access.block] };
  const matches = (list: string[]) => list.some((p) => {
    const parsed = parseSitePattern(p);
    return parsed !== null && patternMatches(parsed, exact);
  });
  if (allowed) {
    next.block = next.block.filter((p) => !same(p));
    if (!matches(next.allow)) next.allow.push(exact);
  } else {
    next.allow = next.allow.filter((p) => !same(p));
    if (matches(next.allow) && !next.block.some(same)) next.block.push(exact);
  }
  return next;
}

/** A pattern written as an exact origin, normalised (lower case, no default port, no path); else ''. */
function normalise(pattern: string): string {
  if (!/^https?:\/\//i.test(pattern.trim()) || pattern.includes('*')) return '';
  return exactSitePattern(pattern.trim()) ?? '';
}
