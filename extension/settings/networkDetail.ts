import type { RumscopeSettings, SessionInfo } from '../../sdk/schema';
import { parseSitePattern, patternMatches } from '../../sdk/schema/sitePattern';

/**
 * What the page of `site` is told about network detail: the user's extra redaction names when one of the
 * networkDetail.sites patterns matches the site, otherwise undefined (off: the default everywhere).
 */
export function networkDetailFor(settings: RumscopeSettings, site: string): SessionInfo['networkDetail'] {
  const { sites, redactHeaders, redactFields } = settings.networkDetail;
  return matchesAnySite(sites, site) ? { redactHeaders: [...redactHeaders], redactFields: [...redactFields] } : undefined;
}

/** Whether one of the site patterns (as siteAccess.allow) matches `site`. */
export function matchesAnySite(patterns: readonly string[], site: string): boolean {
  return patterns.some((text) => {
    const pattern = parseSitePattern(text);
    return !!pattern && patternMatches(pattern, site);
  });
}
