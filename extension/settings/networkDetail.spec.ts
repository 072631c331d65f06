import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type RumscopeSettings } from '../../sdk/schema';
import { readSettings, validateSettingsPatch } from '../../sdk/schema/validateSettings';
import { networkDetailFor } from './networkDetail';

const withDetail = (networkDetail: Partial<RumscopeSettings['networkDetail']>): RumscopeSettings => ({
  ...structuredClone(DEFAULT_SETTINGS),
  networkDetail: { ...DEFAULT_SETTINGS.networkDetail, ...networkDetail },
});

describe('network detail settings', () => {
  it('is off everywhere by default', () => {
    expect(DEFAULT_SETTINGS.networkDetail.sites).toEqual([]);
    expect(networkDetailFor(DEFAULT_SETTINGS, 'http://127.0.0.1:5173')).toBeUndefined();
  });

  it('is on only for sites a pattern matches, with the extra redaction names', () => {
    const settings = withDetail({ sites: ['*.shop.test', 'http://127.0.0.1:*'], redactHeaders: ['X-Tenant'], redactFields: ['iban'] });
    expect(networkDetailFor(settings, 'https://api.shop.test')).toEqual({ redactHeaders: ['X-Tenant'], redactFields: ['iban'] });
    expect(networkDetailFor(settings, 'http://127.0.0.1:8080')).toBeDefined();
    expect(networkDetailFor(settings, 'https://other.test')).toBeUndefined();
  });

  it('validates what is saved and falls back to the default for a bad stored value', () => {
    const good = validateSettingsPatch(DEFAULT_SETTINGS, { networkDetail: { sites: ['https://shop.test'], redactHeaders: [' X-Tenant '], redactFields: ['iban'] } });
    expect(good.ok && good.settings.networkDetail).toEqual({ sites: ['https://shop.test'], redactHeaders: ['X-Tenant'], redactFields: ['iban'] });
    const bad = validateSettingsPatch(DEFAULT_SETTINGS, { networkDetail: { sites: ['not a site/*'], redactHeaders: ['bad header'], redactFields: [''] } });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issues.map((issue) => issue.path).sort()).toEqual(['networkDetail.redactFields', 'networkDetail.redactHeaders', 'networkDetail.sites']);
    expect(readSettings({ networkDetail: { sites: 42 } }).settings.networkDetail).toEqual(DEFAULT_SETTINGS.networkDetail);
    // An older stored copy without the field: off.
    expect(readSettings({ sampling: { sessionSampleRate: 50 } }).settings.networkDetail.sites).toEqual([]);
  });
});
