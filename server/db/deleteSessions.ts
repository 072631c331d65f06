/** Deletes sessions with everything stored for them, in one transaction: what retention and deletion requests share. */
import type { Kysely } from 'kysely';
import { assetHashesOf, deleteUnreferencedAssets } from './replayAssets';
import type { Database } from './schema';

/** Tables whose rows belong to one session (by session_id). */
const SESSION_TABLES = ['events', 'loads', 'replay_segments', 'foreign_replay_segments', 'replay_asset_refs', 'search_terms', 'search_texts', 'session_changes'] as const;

export async function deleteSessionRows(trx: Kysely<Database>, ids: readonly string[]): Promise<number> {
  if (!ids.length) return 0;
  // Replay asset bodies go with the last session that references them (shared ones stay).
  const hashes = await assetHashesOf(trx, ids);
  for (const table of SESSION_TABLES) await trx.deleteFrom(table).where('session_id', 'in', ids).execute();
  await deleteUnreferencedAssets(trx, hashes);
  const result = await trx.deleteFrom('sessions').where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}
