/**
 * The sync server's upload token. It lives in the extension's own IndexedDB (table `credentials`), which only the
 * background and the extension's pages reach; never in storage.local, which content scripts (so, a compromised
 * page renderer) can read. Earlier versions kept it in the settings there: storage/legacySyncToken.ts moves it.
 */
import type { CredentialRecord, RumscopeDb } from '../storage/db';

export const SYNC_CREDENTIAL: CredentialRecord['name'] = 'sync';

/** The saved token, '' when none. */
export async function loadSyncToken(db: RumscopeDb): Promise<string> {
  return (await db.credentials.get(SYNC_CREDENTIAL))?.token ?? '';
}

/** Saves the token ('' forgets it). The caller validated it (validateSyncToken). */
export async function saveSyncToken(db: RumscopeDb, token: string, now = Date.now()): Promise<void> {
  if (token) await db.credentials.put({ name: SYNC_CREDENTIAL, token, updatedAt: now });
  else await db.credentials.delete(SYNC_CREDENTIAL);
}
