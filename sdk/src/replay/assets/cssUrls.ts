/**
 * URLs inside CSS text: `url()` (backgrounds, `@font-face src`, cursors…) and `@import "…"`, resolved against
 * the stylesheet's own URL. Pure code shared by the background (what to fetch) and the player (what to
 * rewrite to kept assets); never runs in the page.
 */

/** `url()` in CSS, or the stylesheet of an `@import`. */
export type CssUrlKind = 'url' | 'import';

/**
 * One pass over CSS: comments (kept as they are), `url(…)` in its three spellings, and `@import` with a string.
 * Groups: 1 "url", 2 'url', 3 bare url, 4 @import "…", 5 @import '…'.
 */
const CSS_URL = /\/\*[\s\S]*?(?:\*\/|$)|url\(\s*(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|((?:[^)"'\s\\]|\\.)*))\s*\)|@import\s+(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)')/gi;

const IMPORT_BEFORE = /@import\s+$/i;

function unescapeCss(value: string): string {
  return value.replace(/\\([0-9a-f]{1,6}\s?|[\s\S])/gi, (_all, escaped: string) => {
    if (/^[0-9a-f]/i.test(escaped) && /^[0-9a-f]{1,6}\s?$/i.test(escaped)) {
      const code = parseInt(escaped, 16);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
    }
    return escaped;
  });
}

/**
 * The absolute http(s) URL a CSS reference names, or null: data:, blob:, fragment-only (`url(#clip)`), other
 * schemes and unparsable references are not assets to keep.
 */
export function resolveAssetUrl(raw: string, base: string | null | undefined): string | null {
  const value = raw.trim();
  if (!value || value.startsWith('#')) return null;
  let url: URL;
  try {
    url = base ? new URL(value, base) : new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.hash = '';
  return url.href;
}

function fragmentOf(raw: string): string {
  const at = raw.indexOf('#');
  return at < 0 ? '' : raw.slice(at).trim();
}

/**
 * Calls `visit` for every asset URL of `css` (absolute, resolved against `base`) in order; when it returns a
 * string, that reference is replaced by it (quoted). Returns the CSS with the replacements (the same string
 * when nothing changed).
 */
export function mapCssUrls(css: string, base: string | null | undefined, visit: (url: string, kind: CssUrlKind) => string | undefined): string {
  if (!css || (!css.includes('url(') && !css.includes('URL(') && !/@import/i.test(css))) return css;
  return css.replace(CSS_URL, (match: string, dq?: string, sq?: string, bare?: string, importDq?: string, importSq?: string, offset?: number) => {
    if (match.startsWith('/*')) return match;
    const isImportString = importDq !== undefined || importSq !== undefined;
    const raw = unescapeCss(dq ?? sq ?? bare ?? importDq ?? importSq ?? '');
    const url = resolveAssetUrl(raw, base);
    if (!url) return match;
    const kind: CssUrlKind = isImportString || IMPORT_BEFORE.test(css.slice(Math.max(0, (offset ?? 0) - 16), offset)) ? 'import' : 'url';
    const replacement = visit(url, kind);
    if (replacement === undefined) return match;
    // The fragment (an SVG sprite's `#icon`) stays with the kept asset.
    const quoted = JSON.stringify(replacement + fragmentOf(raw));
    return isImportString ? `@import ${quoted}` : `url(${quoted})`;
  });
}

/** The asset URLs of CSS text, each once, in order of first appearance. */
export function cssAssetUrls(css: string, base: string | null | undefined): { url: string; kind: CssUrlKind }[] {
  const seen = new Map<string, CssUrlKind>();
  mapCssUrls(css, base, (url, kind) => {
    if (!seen.has(url) || kind === 'import') seen.set(url, kind);
    return undefined;
  });
  return [...seen].map(([url, kind]) => ({ url, kind }));
}

/** Image candidates of a `srcset` ("a.png 1x, b.png 2x"), resolved against `base`. */
export function mapSrcset(srcset: string, base: string | null | undefined, visit: (url: string) => string | undefined): string {
  return srcset.replace(/(^|,)(\s*)([^\s,][^\s]*?)(?=\s|,|$)/g, (match, sep: string, space: string, candidate: string) => {
    // A URL may itself contain commas only when followed by a descriptor; rrweb writes them absolute without.
    const url = resolveAssetUrl(candidate, base);
    if (!url) return match;
    const replacement = visit(url);
    return replacement === undefined ? match : `${sep}${space}${replacement}${fragmentOf(candidate)}`;
  });
}
