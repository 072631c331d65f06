/**
 * Site patterns (SiteAccessSettings.allow / block): `[scheme://]host[:port][/path]`.
 * - scheme: `http`, `https` or `*`; none means both.
 * - host: exact (`example.com`, `127.0.0.1`, `[::1]`), `*.example.com` (the domain and every subdomain) or `*`.
 * - port: a number or `*`; none means any port (as in the browsers' match patterns).
 * - a path is accepted and ignored: sessions are per site (scheme, host and port).
 * Pure functions, shared by the extension and the server.
 */
export interface SitePattern {
  schemes: readonly ('http' | 'https')[];
  /** Lower-case host without brackets for IPv6; '*' for any. */
  host: string;
  /** The host and its subdomains (`*.example.com`). */
  subdomains: boolean;
  /** null: any port. */
  port: number | null;
}

const PATTERN_RE = /^(?:(\*|https?):\/\/)?(\*|(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::(\*|\d{1,5}))?(?:\/.*)?$/i;

export function parseSitePattern(input: string): SitePattern | null {
  const match = PATTERN_RE.exec(input.trim());
  if (!match) return null;
  const [, scheme, rawHost, rawPort] = match as unknown as [string, string | undefined, string, string | undefined];
  if (rawPort !== undefined && rawPort !== '*' && Number(rawPort) > 65535) return null;
  let host = rawHost.toLowerCase();
  const subdomains = host.startsWith('*.');
  if (subdomains) host = host.slice(2);
  if (host.startsWith('[')) host = host.slice(1, -1);
  return {
    schemes: scheme === 'http' ? ['http'] : scheme === 'https' ? ['https'] : ['http', 'https'],
    host,
    subdomains,
    port: rawPort === undefined || rawPort === '*' ? null : Number(rawPort),
  };
}

export function isSitePattern(input: string): boolean {
  return parseSitePattern(input) !== null;
}

/** Scheme, host (no brackets) and port (explicit or default) of an origin or URL; null for anything but http(s). */
export function siteParts(site: string): { scheme: 'http' | 'https'; host: string; port: number } | null {
  let url: URL;
  try {
    url = new URL(site);
  } catch {
    return null;
  }
  const scheme = url.protocol === 'http:' ? 'http' : url.protocol === 'https:' ? 'https' : null;
  if (!scheme) return null;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const port = url.port ? Number(url.port) : scheme === 'http' ? 80 : 443;
  return { scheme, host, port };
}

export function patternMatches(pattern: SitePattern, site: string): boolean {
  const parts = siteParts(site);
  if (!parts) return false;
  if (!pattern.schemes.includes(parts.scheme)) return false;
  if (pattern.port !== null && pattern.port !== parts.port) return false;
  if (pattern.host === '*') return true;
  if (parts.host === pattern.host) return true;
  return pattern.subdomains && parts.host.endsWith('.' + pattern.host);
}

/** The pattern the popup's switch writes for one site: its exact origin (`https://example.com`, `http://127.0.0.1:5173`). */
export function exactSitePattern(site: string): string | null {
  try {
    const url = new URL(site);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}
