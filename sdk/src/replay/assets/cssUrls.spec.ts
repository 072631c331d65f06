import { describe, expect, test } from 'vitest';
import { cssAssetUrls, mapCssUrls, mapSrcset, resolveAssetUrl } from './cssUrls';

const SHEET = 'https://cdn.example.test/assets/css/site.css';

describe('cssAssetUrls', () => {
  test('url() in its three spellings, resolved against the stylesheet, not the page', () => {
    const css = `body { background: url(../img/bg.png) } .a { background-image: url("/icons/a.svg") } .b { cursor: url('b.cur'), auto }`;
    expect(cssAssetUrls(css, SHEET)).toEqual([
      { url: 'https://cdn.example.test/assets/img/bg.png', kind: 'url' },
      { url: 'https://cdn.example.test/icons/a.svg', kind: 'url' },
      { url: 'https://cdn.example.test/assets/css/b.cur', kind: 'url' },
    ]);
  });

  test('@font-face src: every url(), not local(); format() hints and #iefix fragments ignored', () => {
    const css = `@font-face { font-family: Brand; src: local("Brand"), url(../fonts/brand.woff2) format("woff2"),
      url("../fonts/brand.eot?#iefix") format("embedded-opentype"); }`;
    expect(cssAssetUrls(css, SHEET).map((a) => a.url)).toEqual([
      'https://cdn.example.test/assets/fonts/brand.woff2',
      'https://cdn.example.test/assets/fonts/brand.eot?',
    ]);
  });

  test('@import with a string or url() is a stylesheet', () => {
    const css = `@import "reset.css"; @import url(theme/dark.css) screen; @IMPORT 'https://other.test/x.css';`;
    expect(cssAssetUrls(css, SHEET)).toEqual([
      { url: 'https://cdn.example.test/assets/css/reset.css', kind: 'import' },
      { url: 'https://cdn.example.test/assets/css/theme/dark.css', kind: 'import' },
      { url: 'https://other.test/x.css', kind: 'import' },
    ]);
  });

  test('data:, blob:, fragment-only and other schemes are not assets; comments are skipped; each URL once', () => {
    const css = `/* url(commented.png) */ a { background: url(data:image/png;base64,AAAA) } b { clip-path: url(#clip) }
      c { background: url(blob:https://x.test/1) } d { background: url(javascript:alert(1)) } e { background: url(x.png) } f { background: url( "x.png" ) }`;
    expect(cssAssetUrls(css, SHEET)).toEqual([{ url: 'https://cdn.example.test/assets/css/x.png', kind: 'url' }]);
  });

  test('escapes in a url are read as CSS reads them', () => {
    expect(cssAssetUrls(String.raw`a { background: url("im\"g.png") } b { background: url(sp\ ace.png) } c { background: url("\31 .png") }`, SHEET).map((a) => a.url)).toEqual([
      'https://cdn.example.test/assets/css/im%22g.png',
      'https://cdn.example.test/assets/css/sp%20ace.png',
      'https://cdn.example.test/assets/css/1.png',
    ]);
  });

  test('without a base, only absolute URLs count', () => {
    expect(cssAssetUrls('a { background: url(rel.png) } b { background: url(https://x.test/abs.png) }', null).map((a) => a.url)).toEqual(['https://x.test/abs.png']);
  });
});

describe('mapCssUrls', () => {
  test('replaces kept references (quoted, keeping a fragment) and leaves the rest of the CSS as it was', () => {
    const css = `@import "a.css"; .x { background: url(sprite.svg#star) no-repeat } .y { background: url(gone.png) } /* url(sprite.svg) */`;
    const kept = new Map([
      ['https://cdn.example.test/assets/css/a.css', 'blob:panel/1'],
      ['https://cdn.example.test/assets/css/sprite.svg', 'blob:panel/2'],
    ]);
    expect(mapCssUrls(css, SHEET, (url) => kept.get(url))).toBe(
      `@import "blob:panel/1"; .x { background: url("blob:panel/2#star") no-repeat } .y { background: url(gone.png) } /* url(sprite.svg) */`,
    );
  });

  test('CSS without references comes back as the same string', () => {
    const css = 'a { color: red }';
    expect(mapCssUrls(css, SHEET, () => 'never')).toBe(css);
  });
});

describe('srcset and single URLs', () => {
  test('every srcset candidate is visited and replaced, descriptors kept', () => {
    const seen: string[] = [];
    const out = mapSrcset('small.png 1x, /big.png 2x,https://x.test/huge.png 3x', 'https://site.test/page/', (url) => {
      seen.push(url);
      return url.endsWith('big.png') ? 'blob:panel/big' : undefined;
    });
    expect(seen).toEqual(['https://site.test/page/small.png', 'https://site.test/big.png', 'https://x.test/huge.png']);
    expect(out).toBe('small.png 1x, blob:panel/big 2x,https://x.test/huge.png 3x');
  });

  test('resolveAssetUrl keeps http(s) only and drops the fragment', () => {
    expect(resolveAssetUrl(' a.png#x ', 'http://127.0.0.1:5173/p/')).toBe('http://127.0.0.1:5173/p/a.png');
    expect(resolveAssetUrl('ftp://x.test/a.png', null)).toBeNull();
    expect(resolveAssetUrl('', 'http://x.test/')).toBeNull();
  });
});
