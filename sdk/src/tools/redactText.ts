import { REDACTED, redactUrl } from './redactUrl';

/**
 * Names of fields, parameters and headers whose values are secrets (the same idea as redactUrl's parameter
 * names, widened to what JSON bodies and log lines call them).
 */
export const SECRET_NAME = /passw|pwd|secret|token|api[-_]?key|access[-_]?key|credential|private[-_]?key|authorization|^auth$|cookie|session[-_]?id|^sid$|jwt|otp|csrf|xsrf/i;

const URL_IN_TEXT = /\b[a-z][\w+.-]*:\/\/[^\s"'<>()]+/gi;
/** `Bearer abc`, `Basic abc`, `Token abc` (an Authorization value written into a string). */
const AUTH_SCHEME = /\b(Bearer|Basic|Digest|Token|Negotiate)(\s+)[\w\-.~+/=]{6,}/gi;
/** `password=x`, `token: x`, `"api_key": "x"`, `secret='x'` (a key and its value, quoted or not). Bounded key length: no backtracking blow-up on long words. */
const KEY_VALUE =
  /(["']?)(?<![\w-])([\w-]{0,40}?(?:passw|pwd|secret|token|api[-_]?key|access[-_]?key|credential|private[-_]?key|authorization|session[-_]?id|jwt|csrf|xsrf)[\w-]{0,40})\1(\s*[:=]\s*)(?!(?:Bearer|Basic|Digest|Token|Negotiate)\s)(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s&,;}"']+)/gi;
/** Cheap pre-test for KEY_VALUE (most text has none of these words). */
const SECRET_WORD = /passw|pwd|secret|token|api[-_]?key|access[-_]?key|credential|private[-_]?key|authorization|session[-_]?id|jwt|csrf|xsrf/i;
/** JSON Web Tokens. */
const JWT = /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g;
/** Well-known key formats: Stripe, GitHub, Slack, AWS access key ids, Google API keys. */
const KNOWN_KEYS = /\b(?:sk|pk|rk)_(?:live|test)_[\w]{8,}|\bgh[pousr]_[A-Za-z0-9]{20,}|\bxox[abprs]-[\w-]{10,}|\bAKIA[0-9A-Z]{16}\b|\bAIza[\w-]{30,}/g;
/** Long random-looking strings: 40+ token characters with upper case, lower case and digits (hex hashes are spared). */
const LONG_TOKEN = /[A-Za-z0-9_-]{40,}/g;
const looksRandom = (text: string) => /[A-Z]/.test(text) && /[a-z]/.test(text) && /\d/.test(text);

/**
 * Redacts secrets inside free text (console messages, text bodies): URLs by redactUrl's rules, Authorization
 * values, `key=value` pairs with a secret-like key, JWTs, known API key formats and long random tokens.
 * Pure and total: never throws, whatever the input.
 */
export function redactText(text: string): string {
  if (text.length < 6) return text;
  let out = text;
  if (out.includes('://')) out = out.replace(URL_IN_TEXT, (url) => redactUrl(url));
  out = out.replace(AUTH_SCHEME, (_, scheme: string, space: string) => `${scheme}${space}${REDACTED}`);
  if (SECRET_WORD.test(out)) out = out.replace(KEY_VALUE, (match, quote: string, key: string, separator: string) => {
    const value = match.slice(quote.length * 2 + key.length + separator.length);
    const valueQuote = value[0] === '"' || value[0] === "'" ? value[0] : '';
    if (value.slice(valueQuote.length, value.length - valueQuote.length) === REDACTED) return match;
    return `${quote}${key}${quote}${separator}${valueQuote}${REDACTED}${valueQuote}`;
  });
  out = out.replace(JWT, REDACTED).replace(KNOWN_KEYS, REDACTED);
  out = out.replace(LONG_TOKEN, (match) => (looksRandom(match) ? REDACTED : match));
  return out;
}
