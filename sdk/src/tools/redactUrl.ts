/** Query and fragment parameter names that suggest secrets; their values are replaced. */
const SECRET = /token|passw|pwd|secret|key|code|state|sig|auth|session|jwt|credential|otp|nonce/i;
export const REDACTED = 'REDACTED';

function redactParams(params: URLSearchParams): boolean {
  let changed = false;
  for (const name of new Set(params.keys())) {
    if (SECRET.test(name)) {
      params.set(name, REDACTED);
      changed = true;
    }
  }
  return changed;
}

/** Redacts secret-looking query and fragment parameters of a URL; leaves anything unparsable alone. */
export function redactUrl(url: string): string {
  if (!url || (!url.includes('?') && !url.includes('#'))) return url;
  let parsed: URL;
  try {
    parsed = new URL(url, 'http://x.invalid');
  } catch {
    return url;
  }
  let changed = false;
  if (parsed.search) {
    const params = new URLSearchParams(parsed.search);
    if (redactParams(params)) {
      parsed.search = params.toString();
      changed = true;
    }
  }
  const hash = parsed.hash.slice(1);
  const queryInHash = hash.indexOf('?');
  const hashQuery = queryInHash >= 0 ? hash.slice(queryInHash + 1) : hash.includes('=') ? hash : '';
  if (hashQuery) {
    const params = new URLSearchParams(hashQuery);
    if (redactParams(params)) {
      parsed.hash = (queryInHash >= 0 ? hash.slice(0, queryInHash + 1) : '') + params.toString();
      changed = true;
    }
  }
  if (!changed) return url;
  if (/^[a-z][\w+.-]*:/i.test(url) && !url.startsWith('http://x.invalid')) return parsed.href;
  // Relative stays relative (protocol-relative keeps its host).
  return (url.startsWith('//') ? '//' + parsed.host : '') + parsed.pathname + parsed.search + parsed.hash;
}
