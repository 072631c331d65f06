/**
 * Injection follows site access: the relay and the MAIN-world capture script are registered with
 * scripting.registerContentScripts for the allowed sites only, so a site that is not allowed never sees
 * Rumscope (no patched fetch, no listeners, no window.rumscope). The background's site gate still decides
 * per batch, for what match patterns cannot say (ports, the sync server, private windows, a site turned off
 * while its page is open).
 */
import type { RumscopeSettings } from '../../sdk/schema';
import { parseSitePattern, type SitePattern } from '../../sdk/schema/sitePattern';
import { ext } from '../platform';

export const RELAY_SCRIPT_ID = 'rumscope-relay';
export const CAPTURE_SCRIPT_ID = 'rumscope-capture';

/** Browser match patterns for one site pattern. Match patterns have no ports: a port-specific pattern matches its host. */
export function toMatchPatterns(pattern: SitePattern): string[] {
  const host =
    pattern.host === '*' ? '*' : pattern.host.includes(':') ? `[${pattern.host}]` : pattern.subdomains ? `*.${pattern.host}` : pattern.host;
  return pattern.schemes.map((scheme) => `${scheme}://${host}/*`);
}

/** What to inject where, for the current settings. */
export function injectionPlan(settings: Pick<RumscopeSettings, 'siteAccess'>): { matches: string[]; excludeMatches: string[] } {
  const matches = new Set<string>();
  for (const text of settings.siteAccess.allow) {
    const pattern = parseSitePattern(text);
    if (pattern) for (const match of toMatchPatterns(pattern)) matches.add(match);
  }
  const excludeMatches = new Set<string>();
  for (const text of settings.siteAccess.block) {
    const pattern = parseSitePattern(text);
    // A blocked port cannot be excluded by host alone (another port of the host may be allowed): the gate refuses it.
    if (pattern && pattern.port === null) for (const match of toMatchPatterns(pattern)) excludeMatches.add(match);
  }
  return { matches: [...matches].sort(), excludeMatches: [...excludeMatches].sort() };
}

type Scripting = Pick<typeof chrome.scripting, 'getRegisteredContentScripts' | 'registerContentScripts' | 'unregisterContentScripts'>;

/** Makes the registered scripts match the settings; a no-op when they already do. */
export async function syncContentScripts(settings: Pick<RumscopeSettings, 'siteAccess'>, scripting: Scripting = ext.scripting): Promise<void> {
  const { matches, excludeMatches } = injectionPlan(settings);
  const common = { matches, excludeMatches, allFrames: true, runAt: 'document_start' as const, persistAcrossSessions: true };
  const wanted: chrome.scripting.RegisteredContentScript[] = [
    // The relay first, so it listens before the capture script says anything.
    { id: RELAY_SCRIPT_ID, js: ['relay.js'], ...common },
    { id: CAPTURE_SCRIPT_ID, js: ['capture.js'], world: 'MAIN', ...common },
  ];
  const current = await scripting.getRegisteredContentScripts({ ids: [RELAY_SCRIPT_ID, CAPTURE_SCRIPT_ID] });
  const same =
    current.length === wanted.length &&
    wanted.every((want) => {
      const have = current.find((c) => c.id === want.id);
      return have && JSON.stringify([...(have.matches ?? [])].sort()) === JSON.stringify(matches) &&
        JSON.stringify([...(have.excludeMatches ?? [])].sort()) === JSON.stringify(excludeMatches);
    });
  if (same) return;
  if (current.length) await scripting.unregisterContentScripts({ ids: current.map((c) => c.id) });
  if (matches.length) await scripting.registerContentScripts(wanted);
}
