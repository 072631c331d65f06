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

/** Longest URL kept (the background's validator refuses longer strings, which would lose the whole event). */
export const MAX_URL_LENGTH = 16 * 1024 - 16;

/** Redacts secret-looking query and fragment parameters and user:password@ of a URL; caps its length. */
export function redactUrl(url: string): string {
  if (url.length > MAX_URL_LENGTH) url = url.slice(0, MAX_URL_LENGTH);
  // Credentials in the authority (https://user:pass@host/) never leave the page.
  if (url.includes('@')) url = url.replace(/^([a-z][\w+.-]*:\/\/)[^/?#@]*@/i, '$1');
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

/**
 * Redacts every URL inside a stack trace, keeping each frame's ":line:column" (a stack string carries the same
 * script URLs as the parsed frames, signed query strings included).
 */
export function redactStack(stack: string): string {
  if (!stack.includes('?') && !stack.includes('@')) return stack;
  return stack.replace(/\b[a-z][\w+.-]*:\/\/[^\s()]+/gi, (match) => {
    const position = /(:\d+){1,2}$/.exec(match)?.[0] ?? '';
    return redactUrl(match.slice(0, match.length - position.length)) + position;
  });
}
