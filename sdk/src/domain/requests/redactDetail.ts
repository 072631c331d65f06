import { NETWORK_DETAIL_LIMITS, type HttpBody, type HttpHeader, type JsonValue } from '../../../schema';
import { REDACTED } from '../../tools/redactUrl';
import { redactText, SECRET_NAME } from '../../tools/redactText';

/**
 * Redaction of API call detail, in the page, before anything leaves it. The built-in rules always apply (the
 * user's lists only add names): secret headers, secret JSON / form fields at any depth, login and token
 * endpoints' bodies, and secrets in free text (redactText).
 */
export interface DetailRules {
  /** Extra header names, lower case. */
  headers: ReadonlySet<string>;
  /** Extra field names, lower case. */
  fields: ReadonlySet<string>;
}

export const NO_EXTRA_RULES: DetailRules = { headers: new Set(), fields: new Set() };

/**
 * Headers never kept: Authorization, Proxy-Authorization, Cookie, Set-Cookie, X-Api-Key, CSRF / XSRF tokens and
 * anything else named like a credential (PostHog's list, widened by pattern).
 */
const SECRET_HEADER = /auth|cookie|token|secret|api-?key|csrf|xsrf|session|passw|signature|credential/i;
/** Paths of login, sign-up, password and token endpoints: their bodies are never kept (neither way). */
const AUTH_PATH = /(?:^|[/._-])(?:log-?in|sign-?in|sign-?up|register|auth|oauth2?|token|session|passwords?|credentials?|otp|2fa|mfa)(?:$|[/._?-])/i;

/** Longest body text parsed as JSON for field redaction; longer JSON is redacted as text. */
const MAX_PARSE_CHARS = 1024 * 1024;

export function createDetailRules(config: { redactHeaders: string[]; redactFields: string[] }): DetailRules {
  return {
    headers: new Set(config.redactHeaders.map((name) => name.toLowerCase())),
    fields: new Set(config.redactFields.map((name) => name.toLowerCase())),
  };
}

export const isSecretHeader = (name: string, rules: DetailRules) => SECRET_HEADER.test(name) || rules.headers.has(name.toLowerCase());
export const isSecretField = (name: string, rules: DetailRules) => SECRET_NAME.test(name) || rules.fields.has(name.toLowerCase());

export function isAuthEndpoint(url: string): boolean {
  let path = url;
  try {
    path = new URL(url, 'http://x.invalid').pathname;
  } catch {
    // keep the text
  }
  return AUTH_PATH.test(path);
}

/** name/value pairs, capped, secret values replaced (the name stays: a developer sees it was sent). */
export function redactHeaders(pairs: Iterable<[string, string]>, rules: DetailRules): HttpHeader[] {
  const out: HttpHeader[] = [];
  for (const [name, value] of pairs) {
    if (out.length >= NETWORK_DETAIL_LIMITS.maxHeaders) break;
    out.push({
      name: name.slice(0, NETWORK_DETAIL_LIMITS.maxHeaderNameChars),
      value: isSecretHeader(name, rules) ? REDACTED : redactText(value.slice(0, NETWORK_DETAIL_LIMITS.maxHeaderValueChars)).slice(0, NETWORK_DETAIL_LIMITS.maxHeaderValueChars),
    });
  }
  return out;
}

/** A parsed JSON value with every secret field's value replaced, at any depth. */
export function redactJsonFields(value: JsonValue, rules: DetailRules): JsonValue {
  if (Array.isArray(value)) return value.map((item) => redactJsonFields(item, rules));
  if (value && typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) out[key] = isSecretField(key, rules) ? REDACTED : redactJsonFields(item, rules);
    return out;
  }
  return typeof value === 'string' ? redactText(value) : value;
}

export function redactFormText(text: string, rules: DetailRules): string {
  const params = new URLSearchParams(text);
  const out = new URLSearchParams();
  for (const [name, value] of params) out.append(name, isSecretField(name, rules) ? REDACTED : redactText(value));
  return out.toString();
}

const isJsonType = (mimeType: string) => /[/+]json\b/i.test(mimeType);
const isFormType = (mimeType: string) => /application\/x-www-form-urlencoded/i.test(mimeType);

/** Whether a body of this type is kept as text (the rest is described by type and size). */
export function isTextType(mimeType: string): boolean {
  if (!mimeType) return true; // the page's own strings carry no type
  return /^text\/(?!event-stream)|[/+](?:json|xml)\b|javascript|x-www-form-urlencoded|graphql|csv/i.test(mimeType);
}

/** The redacted, capped text body; `size` is the length of the text as the page sent or received it. */
export function redactBodyText(text: string, mimeType: string, rules: DetailRules, size: number | null = text.length): HttpBody {
  let out: string | null = null;
  const trimmed = text.trimStart();
  if ((isJsonType(mimeType) || trimmed.startsWith('{') || trimmed.startsWith('[')) && text.length <= MAX_PARSE_CHARS) {
    try {
      out = JSON.stringify(redactJsonFields(JSON.parse(text) as JsonValue, rules));
    } catch {
      out = null;
    }
  }
  if (out === null && isFormType(mimeType)) out = redactFormText(text.slice(0, NETWORK_DETAIL_LIMITS.maxBodyChars * 2), rules);
  // Free text, or JSON too long (or cut) to parse: the text rules catch "key": "value" pairs, tokens and the like.
  if (out === null) out = redactText(text.slice(0, NETWORK_DETAIL_LIMITS.maxBodyChars + 1));
  const truncated = out.length > NETWORK_DETAIL_LIMITS.maxBodyChars || text.length > NETWORK_DETAIL_LIMITS.maxBodyChars + 1;
  const body: HttpBody = { mimeType: mimeType.slice(0, 256), size, text: out.slice(0, NETWORK_DETAIL_LIMITS.maxBodyChars) };
  if (truncated) body.truncated = true;
  return body;
}

/** FormData as urlencoded text (files described), secret fields redacted. */
export function formDataText(form: FormData, rules: DetailRules): string {
  const parts: string[] = [];
  let length = 0;
  for (const [name, value] of form) {
    const shown =
      typeof value === 'string'
        ? isSecretField(name, rules)
          ? REDACTED
          : redactText(value.slice(0, 4096))
        : `[File ${value.name.slice(0, 200)}, ${value.type || 'no type'}, ${value.size} bytes]`;
    const part = `${encodeURIComponent(name)}=${encodeURIComponent(shown)}`;
    parts.push(part);
    if ((length += part.length) > NETWORK_DETAIL_LIMITS.maxBodyChars) break;
  }
  return parts.join('&');
}

/** A body kept only as its type and size. */
export const binaryBody = (mimeType: string, size: number | null): HttpBody => ({ mimeType: mimeType.slice(0, 256), size, omitted: 'binary' });
