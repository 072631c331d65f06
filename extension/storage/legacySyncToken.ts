/**
 * Versions before Dexie version 4 kept the sync server's upload token in the settings (storage.local, key
 * `rumscope.settings`, field sync.token), which content scripts can read. Version 4's upgrade copies it into the
 * `credentials` table; only once that copy is committed is it removed from storage.local (at every open of the
 * database, so an upgrade interrupted between the two is finished next time). Both steps may run again at no harm.
 */
import type { CredentialRecord } from './db';
import { SETTINGS_KEY as LEGACY_SETTINGS_KEY } from '../settings/settingsKey';

/** The `credentials` table (of the upgrade's transaction or of the open database). */
type CredentialWriter = { put(row: CredentialRecord): Promise<unknown> };

/** The part of storage.local this needs (a plain object in the tests). */
export interface LegacySettingsArea {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}


const syncOf = (stored: unknown): Record<string, unknown> | null => {
  const sync = (stored as { sync?: unknown } | undefined)?.sync;
  return typeof sync === 'object' && sync !== null && !Array.isArray(sync) ? (sync as Record<string, unknown>) : null;
};

/** The token still in storage.local: a string ('' included) when the settings hold one, null when they do not. */
export async function readLegacySyncToken(area: LegacySettingsArea): Promise<string | null> {
  const sync = syncOf((await area.get(LEGACY_SETTINGS_KEY))[LEGACY_SETTINGS_KEY]);
  if (!sync || !('token' in sync)) return null;
  return typeof sync.token === 'string' ? sync.token.trim() : '';
}

/** Copies a non-empty legacy token into `credentials` (it wins: it is only ever there when newer than a copy). */
export async function copyLegacySyncToken(credentials: CredentialWriter, token: string | null, now = Date.now()): Promise<void> {
  if (token) await credentials.put({ name: 'sync', token, updatedAt: now });
}

/** Removes sync.token from the stored settings, keeping every other field as it is. */
export async function stripLegacySyncToken(area: LegacySettingsArea): Promise<void> {
  const stored = (await area.get(LEGACY_SETTINGS_KEY))[LEGACY_SETTINGS_KEY];
  const sync = syncOf(stored);
  if (!sync || !('token' in sync)) return;
  const { token: _removed, ...rest } = sync;
  await area.set({ [LEGACY_SETTINGS_KEY]: { ...(stored as object), sync: rest } });
}

/** At every open: a token left in storage.local is copied (committed) and only then removed from there. */
export async function finishLegacySyncTokenMove(credentials: CredentialWriter, area: LegacySettingsArea): Promise<void> {
  const token = await readLegacySyncToken(area);
  if (token === null) return;
  await copyLegacySyncToken(credentials, token);
  await stripLegacySyncToken(area);
}
