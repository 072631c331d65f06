/**
 * The one settings module of the extension: RumscopeSettings in storage.local under SETTINGS_KEY,
 * read over the defaults (sdk/schema/validateSettings.ts), written only after validation.
 * The background keeps a cache that storage.onChanged refreshes, so a change applies to the next
 * session without a reload; pages read and write through the same functions.
 */
import type { RumscopeSettings, SettingsPatch } from '../../sdk/schema';
import { readSettings, validateSettingsPatch, type SettingsIssue } from '../../sdk/schema/validateSettings';
import { ext } from '../platform';
import { SETTINGS_KEY } from './settingsKey';

export { SETTINGS_KEY };

type Area = Pick<chrome.storage.StorageArea, 'get' | 'set'>;

export async function loadSettings(area: Area = ext.storage.local): Promise<RumscopeSettings> {
  const stored = await area.get(SETTINGS_KEY);
  return readSettings(stored[SETTINGS_KEY]).settings;
}

export type SaveResult = { ok: true; settings: RumscopeSettings } | { ok: false; issues: SettingsIssue[] };

/** Validates `patch` over the current settings and stores the whole result; nothing is stored if any field is invalid. */
export async function saveSettings(patch: SettingsPatch, area: Area = ext.storage.local): Promise<SaveResult> {
  const current = await loadSettings(area);
  const result = validateSettingsPatch(current, patch);
  if (!result.ok) return result;
  await area.set({ [SETTINGS_KEY]: result.settings });
  return { ok: true, settings: result.settings };
}

/** Calls `onChange` with the new settings whenever they change (in any extension page or the background). */
export function watchSettings(onChange: (settings: RumscopeSettings) => void): () => void {
  const listener = (changes: Record<string, chrome.storage.StorageChange>, areaName: string) => {
    if (areaName !== 'local' || !(SETTINGS_KEY in changes)) return;
    onChange(readSettings(changes[SETTINGS_KEY]!.newValue).settings);
  };
  ext.storage.onChanged.addListener(listener);
  return () => ext.storage.onChanged.removeListener(listener);
}

/** The background's view of the settings: loaded once per worker start, then kept current by storage.onChanged. */
export function createSettingsCache(area: Area = ext.storage.local) {
  let current: Promise<RumscopeSettings> | null = null;
  const listeners = new Set<(settings: RumscopeSettings) => void>();
  const stop = watchSettings((settings) => {
    current = Promise.resolve(settings);
    for (const listener of listeners) listener(settings);
  });
  return {
    get(): Promise<RumscopeSettings> {
      current ??= loadSettings(area).catch((error: unknown) => {
        current = null;
        throw error;
      });
      return current;
    },
    /** Called after each change (not at start). */
    onChange(listener: (settings: RumscopeSettings) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop,
  };
}
