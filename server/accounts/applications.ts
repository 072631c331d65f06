/**
 * Applications instrumented with a peer SDK (Datadog / OpenObserve browser RUM) and their client tokens. A
 * client token sits in every page of the app (the SDKs put it in the intake URL), so it can only upload: it
 * names the application its sessions are filed under, never reads anything. Only its SHA-256 is stored.
 */
import type { ApplicationInfo, CreateApplicationResponse } from '../../sdk/schema';
import type { Store } from '../db/openDatabase';
import type { ApplicationsTable } from '../db/schema';
import { newId, newSecret, secretHash } from './secrets';

export function applicationInfo(row: ApplicationsTable): ApplicationInfo {
  return { id: row.id, name: row.name, createdBy: row.created_by, createdAt: row.created_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at };
}

export async function createApplication(store: Store, name: string, createdBy: string | null): Promise<CreateApplicationResponse> {
  // The peers' SDKs pass the token in a URL unescaped: base64url keeps it URL-safe.
  const clientToken = newSecret('rsc');
  const row: ApplicationsTable = {
    id: newId(),
    name,
    token_hash: secretHash(clientToken),
    created_by: createdBy,
    created_at: Date.now(),
    last_used_at: null,
    revoked_at: null,
  };
  await store.db.insertInto('applications').values(row).execute();
  return { info: applicationInfo(row), clientToken };
}

/** The live (not revoked) application of a client token, with the admin who created it (its sessions' uploader). */
export async function findApplication(store: Store, clientToken: string): Promise<{ id: string; createdBy: string | null } | null> {
  const row = await store.db
    .selectFrom('applications')
    .select(['id', 'created_by'])
    .where('token_hash', '=', secretHash(clientToken))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row ? { id: row.id, createdBy: row.created_by } : null;
}
