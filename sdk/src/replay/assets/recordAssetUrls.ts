/**
 * The asset URLs a recording makes the page show (stylesheets, fonts and images), found in rrweb records: full
 * snapshots, mutations (added nodes, changed attributes, changed style text) and stylesheet rule records. The
 * same walk finds them (the background, to fetch them) and rewrites them (the player, to kept assets). Pure
 * code, never in the page. See docs/replay-assets.md.
 */
import { REPLAY_FULL_SNAPSHOT, REPLAY_META, type ReplayRecord } from '../../../schema';
import { mapCssUrls, mapSrcset, resolveAssetUrl } from './cssUrls';

/** A stylesheet (a `<link>` or an `@import`), an image (an element's URL), or a `url()` in CSS (a font, a background). */
export type AssetKind = 'stylesheet' | 'image' | 'css';

export interface AssetRef {
  url: string;
  kind: AssetKind;
}

/** Returns a replacement for the URL (the player's kept copy), or undefined to leave it. */
export type AssetVisitor = (url: string, kind: AssetKind) => string | undefined;

/**
 * What the walk remembers between records of one load: the page URL (meta records) and which node ids are
 * style elements, their text nodes, and elements whose URL attributes are assets (mutations name nodes by id).
 * A full snapshot starts the ids over.
 */
export interface AssetScanState {
  pageUrl: string | null;
  styleTexts: Set<number>;
  /** Node id → tag name, for `style`, stylesheet `link`s and the elements of ASSET_TAGS. */
  tags: Map<number, string>;
}

export function createAssetScanState(pageUrl: string | null = null): AssetScanState {
  return { pageUrl, styleTexts: new Set(), tags: new Map() };
}

// rrweb's node types and incremental sources (see @rrweb/types).
const NODE_DOCUMENT = 0;
const NODE_ELEMENT = 2;
const NODE_TEXT = 3;
const INCREMENTAL = 3;
const SOURCE_MUTATION = 0;
const SOURCE_STYLESHEET_RULE = 8;
const SOURCE_STYLE_DECLARATION = 13;
const SOURCE_ADOPTED_STYLESHEET = 15;

/** Elements whose URL attributes show an image (or, for `link`, a stylesheet). */
const ASSET_TAGS = new Set(['img', 'source', 'video', 'input', 'image', 'body', 'table', 'td', 'th', 'link', 'style']);

type Attributes = Record<string, unknown>;

interface SerializedNode {
  type?: number;
  id?: number;
  tagName?: string;
  attributes?: Attributes;
  childNodes?: SerializedNode[];
  textContent?: string;
}

function isStylesheetLink(attributes: Attributes): boolean {
  return typeof attributes.rel === 'string' && /(^|\s)stylesheet(\s|$)/i.test(attributes.rel);
}

function mapCss(css: unknown, base: string | null, visit: AssetVisitor): unknown {
  if (typeof css !== 'string') return css;
  return mapCssUrls(css, base, (url, kind) => visit(url, kind === 'import' ? 'stylesheet' : 'css'));
}

function mapUrl(value: unknown, base: string | null, kind: AssetKind, visit: AssetVisitor): unknown {
  if (typeof value !== 'string') return value;
  const url = resolveAssetUrl(value, base);
  if (!url) return value;
  return visit(url, kind) ?? value;
}

function set(attributes: Attributes, name: string, value: unknown) {
  if (attributes[name] !== value) attributes[name] = value;
}

/**
 * An element's asset attributes. `stylesheetLink`: the element is a `<link rel=stylesheet>` (known from its
 * attributes, or from the state when a mutation changes only its href).
 */
function mapAttributes(tag: string, attributes: Attributes, base: string | null, visit: AssetVisitor, stylesheetLink: boolean) {
  if ('_cssText' in attributes) set(attributes, '_cssText', mapCss(attributes._cssText, base, visit));
  if (typeof attributes.style === 'string') set(attributes, 'style', mapCss(attributes.style, base, visit));
  const image = (name: string) => {
    if (name in attributes) set(attributes, name, mapUrl(attributes[name], base, 'image', visit));
  };
  const srcset = () => {
    const value = attributes.srcset;
    if (typeof value === 'string') set(attributes, 'srcset', mapSrcset(value, base, (url) => visit(url, 'image')));
  };
  switch (tag) {
    case 'link':
      if (stylesheetLink && 'href' in attributes) set(attributes, 'href', mapUrl(attributes.href, base, 'stylesheet', visit));
      break;
    case 'img':
      image('src');
      srcset();
      break;
    case 'source':
      srcset();
      break;
    case 'video':
      image('poster');
      break;
    case 'input':
      if (typeof attributes.type !== 'string' || attributes.type.toLowerCase() === 'image') image('src');
      break;
    case 'image':
      image('href');
      image('xlink:href');
      break;
    case 'body':
    case 'table':
    case 'td':
    case 'th':
      image('background');
      break;
  }
}

function walkTree(root: SerializedNode | undefined, parentTag: string, state: AssetScanState, visit: AssetVisitor) {
  const stack: [SerializedNode | undefined, string][] = [[root, parentTag]];
  while (stack.length) {
    const [node, parent] = stack.pop()!;
    if (!node || typeof node !== 'object') continue;
    let tag = '';
    if (node.type === NODE_ELEMENT && typeof node.tagName === 'string') {
      tag = node.tagName.toLowerCase();
      const attributes = node.attributes && typeof node.attributes === 'object' ? node.attributes : null;
      const stylesheetLink = tag === 'link' && !!attributes && isStylesheetLink(attributes);
      if (typeof node.id === 'number' && ASSET_TAGS.has(tag) && (tag !== 'link' || stylesheetLink)) state.tags.set(node.id, tag);
      if (attributes) mapAttributes(tag, attributes, state.pageUrl, visit, stylesheetLink);
    } else if (node.type === NODE_TEXT && parent === 'style') {
      if (typeof node.id === 'number') state.styleTexts.add(node.id);
      const css = mapCss(node.textContent, state.pageUrl, visit);
      if (css !== node.textContent) node.textContent = css as string;
    }
    if (Array.isArray(node.childNodes)) {
      // The document's children have no parent element; others pass their tag down.
      const childParent = node.type === NODE_DOCUMENT ? '' : tag;
      for (let i = node.childNodes.length - 1; i >= 0; i--) stack.push([node.childNodes[i], childParent]);
    }
  }
}

function mapRules(rules: unknown, state: AssetScanState, visit: AssetVisitor) {
  if (!Array.isArray(rules)) return;
  for (const entry of rules as { rule?: unknown }[]) {
    if (entry && typeof entry === 'object' && typeof entry.rule === 'string') {
      const css = mapCss(entry.rule, state.pageUrl, visit);
      if (css !== entry.rule) entry.rule = css;
    }
  }
}

function mapMutation(data: Record<string, unknown>, state: AssetScanState, visit: AssetVisitor) {
  for (const add of (Array.isArray(data.adds) ? data.adds : []) as { parentId?: number; node?: SerializedNode }[]) {
    if (!add || typeof add !== 'object') continue;
    walkTree(add.node, (typeof add.parentId === 'number' && state.tags.get(add.parentId)) || '', state, visit);
  }
  for (const text of (Array.isArray(data.texts) ? data.texts : []) as { id?: number; value?: unknown }[]) {
    if (text && typeof text.id === 'number' && state.styleTexts.has(text.id)) {
      const css = mapCss(text.value, state.pageUrl, visit);
      if (css !== text.value) text.value = css;
    }
  }
  for (const change of (Array.isArray(data.attributes) ? data.attributes : []) as { id?: number; attributes?: Attributes }[]) {
    const attributes = change?.attributes;
    if (!attributes || typeof attributes !== 'object') continue;
    const tag = (typeof change.id === 'number' && state.tags.get(change.id)) || '';
    const style = attributes.style;
    if (style && typeof style === 'object') {
      // rrweb's style diff: { property: value | [value, priority] | false }.
      const properties = style as Record<string, unknown>;
      for (const name of Object.keys(properties)) {
        const value = properties[name];
        if (typeof value === 'string') properties[name] = mapCss(value, state.pageUrl, visit);
        else if (Array.isArray(value) && typeof value[0] === 'string') value[0] = mapCss(value[0], state.pageUrl, visit);
      }
    }
    mapAttributes(tag, attributes, state.pageUrl, visit, tag === 'link');
  }
}

/**
 * Visits every asset URL of `records` in order (absolute, resolved against the page URL) and writes back the
 * visitor's replacements into the records, in place. `state` carries node ids across calls for one load.
 */
export function mapRecordAssetUrls(records: readonly ReplayRecord[], state: AssetScanState, visit: AssetVisitor): void {
  for (const record of records) {
    const data = record?.data as Record<string, unknown> | null;
    if (!data || typeof data !== 'object') continue;
    if (record.type === REPLAY_META) {
      if (typeof data.href === 'string') state.pageUrl = data.href;
    } else if (record.type === REPLAY_FULL_SNAPSHOT) {
      state.styleTexts.clear();
      state.tags.clear();
      walkTree(data.node as SerializedNode, '', state, visit);
    } else if (record.type === INCREMENTAL) {
      if (data.source === SOURCE_MUTATION) mapMutation(data, state, visit);
      else if (data.source === SOURCE_STYLESHEET_RULE) mapRules(data.adds, state, visit);
      else if (data.source === SOURCE_STYLE_DECLARATION) {
        const declaration = data.set as { value?: unknown } | undefined;
        if (declaration && typeof declaration === 'object' && typeof declaration.value === 'string') {
          declaration.value = mapCss(declaration.value, state.pageUrl, visit) as string;
        }
      } else if (data.source === SOURCE_ADOPTED_STYLESHEET && Array.isArray(data.styles)) {
        for (const style of data.styles as { rules?: unknown }[]) mapRules(style?.rules, state, visit);
      }
    }
  }
}

/** The asset URLs of `records` (records untouched), each once: a URL seen as a stylesheet stays one. */
export function recordAssetUrls(records: readonly ReplayRecord[], state: AssetScanState = createAssetScanState()): AssetRef[] {
  const found = new Map<string, AssetKind>();
  mapRecordAssetUrls(records, state, (url, kind) => {
    if (found.get(url) !== 'stylesheet') found.set(url, kind);
    return undefined;
  });
  return [...found].map(([url, kind]) => ({ url, kind }));
}

/**
 * A copy of `records` whose asset URLs point at kept copies (`replacements`: absolute URL → e.g. a blob: URL);
 * URLs without one stay (the live site). `pageUrl` is the base before the first meta record.
 */
export function rewriteRecordsToAssets(records: readonly ReplayRecord[], replacements: ReadonlyMap<string, string>, pageUrl: string | null = null): ReplayRecord[] {
  const copy = structuredClone(records) as ReplayRecord[];
  if (!replacements.size) return copy;
  mapRecordAssetUrls(copy, createAssetScanState(pageUrl), (url) => replacements.get(url));
  return copy;
}
