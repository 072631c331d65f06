import { describe, expect, test } from 'vitest';
import type { ReplayRecord } from '../../../schema';
import { createAssetScanState, recordAssetUrls, rewriteRecordsToAssets } from './recordAssetUrls';

const PAGE = 'http://127.0.0.1:5173/shop/item.html';
const OTHER = 'http://127.0.0.1:5174';

let nextId = 1;
const el = (tagName: string, attributes: Record<string, unknown> = {}, childNodes: unknown[] = []) => ({ type: 2, id: nextId++, tagName, attributes, childNodes });
const text = (textContent: string) => ({ type: 3, id: nextId++, textContent });

const meta = (href = PAGE): ReplayRecord => ({ type: 4, timestamp: 1, data: { href, width: 800, height: 600 } });
const full = (...body: unknown[]): ReplayRecord => ({
  type: 2,
  timestamp: 2,
  data: { node: { type: 0, id: nextId++, childNodes: [{ type: 1, id: nextId++, name: 'html' }, el('html', {}, [el('head'), el('body', {}, body)])] }, initialOffset: { top: 0, left: 0 } },
});
const incremental = (data: Record<string, unknown>): ReplayRecord => ({ type: 3, timestamp: 3, data });

describe('recordAssetUrls', () => {
  test('a full snapshot: a non-inlined stylesheet link, inlined CSS, <style> text, style attributes, images', () => {
    const records = [
      meta(),
      full(
        el('link', { rel: 'stylesheet', href: `${OTHER}/fonts.css` }),
        el('link', { rel: 'icon', href: '/favicon.ico' }),
        el('link', { _cssText: `@font-face { font-family: Shop; src: url(${OTHER}/shop.woff2) format("woff2") }` }),
        el('style', {}, [text('.hero { background: url(/img/hero.jpg) }')]),
        el('div', { style: 'background-image: url("tile.png")' }),
        el('img', { src: 'http://127.0.0.1:5173/img/a.png', srcset: '/img/a-2x.png 2x' }),
        el('picture', {}, [el('source', { srcset: `${OTHER}/b.webp` }), el('img', { src: 'data:image/gif;base64,R0lGOD' })]),
        el('video', { poster: 'poster.jpg', src: 'movie.mp4' }),
        el('svg', {}, [el('image', { 'xlink:href': 'logo.svg' })]),
        el('script', { src: 'app.js' }),
      ),
    ];
    expect(recordAssetUrls(records)).toEqual([
      { url: `${OTHER}/fonts.css`, kind: 'stylesheet' },
      { url: `${OTHER}/shop.woff2`, kind: 'css' },
      { url: 'http://127.0.0.1:5173/img/hero.jpg', kind: 'css' },
      { url: 'http://127.0.0.1:5173/shop/tile.png', kind: 'css' },
      { url: 'http://127.0.0.1:5173/img/a.png', kind: 'image' },
      { url: 'http://127.0.0.1:5173/img/a-2x.png', kind: 'image' },
      { url: `${OTHER}/b.webp`, kind: 'image' },
      { url: 'http://127.0.0.1:5173/shop/poster.jpg', kind: 'image' },
      { url: 'http://127.0.0.1:5173/shop/logo.svg', kind: 'image' },
    ]);
  });

  test('the records are left as they were', () => {
    const records = [meta(), full(el('img', { src: 'a.png' }), el('style', {}, [text('a { background: url(b.png) }')]))];
    const before = JSON.stringify(records);
    recordAssetUrls(records);
    expect(JSON.stringify(records)).toBe(before);
  });

  test('mutations across segments of one load: added nodes, style text changes, attribute changes, style diffs', () => {
    const style = el('style', {}, [text('')]);
    const styleText = (style.childNodes[0] as { id: number }).id;
    const img = el('img', { src: 'first.png' });
    const state = createAssetScanState();
    expect(recordAssetUrls([meta(), full(style, img)], state).map((a) => a.url)).toEqual(['http://127.0.0.1:5173/shop/first.png']);
    // A later segment: the state remembers which ids are a style's text and an image.
    const later = [
      incremental({ source: 0, texts: [{ id: styleText, value: '.x { background: url(x.png) }' }], attributes: [], removes: [], adds: [] }),
      incremental({ source: 0, texts: [], removes: [], adds: [{ parentId: style.id, nextId: null, node: text('.y { background: url(y.png) }') }] }),
      incremental({ source: 0, texts: [], removes: [], adds: [], attributes: [{ id: img.id, attributes: { src: 'second.png', style: { background: 'url(bg.png)', 'list-style-image': ['url(dot.png)', 'important'], color: false } } }] }),
      incremental({ source: 0, texts: [], removes: [], adds: [{ parentId: 1, nextId: null, node: el('img', { src: `${OTHER}/added.png` }) }] }),
    ];
    expect(recordAssetUrls(later, state).map((a) => a.url)).toEqual([
      'http://127.0.0.1:5173/shop/x.png',
      'http://127.0.0.1:5173/shop/y.png',
      'http://127.0.0.1:5173/shop/bg.png',
      'http://127.0.0.1:5173/shop/dot.png',
      'http://127.0.0.1:5173/shop/second.png',
      `${OTHER}/added.png`,
    ]);
  });

  test('a text change of a node that is not a style, and a src change on an unknown element, are not assets', () => {
    const p = el('p', {}, [text('hello')]);
    const state = createAssetScanState();
    recordAssetUrls([meta(), full(p)], state);
    const later = [incremental({ source: 0, adds: [], removes: [], texts: [{ id: (p.childNodes[0] as { id: number }).id, value: 'see url(evil.png)' }], attributes: [{ id: p.id, attributes: { src: 'x.png' } }] })];
    expect(recordAssetUrls(later, state)).toEqual([]);
  });

  test('stylesheet rule records: insertRule, style declarations and adopted stylesheets, resolved against the page', () => {
    const records = [
      meta(),
      incremental({ source: 8, id: 5, adds: [{ rule: '.a { background: url(rule.png) }', index: 0 }] }),
      incremental({ source: 13, id: 5, index: [0], set: { property: 'background', value: 'url(/decl.png)' } }),
      incremental({ source: 15, id: 1, styleIds: [1], styles: [{ styleId: 1, rules: [{ rule: '@import "adopted.css";', index: 0 }] }] }),
    ];
    expect(recordAssetUrls(records)).toEqual([
      { url: 'http://127.0.0.1:5173/shop/rule.png', kind: 'css' },
      { url: 'http://127.0.0.1:5173/decl.png', kind: 'css' },
      { url: 'http://127.0.0.1:5173/shop/adopted.css', kind: 'stylesheet' },
    ]);
  });

  test('a URL seen both as a stylesheet and in url() stays a stylesheet; each URL once', () => {
    const records = [meta(), full(el('link', { rel: 'stylesheet', href: '/a.css' }), el('div', { style: 'background: url(/a.css)' }), el('img', { src: '/i.png' }), el('img', { src: '/i.png' }))];
    expect(recordAssetUrls(records)).toEqual([
      { url: 'http://127.0.0.1:5173/a.css', kind: 'stylesheet' },
      { url: 'http://127.0.0.1:5173/i.png', kind: 'image' },
    ]);
  });
});

describe('rewriteRecordsToAssets', () => {
  test('kept assets point at their copies everywhere; missing ones keep the live URL; the input is untouched', () => {
    const style = el('style', {}, [text(`.hero { background: url(${OTHER}/hero.jpg) }`)]);
    const img = el('img', { src: '/kept.png', srcset: '/kept.png 1x, /gone.png 2x' });
    const records = [
      meta(),
      full(el('link', { rel: 'stylesheet', href: `${OTHER}/fonts.css` }), style, img, el('div', { style: 'background: url(/gone.png)' })),
      incremental({ source: 0, texts: [], removes: [], adds: [], attributes: [{ id: img.id, attributes: { style: { background: ['url(/kept.png)', ''] } } }] }),
      incremental({ source: 8, id: style.id, adds: [{ rule: `@font-face { font-family: F; src: url(${OTHER}/f.woff2) }`, index: 1 }] }),
    ];
    const before = JSON.stringify(records);
    const kept = new Map([
      [`${OTHER}/fonts.css`, 'blob:panel/css'],
      [`${OTHER}/hero.jpg`, 'blob:panel/hero'],
      ['http://127.0.0.1:5173/kept.png', 'blob:panel/kept'],
      [`${OTHER}/f.woff2`, 'blob:panel/font'],
    ]);
    const out = rewriteRecordsToAssets(records, kept);
    expect(JSON.stringify(records)).toBe(before);
    const body = (out[1]!.data as { node: { childNodes: { childNodes: { childNodes: { attributes: Record<string, unknown>; childNodes: { textContent: string }[] }[] }[] }[] } }).node.childNodes[1]!.childNodes[1]!.childNodes;
    expect(body[0]!.attributes.href).toBe('blob:panel/css');
    expect(body[1]!.childNodes[0]!.textContent).toBe('.hero { background: url("blob:panel/hero") }');
    expect(body[2]!.attributes).toEqual({ src: 'blob:panel/kept', srcset: 'blob:panel/kept 1x, /gone.png 2x' });
    expect(body[3]!.attributes.style).toBe('background: url(/gone.png)');
    expect(out[2]!.data).toMatchObject({ attributes: [{ attributes: { style: { background: ['url("blob:panel/kept")', ''] } } }] });
    expect(out[3]!.data).toMatchObject({ adds: [{ rule: '@font-face { font-family: F; src: url("blob:panel/font") }' }] });
  });
});
