/**
 * Headers and bodies of an API call, when the event carries them (the console-and-network issue adds an
 * optional `detail` to API events). Read defensively, so that this module works before and after that lands,
 * and redacted again here whatever the page did: exports never carry a secret header.
 */
import type { ApiEvent } from '../../../sdk/schema';

export const REDACTED_VALUE = 'REDACTED';

/** Headers never exported with their value (lower case). */
export const SECRET_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-csrf-token',
  'x-xsrf-token',
  'csrf-token',
  'x-amz-security-token',
]);

export interface Header {
  name: string;
  value: string;
}

export interface NetworkDetail {
  requestHeaders: Header[];
  responseHeaders: Header[];
  requestBody: string | null;
  responseBody: string | null;
  /** Response content type, when known. */
  mimeType: string | null;
}

function headers(input: unknown): Header[] {
  const out: Header[] = [];
  const push = (name: unknown, value: unknown) => {
    if (typeof name !== 'string' || !name) return;
    const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
    out.push({ name, value: SECRET_HEADERS.has(name.toLowerCase()) ? REDACTED_VALUE : text });
  };
  if (Array.isArray(input)) {
    for (const item of input) {
      if (Array.isArray(item)) push(item[0], item[1]);
      else if (item && typeof item === 'object') push((item as Header).name, (item as Header).value);
    }
  } else if (input && typeof input === 'object') {
    for (const [name, value] of Object.entries(input)) push(name, value);
  }
  return out;
}

function body(input: unknown): string | null {
  if (typeof input === 'string') return input;
  if (input && typeof input === 'object') {
    const text = (input as { text?: unknown }).text;
    if (typeof text === 'string') return text;
  }
  return null;
}

/** The call's detail, or null when it carries none. */
export function networkDetail(event: ApiEvent): NetworkDetail | null {
  const detail = (event as ApiEvent & { detail?: unknown }).detail;
  if (!detail || typeof detail !== 'object') return null;
  const d = detail as unknown as Record<string, unknown>;
  const request = (d.request ?? {}) as Record<string, unknown>;
  const response = (d.response ?? {}) as Record<string, unknown>;
  const responseHeaders = headers(d.responseHeaders ?? response.headers);
  const contentType = responseHeaders.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? null;
  // The stored shape (sdk/schema ApiDetail): the response body carries its mimeType.
  const mime = d.mimeType ?? response.mimeType ?? (d.responseBody as { mimeType?: unknown } | null | undefined)?.mimeType;
  return {
    requestHeaders: headers(d.requestHeaders ?? request.headers),
    responseHeaders,
    requestBody: body(d.requestBody ?? request.body),
    responseBody: body(d.responseBody ?? response.body),
    mimeType: typeof mime === 'string' ? mime : contentType,
  };
}
