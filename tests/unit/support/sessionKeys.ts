/** Test support: the search's session keys (sdk/model/sessionKey.ts) read back as the ids they stand for. */
import { sessionKey } from '../../../sdk/model/sessionKey';
import type { RumscopeDb } from '../../../extension/storage/db';

/**
 * The ids of `keys`, in their order (repeats kept), by the ids of the stored sessions and `extra` (e.g. deleted
 * sessions'); a key of none of them as `?` and the key.
 */
export async function namesOf(db: RumscopeDb, keys: Float64Array | Promise<Float64Array>, extra: readonly string[] = []): Promise<string[]> {
  const ids = [...((await db.sessions.toCollection().primaryKeys()) as string[]), ...extra];
  const byKey = new Map(ids.map((id) => [sessionKey(id), id]));
  return [...(await keys)].map((key) => byKey.get(key) ?? `?${key}`);
}
