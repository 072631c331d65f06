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
import { originOf } from './originOf';

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

/** Makes the registered scripts match the settings; a no-op when they already do. True when it changed them. */
export async function syncContentScripts(settings: Pick<RumscopeSettings, 'siteAccess'>, scripting: Scripting = ext.scripting): Promise<boolean> {
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
  if (same) return false;
  if (current.length) await scripting.unregisterContentScripts({ ids: current.map((c) => c.id) });
  if (matches.length) await scripting.registerContentScripts(wanted);
  return true;
}

export interface InjectDeps {
  tabs: Pick<typeof chrome.tabs, 'query'>;
  scripting: Pick<typeof chrome.scripting, 'executeScript'>;
  /** The site gate's decision for a tab's site (what match patterns cannot say: ports, private windows…). */
  allowed(site: string, incognito: boolean): Promise<boolean>;
}

/**
 * Registered scripts reach only documents that start after the registration: the tabs already open when the
 * extension is installed, updated or started, or when their site becomes allowed, get the relay and the capture
 * injected now (all frames), and are recorded from this moment without a reload. Both scripts keep one copy per
 * document (the relay's guard in the isolated world, `window.rumscope` in the page), so a document that the
 * registered scripts reached too is never recorded twice. Resolves to the tabs injected.
 */
export async function injectIntoOpenTabs(settings: Pick<RumscopeSettings, 'siteAccess'>, deps: InjectDeps): Promise<number[]> {
  const { matches } = injectionPlan(settings);
  if (!matches.length) return [];
  const tabs = await deps.tabs.query({ url: matches });
  const injected: number[] = [];
  await Promise.all(
    tabs.map(async (tab) => {
      const site = originOf(tab.url);
      if (tab.id === undefined || tab.id < 0 || tab.discarded || !site || !(await deps.allowed(site, tab.incognito))) return;
      const target = { tabId: tab.id, allFrames: true };
      try {
        // The relay first, so it listens before the capture script says anything.
        await deps.scripting.executeScript({ target, files: ['relay.js'], world: 'ISOLATED', injectImmediately: true });
        await deps.scripting.executeScript({ target, files: ['capture.js'], world: 'MAIN', injectImmediately: true });
        injected.push(tab.id);
      } catch {
        // A tab that cannot be scripted (an error page, one closing meanwhile): its next load gets the registered scripts.
      }
    }),
  );
  return injected.sort((a, b) => a - b);
}

