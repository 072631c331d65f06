import type { RumscopeSettings, SessionInfo } from '../../sdk/schema';
import { parseSitePattern, patternMatches } from '../../sdk/schema/sitePattern';

/**
 * What the page of `site` is told about network detail: the user's extra redaction names when one of the
 * networkDetail.sites patterns matches the site, otherwise undefined (off: the default everywhere).
 */
export function networkDetailFor(settings: RumscopeSettings, site: string): SessionInfo['networkDetail'] {
  const { sites, redactHeaders, redactFields } = settings.networkDetail;
  const on = sites.some((text) => {
    const pattern = parseSitePattern(text);
    return !!pattern && patternMatches(pattern, site);
  });
  return on ? { redactHeaders: [...redactHeaders], redactFields: [...redactFields] } : undefined;
}
