/**
 * The extension-life helpers for tests that run in both browsers through the shared driver: settings,
 * test hooks, storage.session and commands are reached from an extension page (the driver's panel page), where
 * both browsers expose the same storage and runtime APIs.
 */
import type { CommandMap, CommandName, SettingsPatch } from '../../../sdk/schema';
import type { Driver, DriverPage } from './driver';
import { injectionPlan } from '../../../extension/background/registerCapture';
import { readSettings } from '../../../sdk/schema/validateSettings';
import { TEST_HOOKS_KEY } from './testBuild';

type Area = 'local' | 'session';

export async function storageGet(driver: Driver, area: Area, key: string): Promise<any> {
  return driver.evaluateInExtension(
    async ({ area, key }) => {
      const api = ((globalThis as any).browser ?? (globalThis as any).chrome) as typeof chrome;
      return (await api.storage[area].get(key))[key];
    },
    { area, key },
  );
}

export async function storageSet(driver: Driver, area: Area, key: string, value: unknown): Promise<void> {
  await driver.evaluateInExtension(
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
  const deadline = Date.now() + 10_000;
  for (;;) {
    const registered = await driver.evaluateInExtension(async () => {
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

export { TEST_HOOKS_KEY };

export function setTestHooksVia(driver: Driver, hooks: Record<string, unknown>): Promise<void> {
  return storageSet(driver, 'local', TEST_HOOKS_KEY, hooks);
}

/** Sends a command to the background as the extension's pages do (commands come only from extension pages). */
export async function sendCommandVia<K extends CommandName>(driver: Driver, command: K, args: CommandMap[K]['request']): Promise<CommandMap[K]['response']> {
  const result: any = await driver.evaluateInExtension(
    ({ command, args }) => {
      const api = ((globalThis as any).browser ?? (globalThis as any).chrome) as typeof chrome;
      return api.runtime.sendMessage({ protocol: 1, kind: 'command', command, args });
    },
    { command, args: args as unknown },
  );
  if (!result?.ok) throw new Error(`command ${command} failed: ${result?.error ?? 'no answer'}`);
  return result.value;
}

/** Records the session notes the relay posts to the page (`rumscope:relay`); pass as `openPage`'s initScript. */
export function watchRelayNotes(): void {
  const notes: unknown[] = [];
  Object.defineProperty(window, '__relayNotes', { value: notes });
  addEventListener('message', (event) => {
    if (event.source === window && event.data?.source === 'rumscope:relay') notes.push(event.data.session);
  });
}

export function relayNotes(page: DriverPage): Promise<{ sampled: boolean; replay: boolean }[]> {
  return page.evaluate(() => (window as unknown as { __relayNotes?: { sampled: boolean; replay: boolean }[] }).__relayNotes ?? []);
}

/** Text of the first element matching `selector` ('' if none). */
export function textOf(page: DriverPage, selector: string): Promise<string> {
  return page.evaluate((s) => document.querySelector<HTMLElement>(s)?.innerText.trim() ?? '', selector);
}

export const byTestId = (id: string) => `[data-testid="${id}"]`;
