import { NETWORK_DETAIL_LIMITS, type ApiDetail, type HttpBody, type HttpHeader } from '../../../schema';
import { binaryBody, formDataText, isAuthEndpoint, isTextType, redactBodyText, redactHeaders, type DetailRules } from './redactDetail';
import { setTimeout } from '../../tools/safeGlobals';

/** How long a response body may take to read before what was read is kept (a stream may never end). */
export const BODY_READ_TIMEOUT_MS = 3000;
/** JSON characters of one call's detail: with a 16 KB URL the event stays under LIMITS.maxEventChars (128 KB). */
export const MAX_DETAIL_JSON_CHARS = 100 * 1024;

/**
 * One page load's network detail: the rules the extension sent, and the body budget
 * (NETWORK_DETAIL_LIMITS.maxBodyCharsPerLoad) shared by fetch and XHR.
 */
export interface DetailContext {
  rules: DetailRules;
  /** Takes `chars` from the load's budget; false when it is spent. */
  take(chars: number): boolean;
}

export function createBodyBudget(max: number = NETWORK_DETAIL_LIMITS.maxBodyCharsPerLoad) {
  let left = max;
  return (chars: number) => {
    if (chars > left) return false;
    left -= chars;
    return true;
  };
}

/** A body, once redacted, against the load's budget (a redacted or binary body costs nothing). */
export function charge(body: HttpBody | null, context: DetailContext): HttpBody | null {
  if (!body?.text) return body;
  if (context.take(body.text.length)) return body;
  return { mimeType: body.mimeType, size: body.size, omitted: 'session_cap' };
}

export const headerPairs = (headers: Headers): [string, string][] => {
  const pairs: [string, string][] = [];
  headers.forEach((value, name) => pairs.push([name, value]));
  return pairs;
};

/** Parses getAllResponseHeaders(). */
export function parseRawHeaders(raw: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const line of raw.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) pairs.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return pairs;
}

/**
 * A request body as the page passed it to fetch / send: text, JSON, URL params and form data kept (redacted),
 * binary described by type and size. A login / token endpoint's body is never kept.
 */
export function requestBody(body: unknown, contentType: string, url: string, context: DetailContext): HttpBody | null {
  if (body === undefined || body === null) return null;
  if (isAuthEndpoint(url)) return { mimeType: contentType, size: typeof body === 'string' ? body.length : null, omitted: 'redacted' };
  if (typeof body === 'string') return redactBodyText(body, contentType || 'text/plain', context.rules);
  if (body instanceof URLSearchParams) return redactBodyText(body.toString(), 'application/x-www-form-urlencoded', context.rules);
  if (typeof FormData === 'function' && body instanceof FormData) {
    return { mimeType: 'multipart/form-data', size: null, text: formDataText(body, context.rules).slice(0, NETWORK_DETAIL_LIMITS.maxBodyChars) };
  }
  if (body instanceof Blob) return binaryBody(body.type || contentType, body.size);
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return binaryBody(contentType || 'application/octet-stream', body.byteLength);
  return { mimeType: contentType, size: null, omitted: body instanceof ReadableStream ? 'binary' : 'unreadable' };
}

/** Reads at most maxBodyChars + 1 characters of a fetch response's clone, within BODY_READ_TIMEOUT_MS. */
async function readText(response: Response): Promise<{ text: string; complete: boolean } | null> {
  const reader = response.body?.getReader();
  if (!reader) return { text: '', complete: true };
  const decoder = new TextDecoder();
  let text = '';
  let complete = false;
  const limit = NETWORK_DETAIL_LIMITS.maxBodyChars + 1;
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), BODY_READ_TIMEOUT_MS));
  try {
    while (text.length < limit) {
      const chunk = await Promise.race([reader.read(), timeout]);
      if (chunk === 'timeout') break;
      if (chunk.done) {
        text += decoder.decode();
        complete = true;
        break;
      }
      text += decoder.decode(chunk.value, { stream: true });
    }
  } catch {
    return null;
  } finally {
    // Our branch only: the page's own body (the other branch of the clone) reads on unaffected.
    reader.cancel().catch(() => {});
  }
  return { text, complete };
}

/** The response body of a fetch call, read from a clone made before the page saw the response. */
export async function fetchResponseBody(clone: Response | null, url: string, context: DetailContext): Promise<HttpBody | null> {
  if (!clone) return null;
  const mimeType = clone.headers.get('content-type') ?? '';
  const length = clone.headers.get('content-length');
  const declared = length !== null && /^\d+$/.test(length) ? Number(length) : null;
  if (isAuthEndpoint(url)) return { mimeType, size: declared, omitted: 'redacted' };
  if (clone.type === 'opaque' || clone.type === 'opaqueredirect') return { mimeType, size: null, omitted: 'unreadable' };
  if (!isTextType(mimeType)) {
    clone.body?.cancel().catch(() => {});
    return binaryBody(mimeType, declared);
  }
  const read = await readText(clone);
  if (!read) return { mimeType, size: declared, omitted: 'unreadable' };
  const body = redactBodyText(read.text, mimeType, context.rules, read.complete ? read.text.length : declared);
  if (!read.complete) body.truncated = true;
  return charge(body, context);
}

/** The response body of an XHR at loadend, by its responseType. */
export function xhrResponseBody(xhr: XMLHttpRequest, url: string, context: DetailContext): HttpBody | null {
  if (xhr.readyState !== 4 || xhr.status === 0) return null;
  const mimeType = xhr.getResponseHeader('content-type') ?? '';
  if (isAuthEndpoint(url)) return { mimeType, size: null, omitted: 'redacted' };
  switch (xhr.responseType) {
    case '':
    case 'text':
      return charge(isTextType(mimeType) ? redactBodyText(xhr.responseText, mimeType, context.rules) : binaryBody(mimeType, xhr.responseText.length), context);
    case 'json':
      return charge(redactBodyText(JSON.stringify(xhr.response) ?? '', mimeType || 'application/json', context.rules), context);
    case 'blob':
      return binaryBody(mimeType || (xhr.response as Blob | null)?.type || '', (xhr.response as Blob | null)?.size ?? null);
    case 'arraybuffer':
      return binaryBody(mimeType, (xhr.response as ArrayBuffer | null)?.byteLength ?? null);
    default:
      return { mimeType, size: null, omitted: 'unreadable' };
  }
}

export function buildDetail(
  requestHeaders: [string, string][],
  responseHeaders: [string, string][],
  request: HttpBody | null,
  response: HttpBody | null,
  context: DetailContext,
): ApiDetail {
  const detail: ApiDetail = {
    requestHeaders: redactHeaders(requestHeaders, context.rules),
    responseHeaders: redactHeaders(responseHeaders, context.rules),
    requestBody: charge(request, context),
    responseBody: response,
  };
  return fitDetail(detail);
}

/** Cuts the longest body text until the detail fits in one event (escaping can grow JSON past the char caps). */
export function fitDetail(detail: ApiDetail): ApiDetail {
  for (let round = 0; round < 8 && JSON.stringify(detail).length > MAX_DETAIL_JSON_CHARS; round++) {
    const bodies = [detail.requestBody, detail.responseBody].filter((b): b is HttpBody & { text: string } => !!b?.text);
    const longest = bodies.sort((a, b) => b.text.length - a.text.length)[0];
    if (!longest) break;
    longest.text = longest.text.slice(0, Math.floor(longest.text.length / 2));
    longest.truncated = true;
  }
  if (JSON.stringify(detail).length > MAX_DETAIL_JSON_CHARS) {
    detail.requestHeaders = detail.requestHeaders.slice(0, 10);
    detail.responseHeaders = detail.responseHeaders.slice(0, 10);
  }
  return detail;
}

export type { HttpHeader };
