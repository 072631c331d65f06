/**
 * Helpers for the extension-life e2e tests (site access, settings, retention, quota, lifecycle), Chromium.
 * Settings and test hooks are written the way docs/site-access.md tells any automated test to: from the
 * extension's service worker, into storage.local.
 */
import type { Page } from 'playwright-core';
import type { CommandMap, CommandName, SettingsPatch } from '../../../sdk/schema';
import type { ChromiumWithExtension } from './chromium';

import { injectionPlan } from '../../../extension/background/registerCapture';
import { readSettings } from '../../../sdk/schema/validateSettings';

export const SETTINGS_KEY = 'rumscope.settings';
export const TEST_HOOKS_KEY = 'rumscope.testHooks';

/** Merges `patch` (section by section) into the stored settings, from the service worker. */
export async function patchSettings(ext: ChromiumWithExtension, patch: SettingsPatch): Promise<void> {
  const sw = await ext.worker();
  const next = await sw.evaluate(
    async ({ key, patch }) => {
      const current = ((await chrome.storage.local.get(key))[key] ?? {}) as Record<string, unknown>;
      const next: Record<string, unknown> = { ...current };
      for (const [section, value] of Object.entries(patch)) {
        next[section] =
          value && typeof value === 'object' && !Array.isArray(value) ? { ...((current[section] as object) ?? {}), ...value } : value;
      }
      await chrome.storage.local.set({ [key]: next });
      return next;
    },
    { key: SETTINGS_KEY, patch },
  );
  // Injection follows site access: wait until the registered scripts match the new settings.
  const { matches } = injectionPlan(readSettings(next).settings);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const registered = await sw.evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).map((c) => [...(c.matches ?? [])].sort()));
    if (registered.length === (matches.length ? 2 : 0) && registered.every((m) => JSON.stringify(m) === JSON.stringify(matches))) return;
    if (Date.now() > deadline) throw new Error('the capture scripts were not re-registered for the new settings');
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

export async function setTestHooks(ext: ChromiumWithExtension, hooks: Record<string, unknown>): Promise<void> {
  const sw = await ext.worker();
  await sw.evaluate(({ key, hooks }) => chrome.storage.local.set({ [key]: hooks }), { key: TEST_HOOKS_KEY, hooks });
}

/** An extension page (the panel, without a tab) to send commands from: commands come only from extension pages. */
export async function openExtensionPage(ext: ChromiumWithExtension): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(ext.panelUrl());
  return page;
}

export async function sendCommand<K extends CommandName>(page: Page, command: K, args: CommandMap[K]['request']): Promise<CommandMap[K]['response']> {
  const result = await page.evaluate(
    ({ command, args }) => chrome.runtime.sendMessage({ protocol: 1, kind: 'command', command, args }),
    { command, args: args as unknown },
  );
  if (!result?.ok) throw new Error(`command ${command} failed: ${result?.error ?? 'no answer'}`);
  return result.value;
}

/**
 * Records the session notes the relay posts to the page (`rumscope:relay`): proof that the background
 * answered a batch, recorded or not. Call before the page's first navigation.
 */
export async function watchRelayNotes(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const notes: unknown[] = [];
    Object.defineProperty(window, '__relayNotes', { value: notes });
    addEventListener('message', (event) => {
      if (event.source === window && event.data?.source === 'rumscope:relay') notes.push(event.data.session);
    });
  });
}

export function relayNotes(page: Page): Promise<{ sampled: boolean; replay: boolean }[]> {
  return page.evaluate(() => (window as unknown as { __relayNotes: { sampled: boolean; replay: boolean }[] }).__relayNotes ?? []);
}
