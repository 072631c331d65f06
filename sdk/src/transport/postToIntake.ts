/**
 * One POST to the team server's intake (standalone mode only: in extension mode the page never uses the
 * network). gzip through CompressionStream where the browser has it, except for a keepalive request sent at
 * page exit (there is no time to wait for a stream then). Never throws: every outcome is a PostResult.
 */
import { UPLOAD_TOKEN_HEADER } from '../../schema';
import { clearTimeout, setTimeout } from '../tools/safeGlobals';

export type PostResult =
  /** 2xx, or a 409 whose body the caller reads (a gap, an unknown load). */
  | { kind: 'answered'; status: number; body: unknown }
  /** Network error, 408, 429 or 5xx: send the same body again later (after retryAfterMs when the server said). */
  | { kind: 'retry'; status: number; retryAfterMs: number | null }
  /** Any other 4xx: the server will never take this body (bad token, invalid batch, too large). */
  | { kind: 'refused'; status: number };

export interface IntakeTarget {
  /** Full URL of the route. */
  url: string;
  token: string;
}

/** keepalive requests share a 64 KiB budget per page in the browsers: bodies above this go as plain requests. */
export const KEEPALIVE_MAX_BYTES = 60 * 1024;
/** Bodies smaller than this go uncompressed (gzip would save little). */
const GZIP_MIN_CHARS = 1024;
/** A request that has not answered by then is retried (the server's dedup makes a late answer harmless). */
const REQUEST_TIMEOUT_MS = 30_000;

// The browser's own fetch, taken when the SDK loads: the SDK's request tracking wraps window.fetch later.
const nativeFetch: typeof fetch | undefined = typeof fetch === 'function' ? fetch.bind(globalThis) : undefined;
const Compression: typeof CompressionStream | undefined = typeof CompressionStream === 'function' ? CompressionStream : undefined;

async function gzip(text: string): Promise<Uint8Array | null> {
  if (!Compression) return null;
  try {
    const stream = new Blob([text]).stream().pipeThrough(new Compression('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    return null;
  }
}

function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** Sends `json` to the intake. `atExit`: the page is going away, so the body leaves at once (keepalive, no gzip). */
export async function postToIntake(target: IntakeTarget, json: string, options: { atExit?: boolean; fetch?: typeof fetch } = {}): Promise<PostResult> {
  const doFetch = options.fetch ?? nativeFetch;
  if (!doFetch) return { kind: 'refused', status: 0 };
  const headers: Record<string, string> = { 'content-type': 'application/json', [UPLOAD_TOKEN_HEADER]: target.token };
  let body: string | Uint8Array = json;
  if (!options.atExit && json.length >= GZIP_MIN_CHARS) {
    const compressed = await gzip(json);
    if (compressed) {
      body = compressed;
      headers['content-encoding'] = 'gzip';
    }
  }
  const bytes = typeof body === 'string' ? new Blob([body]).size : body.byteLength;
  const abort = typeof AbortController === 'function' ? new AbortController() : undefined;
  const timer = abort && !options.atExit ? setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS) : undefined;
  try {
    const response = await doFetch(target.url, {
      method: 'POST',
      headers,
      body: body as BodyInit,
      keepalive: bytes <= KEEPALIVE_MAX_BYTES,
      credentials: 'omit',
      mode: 'cors',
      signal: abort?.signal,
    });
    const status = response.status;
    if (status === 408 || status === 429 || status >= 500) return { kind: 'retry', status, retryAfterMs: retryAfterMs(response.headers.get('retry-after')) };
    if ((status >= 200 && status < 300) || status === 409) return { kind: 'answered', status, body: await response.json().catch(() => null) };
    return { kind: 'refused', status };
  } catch {
    return { kind: 'retry', status: 0, retryAfterMs: null };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** Exponential backoff: 0.5 s, 1 s, 2 s … capped at 30 s; the server's Retry-After wins (capped at 5 min). */
export function backoffMs(attempt: number, retryAfter: number | null): number {
  if (retryAfter !== null) return Math.min(retryAfter, 5 * 60_000);
  return Math.min(30_000, 500 * 2 ** Math.min(attempt, 16));
}
