import { describe, expect, test } from 'vitest';
import type { ReplayAssetRef, ReplayAssetsData, ReplayRecord } from '../sdk/schema';
import { createReplayAssetServer, prepareReplayAssets } from './replayAssets';

const A = 'http://127.0.0.1:5173/fixtures/assets/';
const B = 'http://127.0.0.1:5174/fixtures/assets/';
const enc = (text: string) => new TextEncoder().encode(text);

const records: ReplayRecord[] = [
  { type: 4, timestamp: 1, data: { href: `${A}page.html`, width: 800, height: 600 } },
  {
    type: 2,
    timestamp: 2,
    data: {
      node: {
        type: 0, id: 1, childNodes: [
          { type: 2, id: 2, tagName: 'link', attributes: { rel: 'stylesheet', href: `${B}remote.css` }, childNodes: [] },
          { type: 2, id: 3, tagName: 'img', attributes: { src: `${A}photo.png` }, childNodes: [] },
          { type: 2, id: 4, tagName: 'img', attributes: { src: `${A}gone.png` }, childNodes: [] },
          { type: 2, id: 5, tagName: 'img', attributes: { src: `${A}never.png` }, childNodes: [] },
        ],
      },
      initialOffset: { top: 0, left: 0 },
    },
  },
];

const ref = (url: string, hash: string | null, extra: Partial<ReplayAssetRef> = {}): ReplayAssetRef => ({ sessionId: 's1', url, kind: 'image', hash, bytes: hash ? 3 : 0, at: 1, ...extra });

const assets: ReplayAssetsData = {
  refs: [
    ref(`${B}remote.css`, 'css', { kind: 'stylesheet' }),
    ref(`${B}theme.css`, 'theme', { kind: 'stylesheet' }),
    ref(`${B}font.woff2`, 'font', { kind: 'css' }),
    ref(`${B}tile.png`, 'tile', { kind: 'css' }),
    ref(`${A}photo.png`, 'photo'),
    ref(`${A}gone.png`, null, { reason: 'http', detail: '404' }),
  ],
  bodies: [
    { hash: 'css', contentType: 'text/css', data: enc('@import "theme.css"; @font-face { src: url(font.woff2) } .a { background: url(tile.png) } .b { background: url(lost.png) }') },
    { hash: 'theme', contentType: 'text/css; charset=utf-8', data: enc('.t { background: url(tile.png) }') },
    { hash: 'font', contentType: 'font/woff2', data: new Uint8Array([1, 2, 3]) },
    { hash: 'tile', contentType: 'image/png', data: new Uint8Array([4, 5, 6]) },
    { hash: 'photo', contentType: 'image/png', data: new Uint8Array([7, 8, 9]) },
  ],
};

function fakeUrls() {
  const made: { url: string; text: string; contentType: string }[] = [];
  const make = (data: Uint8Array, contentType: string) => {
    const url = `blob:panel/${made.length + 1}`;
    made.push({ url, text: new TextDecoder().decode(data), contentType });
    return url;
  };
  return { made, make };
}

describe('prepareReplayAssets', () => {
  test('kept stylesheets are rewritten to kept copies of what they reference; the records point at local URLs', () => {
    const { made, make } = fakeUrls();
    const prepared = prepareReplayAssets(records, assets, make);
    const urlOf = (text: string) => made.find((m) => m.text === text)?.url;
    const tile = made.find((m) => m.text === '\u0004\u0005\u0006')!.url;
    const theme = made.find((m) => m.text === `.t { background: url("${tile}") }`);
    expect(theme?.contentType).toBe('text/css');
    const remote = made.find((m) => m.text.startsWith(`@import "${theme!.url}";`))!;
    expect(remote.text).toBe(`@import "${theme!.url}"; @font-face { src: url("${urlOf('\u0001\u0002\u0003')}") } .a { background: url("${tile}") } .b { background: url("${B}lost.png") }`);
    // One local URL per body: the tile used by both stylesheets is made once.
    expect(made.filter((m) => m.text === '\u0004\u0005\u0006')).toHaveLength(1);
    expect(prepared.localUrls).toEqual(made.map((m) => m.url));
    const nodes = (prepared.records[1]!.data as { node: { childNodes: { attributes: Record<string, string> }[] } }).node.childNodes;
    expect(nodes.map((n) => n.attributes.href ?? n.attributes.src)).toEqual([remote.url, urlOf('\u0007\u0008\u0009'), `${A}gone.png`, `${A}never.png`]);
    // The input records are untouched.
    expect((records[1]!.data as { node: { childNodes: { attributes: Record<string, string> }[] } }).node.childNodes[0]!.attributes.href).toBe(`${B}remote.css`);
  });

  test('what was not kept is listed with its reason, and what the recording shows without any reference as not fetched', () => {
    const prepared = prepareReplayAssets(records, assets, fakeUrls().make);
    expect(prepared.kept).toBe(5);
    expect(prepared.missing).toEqual([
      { url: `${A}gone.png`, reason: 'http', detail: '404' },
      { url: `${A}never.png`, reason: 'not_fetched' },
    ]);
  });

  test('without kept assets the records are played as recorded, everything listed as not fetched', () => {
    const { made, make } = fakeUrls();
    const prepared = prepareReplayAssets(records, null, make);
    expect(made).toEqual([]);
    expect(prepared.records).toEqual(records);
    expect(prepared.missing.map((m) => m.reason)).toEqual(['not_fetched', 'not_fetched', 'not_fetched', 'not_fetched']);
  });

  test('an @import cycle keeps the live URL (absolute) instead of looping', () => {
    const cyclic: ReplayAssetsData = {
      refs: [ref(`${B}a.css`, 'a', { kind: 'stylesheet' }), ref(`${B}b.css`, 'b', { kind: 'stylesheet' })],
      bodies: [
        { hash: 'a', contentType: 'text/css', data: enc('@import "b.css";') },
        { hash: 'b', contentType: 'text/css', data: enc('@import "a.css";') },
      ],
    };
    const { made, make } = fakeUrls();
    prepareReplayAssets([], cyclic, make);
    expect(made.map((m) => m.text)).toEqual([`@import "${B}a.css";`, '@import "blob:panel/1";']);
    expect(made[0]!.text).not.toContain('"a.css"'); // never relative to the blob: URL
  });
});

describe('createReplayAssetServer', () => {
  test('windows read one after another: a later window changing a style text from an earlier one is rewritten too', () => {
    const first: ReplayRecord[] = [
      records[0]!,
      { type: 2, timestamp: 2, data: { node: { type: 0, id: 1, childNodes: [{ type: 2, id: 2, tagName: 'style', attributes: {}, childNodes: [{ type: 3, id: 3, textContent: '' }] }] }, initialOffset: { top: 0, left: 0 } } },
    ];
    const later: ReplayRecord[] = [
      { type: 3, timestamp: 9, data: { source: 0, adds: [], removes: [], attributes: [], texts: [{ id: 3, value: `.x { background: url(${B}tile.png) } .y { background: url(${B}other.png) }` }] } },
    ];
    const { make } = fakeUrls();
    const server = createReplayAssetServer(assets, make);
    server.rewrite(first);
    const [change] = server.rewrite(later);
    const tile = server.localUrls[server.localUrls.length - 1];
    expect((change!.data as { texts: { value: string }[] }).texts[0]!.value).toMatch(/^\.x \{ background: url\("blob:panel\/\d+"\) \} \.y \{ background: url\(http:\/\/127\.0\.0\.1:5174\/fixtures\/assets\/other\.png\) \}$/);
    expect(tile).toMatch(/^blob:panel\//);
    expect(server.missing().map((m) => m.url)).toContain(`${B}other.png`);
  });
});
