import { describe, expect, test } from 'vitest';
import { DEFAULT_SETTINGS, type RumscopeSettings } from '../../sdk/schema';
import { createSiteGate, REFUSED_LOADS_KEY } from './siteGate';

function memoryArea() {
  const data: Record<string, unknown> = {};
  return {
    data,
    get: async (key: string) => (key in data ? { [key]: structuredClone(data[key]) } : {}),
    set: async (items: Record<string, unknown>) => void Object.assign(data, structuredClone(items)),
  };
}

describe('siteGate', () => {
  test('a refused page stays refused for its life (remembered across a worker restart); new pages follow the settings', async () => {
    let settings: RumscopeSettings = structuredClone(DEFAULT_SETTINGS);
    const area = memoryArea();
    const gate = () => createSiteGate({ settings: async () => settings, area: area as never, extensionOrigins: ['chrome-extension://me'] });
    const first = gate();
    expect(await first.allowSite('https://shop.test', 3, { loadId: 'L1' })).toBe(false);
    expect(area.data[REFUSED_LOADS_KEY]).toEqual({ L1: 3 });
    settings = { ...settings, siteAccess: { ...settings.siteAccess, allow: ['https://shop.test'] } };
    // The worker restarted: a new gate reads what the last one remembered.
    const second = gate();
    expect(await second.allowSite('https://shop.test', 3, { loadId: 'L1' })).toBe(false);
    expect(await second.allowSite('https://shop.test', 3, { loadId: 'L2' })).toBe(true);
    expect(await second.allowSite('https://shop.test', 4, { loadId: 'L3', incognito: true })).toBe(false);
    expect(await second.allowSite('chrome-extension://me', 4, { loadId: 'L4' })).toBe(false);
    expect(await second.decide('https://shop.test')).toMatchObject({ recorded: true, pattern: 'https://shop.test' });
    await second.forgetTab(3);
    expect(area.data[REFUSED_LOADS_KEY]).toEqual({ L3: 4, L4: 4 });
  });
});
