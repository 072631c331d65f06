/**
 * The extension-life helpers for tests that run in both browsers through the shared driver: settings,
 * test hooks and storage.session are reached from an extension page (the panel), where both browsers
 * expose the same storage API.
 */
import type { SettingsPatch } from '../../../sdk/schema';
import type { Driver, DriverPage } from './driver';
import { injectionPlan } from '../../../extension/background/registerCapture';
import { readSettings } from '../../../sdk/schema/validateSettings';

const pages = new WeakMap<Driver, Promise<DriverPage>>();

/** One extension page per driver (the panel without a tab), kept open. */
export function extensionPage(driver: Driver): Promise<DriverPage> {
  let page = pages.get(driver);
  if (!page) {
    page = driver.openPanel(-1);
    pages.set(driver, page);
  }
  return page;
}

type Area = 'local' | 'session';

export async function storageGet(driver: Driver, area: Area, key: string): Promise<any> {
  const page = await extensionPage(driver);
  return page.evaluate(
    async ({ area, key }) => {
      const api = ((globalThis as any).browser ?? (globalThis as any).chrome) as typeof chrome;
      return (await api.storage[area].get(key))[key];
    },
    { area, key },
  );
}

export async function storageSet(driver: Driver, area: Area, key: string, value: unknown): Promise<void> {
  const page = await extensionPage(driver);
  await page.evaluate(
    async ({ area, key, value }) => {
      const api = ((globalThis as any).browser ?? (globalThis as any).chrome) as typeof chrome;
      await api.storage[area].set({ [key]: value });
    },
    { area, key, value },
  );
}

/** Merges `patch` section by section into the stored settings (as docs/site-access.md describes). */
export async function patchSettingsVia(driver: Driver, patch: SettingsPatch): Promise<void> {
  const current = ((await storageGet(driver, 'local', 'rumscope.settings')) ?? {}) as Record<string, unknown>;
  const next: Record<string, unknown> = { ...current };
  for (const [section, value] of Object.entries(patch)) {
    next[section] = value && typeof value === 'object' && !Array.isArray(value) ? { ...((current[section] as object) ?? {}), ...value } : value;
  }
  await storageSet(driver, 'local', 'rumscope.settings', next);
  // Injection follows site access: wait until the registered scripts match the new settings.
  const { matches } = injectionPlan(readSettings(next).settings);
  const page = await extensionPage(driver);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const registered = await page.evaluate(async () => {
      const api = ((globalThis as any).browser ?? (globalThis as any).chrome) as typeof chrome;
      return (await api.scripting.getRegisteredContentScripts()).map((c) => [...(c.matches ?? [])].sort());
    });
    if (registered.length === (matches.length ? 2 : 0) && registered.every((m) => JSON.stringify(m) === JSON.stringify(matches))) return;
    if (Date.now() > deadline) throw new Error('the capture scripts were not re-registered for the new settings');
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/** Load ids the background refused (site not recorded), from storage.session. */
export async function refusedLoads(driver: Driver): Promise<Record<string, number>> {
  return ((await storageGet(driver, 'session', 'rumscope.refusedLoads')) ?? {}) as Record<string, number>;
}
