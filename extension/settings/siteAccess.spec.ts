import { describe, expect, test } from 'vitest';
import { DEFAULT_SETTINGS, type RumscopeSettings } from '../../sdk/schema';
import { isSitePattern, parseSitePattern, patternMatches } from '../../sdk/schema/sitePattern';
import { readSettings, validateSettingsPatch } from '../../sdk/schema/validateSettings';
import { decideSite, withSiteAllowed } from './siteAccess';

const settings = (over: Partial<RumscopeSettings> = {}): RumscopeSettings => ({ ...structuredClone(DEFAULT_SETTINGS), ...over });
const matches = (pattern: string, site: string) => patternMatches(parseSitePattern(pattern)!, site);

describe('site patterns', () => {
  test('scheme, host, subdomains and port', () => {
    expect(matches('https://example.com', 'https://example.com')).toBe(true);
    expect(matches('https://example.com', 'http://example.com')).toBe(false);
    expect(matches('example.com', 'http://example.com:8080')).toBe(true);
    expect(matches('example.com', 'https://www.example.com')).toBe(false);
    expect(matches('*.example.com', 'https://www.example.com')).toBe(true);
    expect(matches('*.example.com', 'https://example.com')).toBe(true);
    expect(matches('*.example.com', 'https://badexample.com')).toBe(false);
    expect(matches('http://127.0.0.1:*', 'http://127.0.0.1:5173')).toBe(true);
    expect(matches('http://127.0.0.1:5173', 'http://127.0.0.1:5174')).toBe(false);
    expect(matches('https://example.com:443/any/path', 'https://example.com')).toBe(true);
    expect(matches('http://[::1]:*', 'http://[::1]:3000')).toBe(true);
    expect(matches('*', 'https://anything.test')).toBe(true);
    expect(matches('*', 'chrome-extension://abc')).toBe(false);
  });

  test('what is not a pattern', () => {
    for (const bad of ['', 'ftp://example.com', 'https://', 'exa mple.com', 'example.com:99999', 'https://*example.com', 'javascript:alert(1)']) {
      expect(isSitePattern(bad), bad).toBe(false);
    }
  });
});

describe('decideSite', () => {
  test('a fresh install records loopback hosts (the demo app, local dev servers) and nothing else', () => {
    const s = settings();
    expect(decideSite('http://127.0.0.1:5173', s)).toMatchObject({ recorded: true, reason: 'allowed', pattern: 'http://127.0.0.1:*' });
    expect(decideSite('http://localhost:3000', s).recorded).toBe(true);
    expect(decideSite('http://[::1]:8080', s).recorded).toBe(true);
    expect(decideSite('https://example.com', s)).toEqual({ recorded: false, reason: 'not_allowed' });
    expect(decideSite('https://127.0.0.1', s).recorded).toBe(false);
  });

  test('never the extension, never the sync server, not in private windows unless allowed; block wins over allow', () => {
    const s = settings({ sync: { url: 'http://127.0.0.1:4318/ingest' } });
    expect(decideSite('chrome-extension://abcdef', s, { extensionOrigins: ['chrome-extension://abcdef'] }).reason).toBe('extension');
    expect(decideSite('moz-extension://1234', s).reason).toBe('unsupported');
    expect(decideSite('http://127.0.0.1:4318', s).reason).toBe('sync_server');
    expect(decideSite('http://127.0.0.1:4319', s).recorded).toBe(true);
    expect(decideSite('http://127.0.0.1:4319', s, { incognito: true }).reason).toBe('private_window');
    s.siteAccess = { ...s.siteAccess, privateWindows: true, block: ['http://127.0.0.1:4319'] };
    expect(decideSite('http://127.0.0.1:4320', s, { incognito: true }).recorded).toBe(true);
    expect(decideSite('http://127.0.0.1:4319', s)).toMatchObject({ recorded: false, reason: 'blocked' });
  });

  test("the popup's switch adds and removes exact sites", () => {
    let access = DEFAULT_SETTINGS.siteAccess;
    access = withSiteAllowed(access, 'https://shop.example.com/cart?x=1', true);
    expect(access.allow.at(-1)).toBe('https://shop.example.com');
    expect(decideSite('https://shop.example.com', settings({ siteAccess: access })).recorded).toBe(true);
    access = withSiteAllowed(access, 'https://shop.example.com', false);
    expect(access.allow).toEqual(DEFAULT_SETTINGS.siteAccess.allow);
    expect(access.block).toEqual([]);
    // Allowed by a wider pattern: switching off blocks the exact site, switching on again unblocks it.
    access = withSiteAllowed(access, 'http://127.0.0.1:5173', false);
    expect(access.block).toEqual(['http://127.0.0.1:5173']);
    expect(decideSite('http://127.0.0.1:5173', settings({ siteAccess: access })).recorded).toBe(false);
    expect(decideSite('http://127.0.0.1:5174', settings({ siteAccess: access })).recorded).toBe(true);
    access = withSiteAllowed(access, 'http://127.0.0.1:5173', true);
    expect(access).toEqual(DEFAULT_SETTINGS.siteAccess);
  });
});

describe('settings validation', () => {
  test('a partial stored copy is read over the defaults; an invalid field keeps its default', () => {
    const { settings: read, issues } = readSettings({
      siteAccess: { allow: ['https://example.com'] },
      retention: { days: -3, maxStorageMb: 0.05 },
      sampling: 'everything',
      bogus: 1,
    });
    expect(read.siteAccess).toEqual({ allow: ['https://example.com'], block: [], privateWindows: false });
    expect(read.retention).toEqual({ days: 30, maxStorageMb: 0.05 });
    expect(read.sampling).toEqual(DEFAULT_SETTINGS.sampling);
    expect(issues.map((i) => i.path).sort()).toEqual(['bogus', 'retention.days', 'sampling']);
    expect(readSettings(undefined).settings).toEqual(DEFAULT_SETTINGS);
  });

  test('a patch is all or nothing', () => {
    const bad = validateSettingsPatch(DEFAULT_SETTINGS, {
      sampling: { sessionSampleRate: 150 },
      tester: { email: 'not-an-email' },
      sync: { url: 'ftp://x' },
      siteAccess: { allow: ['https://ok.example', 'no good'] },
      environment: 'staging',
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues.map((i) => i.path).sort()).toEqual(['sampling.sessionSampleRate', 'siteAccess.allow', 'sync.url', 'tester.email']);
    const good = validateSettingsPatch(DEFAULT_SETTINGS, { environment: ' staging ', tester: { email: 'qa@example.com' }, privacyLevel: 'mask' });
    const plain = validateSettingsPatch(DEFAULT_SETTINGS, { sync: { url: 'http://rum.example.com' } });
    expect(!plain.ok && plain.issues).toEqual([{ path: 'sync.url', message: expect.stringMatching(/refusing to send the upload token over plain http:\/\/ to rum\.example\.com: use https:\/\//) }]);
    for (const url of ['http://127.0.0.1:8787', 'http://localhost:8787/', 'http://[::1]:8787', 'https://rum.example.com']) {
      expect(validateSettingsPatch(DEFAULT_SETTINGS, { sync: { url } }).ok).toBe(true);
    }
    expect(good.ok && good.settings).toMatchObject({ environment: 'staging', tester: { name: '', email: 'qa@example.com' }, privacyLevel: 'mask' });
  });
});
