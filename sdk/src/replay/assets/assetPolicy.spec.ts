import { describe, expect, test } from 'vitest';
import { assetCredentials, decideAsset, isPrivateResponse } from './assetPolicy';

const OPTIONS = { maxAssetBytes: 1000, allowPrivate: false };
const head = (overrides: Partial<Parameters<typeof decideAsset>[0]> = {}) => ({ status: 200, contentType: 'text/css; charset=utf-8', cacheControl: 'max-age=60', contentLength: '100', ...overrides });

describe('decideAsset', () => {
  test('stylesheets, fonts and images are kept by media type; a stylesheet served as text/plain is still CSS', () => {
    expect(decideAsset(head(), 'stylesheet', OPTIONS)).toEqual({ keep: true, contentType: 'text/css', css: true });
    expect(decideAsset(head({ contentType: 'text/plain' }), 'stylesheet', OPTIONS)).toEqual({ keep: true, contentType: 'text/css', css: true });
    expect(decideAsset(head({ contentType: 'font/woff2' }), 'css', OPTIONS)).toMatchObject({ keep: true, contentType: 'font/woff2', css: false });
    expect(decideAsset(head({ contentType: 'application/font-woff' }), 'css', OPTIONS)).toMatchObject({ keep: true });
    expect(decideAsset(head({ contentType: 'application/octet-stream' }), 'css', OPTIONS)).toMatchObject({ keep: true });
    expect(decideAsset(head({ contentType: 'IMAGE/PNG' }), 'image', OPTIONS)).toMatchObject({ keep: true, contentType: 'image/png' });
  });

  test('anything else is skipped as its type: scripts, pages, a text/plain image', () => {
    expect(decideAsset(head({ contentType: 'text/javascript' }), 'image', OPTIONS)).toEqual({ keep: false, reason: 'type', detail: 'text/javascript' });
    expect(decideAsset(head({ contentType: 'text/html' }), 'stylesheet', OPTIONS)).toMatchObject({ keep: false, reason: 'type' });
    expect(decideAsset(head({ contentType: 'text/plain' }), 'image', OPTIONS)).toMatchObject({ keep: false, reason: 'type' });
    expect(decideAsset(head({ contentType: 'application/octet-stream' }), 'image', OPTIONS)).toMatchObject({ keep: false, reason: 'type' });
  });

  test('error statuses, announced oversize bodies and private responses are skipped with the reason', () => {
    expect(decideAsset(head({ status: 404 }), 'image', OPTIONS)).toEqual({ keep: false, reason: 'http', detail: '404' });
    expect(decideAsset(head({ contentLength: '1001' }), 'stylesheet', OPTIONS)).toEqual({ keep: false, reason: 'too_large', detail: '1001 bytes' });
    expect(decideAsset(head({ cacheControl: 'private, max-age=0' }), 'stylesheet', OPTIONS)).toMatchObject({ keep: false, reason: 'private' });
    expect(decideAsset(head({ cacheControl: 'no-store' }), 'stylesheet', OPTIONS)).toMatchObject({ keep: false, reason: 'private' });
    // The user's opt-in for the site keeps them.
    expect(decideAsset(head({ cacheControl: 'no-store' }), 'stylesheet', { ...OPTIONS, allowPrivate: true })).toMatchObject({ keep: true });
  });

  test('isPrivateResponse reads directives, not substrings', () => {
    expect(isPrivateResponse('public, max-age=31536000, immutable')).toBe(false);
    expect(isPrivateResponse('no-cache')).toBe(false);
    expect(isPrivateResponse('x-private-flag=1')).toBe(false);
    expect(isPrivateResponse('max-age=0,private')).toBe(true);
    expect(isPrivateResponse('private="set-cookie"')).toBe(true);
    expect(isPrivateResponse(null)).toBe(false);
  });
});

describe('assetCredentials', () => {
  test("cookies only for the recorded page's own origin", () => {
    expect(assetCredentials('http://127.0.0.1:5173/a.css', 'http://127.0.0.1:5173/shop/')).toBe('include');
    expect(assetCredentials('http://127.0.0.1:5174/font.woff2', 'http://127.0.0.1:5173/shop/')).toBe('omit');
    expect(assetCredentials('http://127.0.0.1:5173/a.css', null)).toBe('omit');
  });
});
