/**
 * What the asset fetcher keeps of a response (docs/replay-assets.md), decided from its status and headers
 * before the body is read, and how it asks for it. Pure: the extension's background and the team server share it.
 */
import type { ReplayAssetKind, ReplayAssetSkipReason } from '../../../schema';

export interface AssetResponseHead {
  status: number;
  /** Header values as the response gave them (null when absent). */
  contentType: string | null;
  cacheControl: string | null;
  contentLength: string | null;
}

export type AssetDecision = { keep: true; contentType: string; css: boolean } | { keep: false; reason: ReplayAssetSkipReason; detail?: string };

const FONT_TYPES = /^(font\/|application\/(x-)?font-|application\/vnd\.ms-fontobject$|application\/font-woff2?$|application\/x-font-ttf$)/;

/** The media type without parameters, lower case ('' when absent). */
function mediaType(contentType: string | null): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** A `Cache-Control` that asks shared caches (and so this store) not to keep the response. */
export function isPrivateResponse(cacheControl: string | null): boolean {
  return !!cacheControl && /(^|[\s,])(private|no-store)(\s*=|\s*,|\s*$)/i.test(cacheControl);
}

/**
 * Whether to read and keep a response. Stylesheets are kept as text/css (or text/plain and no type at all
 * when the reference was a stylesheet: dev servers send those); fonts and images by their media type; a font
 * served as application/octet-stream is kept when CSS referenced it. `allowPrivate`: the user opted the
 * recorded site in to keeping `private` / `no-store` responses.
 */
export function decideAsset(head: AssetResponseHead, kind: ReplayAssetKind, options: { maxAssetBytes: number; allowPrivate: boolean }): AssetDecision {
  if (head.status < 200 || head.status > 299) return { keep: false, reason: 'http', detail: String(head.status) };
  if (!options.allowPrivate && isPrivateResponse(head.cacheControl)) return { keep: false, reason: 'private', detail: head.cacheControl ?? '' };
  const length = head.contentLength === null ? NaN : Number(head.contentLength);
  if (Number.isFinite(length) && length > options.maxAssetBytes) return { keep: false, reason: 'too_large', detail: `${length} bytes` };
  const type = mediaType(head.contentType);
  if (type === 'text/css') return { keep: true, contentType: type, css: true };
  if (kind === 'stylesheet' && (type === '' || type === 'text/plain')) return { keep: true, contentType: 'text/css', css: true };
  if (type.startsWith('image/') || FONT_TYPES.test(type)) return { keep: true, contentType: type, css: false };
  if (kind === 'css' && (type === 'application/octet-stream' || type === '')) return { keep: true, contentType: type || 'application/octet-stream', css: false };
  return { keep: false, reason: 'type', detail: type || 'none' };
}

/**
 * Credentials for the request: the user's cookies go only to the recorded page's own origin (as its own
 * requests for same-origin stylesheets and images carried them); other origins get a request without them.
 */
export function assetCredentials(assetUrl: string, pageUrl: string | null): RequestCredentials {
  if (!pageUrl) return 'omit';
  try {
    return new URL(assetUrl).origin === new URL(pageUrl).origin ? 'include' : 'omit';
  } catch {
    return 'omit';
  }
}
