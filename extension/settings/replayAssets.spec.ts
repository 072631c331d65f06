import { describe, expect, test } from 'vitest';
import { DEFAULT_SETTINGS, type RumscopeSettings } from '../../sdk/schema';
import { assetPrivacyFor } from './replayAssets';

const settings = (patch: { block?: string[]; privateSites?: string[] }): RumscopeSettings => ({
  ...DEFAULT_SETTINGS,
  siteAccess: { ...DEFAULT_SETTINGS.siteAccess, allow: ['https://shop.test', 'http://127.0.0.1:*'], block: patch.block ?? [] },
  replayAssets: { privateSites: patch.privateSites ?? [] },
});

describe('assetPrivacyFor', () => {
  test('assets of a site that is merely not allowed are kept; private ones only for an opted-in page site', () => {
    expect(assetPrivacyFor(settings({}), 'https://shop.test/cart', 'https://cdn.other.test/font.woff2')).toEqual({ blocked: false, allowPrivate: false });
    const opted = settings({ privateSites: ['https://shop.test'] });
    expect(assetPrivacyFor(opted, 'https://shop.test/cart', 'https://cdn.other.test/font.woff2')).toEqual({ blocked: false, allowPrivate: true });
    // The opt-in follows the recorded page's site, not the asset's.
    expect(assetPrivacyFor(opted, 'http://127.0.0.1:5173/', 'https://shop.test/a.png')).toEqual({ blocked: false, allowPrivate: false });
  });

  test("a blocked asset site or page site wins over the opt-in; nothing is requested", () => {
    const blocked = settings({ block: ['*.tracker.test', 'http://127.0.0.1:9'], privateSites: ['https://shop.test', 'http://127.0.0.1:*'] });
    expect(assetPrivacyFor(blocked, 'https://shop.test/', 'https://img.tracker.test/p.png')).toEqual({ blocked: true, allowPrivate: false });
    expect(assetPrivacyFor(blocked, 'http://127.0.0.1:9/page', 'https://shop.test/a.css')).toEqual({ blocked: true, allowPrivate: false });
    expect(assetPrivacyFor(blocked, 'http://127.0.0.1:8/page', 'https://shop.test/a.css')).toEqual({ blocked: false, allowPrivate: true });
  });

  test('an unknown page keeps nothing private', () => {
    expect(assetPrivacyFor(settings({ privateSites: ['*'] }), null, 'https://shop.test/a.css')).toEqual({ blocked: false, allowPrivate: false });
  });
});
