/**
 * Replay assets on the server (migration 008; docs/replay-assets.md), stored as the extension stores them: each
 * body once per hex sha-256 (`replay_assets`), each session's references to what its recording shows
 * (`replay_asset_refs`, keyed [session_id+url]). A body lives exactly as long as some reference names it.
 */
import { PostgresAdapter, type Kysely } from 'kysely';
import type { BundleAssetRef, ReplayAssetKind, ReplayAssetRef, ReplayAssetSkipReason } from '../../sdk/schema';
import type { DecodedAssetBody } from '../../sdk/src/replay/assets/assetBodies';
import type { Database, ReplayAssetRefsTable } from './schema';

/** Rows per multi-row insert or `in (...)` list (well under SQLite's and PostgreSQL's bound-parameter limits). */
const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

export interface StoredAssets {
  /** References stored (a URL the session already referenced keeps its first reference). */
  refs: number;
  /** Bodies stored, and their bytes: a body already stored for any session is not stored again. */
  bodies: number;
  bytes: number;
}

/**
 * Stores a session's asset references and the bodies its new kept references name (checked by the caller against
 * their hashes). A reference already stored for the session's URL stays as it is; a body already stored (for this
 * or any session) is not written again. Throws when a kept reference's body is not among `bodies`.
 */
export async function storeSessionAssets(
  trx: Kysely<Database>,
  sessionId: string,
  refs: readonly BundleAssetRef[],
  bodies: ReadonlyMap<string, DecodedAssetBody>,
  now: number,
): Promise<StoredAssets> {
  const result: StoredAssets = { refs: 0, bodies: 0, bytes: 0 };
  const named = new Set<string>();
  for (const part of chunks(refs)) {
    const rows: ReplayAssetRefsTable[] = part.map((ref) => {
      const body = ref.hash === null ? undefined : bodies.get(ref.hash);
      if (ref.hash !== null && !body) throw new Error(`the body ${ref.hash} of ${ref.url} is not in the upload`);
      return {
        session_id: sessionId,
        url: ref.url,
        kind: ref.kind,
        hash: ref.hash,
        reason: ref.hash === null ? (ref.reason ?? null) : null,
        detail: ref.detail ?? null,
        bytes: body ? body.data.byteLength : ref.bytes,
        at: ref.at,
      };
    });
    const inserted = await trx
      .insertInto('replay_asset_refs')
      .values(rows)
      .onConflict((oc) => oc.columns(['session_id', 'url']).doNothing())
      .returning('hash')
      .execute();
    result.refs += inserted.length;
    for (const row of inserted) if (row.hash) named.add(row.hash);
  }
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    // Bodies stored already are read under a lock, so that a delete of the last other reference to one of them
    // (retention, in another transaction) and this upload cannot both commit: one of them is run again.
    for (const part of chunks([...named])) await trx.selectFrom('replay_assets').select('hash').where('hash', 'in', part).forKeyShare().execute();
  }
  for (const hash of named) {
    const body = bodies.get(hash)!;
    const stored = await trx
      .insertInto('replay_assets')
      .values({ hash, content_type: body.contentType, bytes: body.data.byteLength, data: Buffer.from(body.data.buffer, body.data.byteOffset, body.data.byteLength), created_at: now })
      .onConflict((oc) => oc.column('hash').doNothing())
      .returning('hash')
      .executeTakeFirst();
    if (!stored) continue;
    result.bodies++;
    result.bytes += body.data.byteLength;
  }
  return result;
}

/** The hashes a set of sessions' references name (to release once their references are gone). */
export async function assetHashesOf(trx: Kysely<Database>, sessionIds: readonly string[]): Promise<string[]> {
  const hashes = new Set<string>();
  for (const part of chunks(sessionIds)) {
    const rows = await trx.selectFrom('replay_asset_refs').select('hash').distinct().where('session_id', 'in', part).where('hash', 'is not', null).execute();
    for (const row of rows) hashes.add(row.hash!);
  }
  return [...hashes];
}

/** Deletes those of `hashes`' bodies that no reference names any more; how many went. */
export async function deleteUnreferencedAssets(trx: Kysely<Database>, hashes: readonly string[]): Promise<number> {
  let deleted = 0;
  for (const part of chunks(hashes)) {
    const result = await trx
      .deleteFrom('replay_assets')
      .where('hash', 'in', part)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('replay_asset_refs').select('session_id').whereRef('replay_asset_refs.hash', '=', 'replay_assets.hash'))))
      .executeTakeFirst();
    deleted += Number(result.numDeletedRows);
  }
  return deleted;
}

/** A session's references, in URL order (the player's `refs`). */
export async function listSessionAssetRefs(db: Kysely<Database>, sessionId: string): Promise<ReplayAssetRef[]> {
  const rows = await db.selectFrom('replay_asset_refs').selectAll().where('session_id', '=', sessionId).orderBy('url').execute();
  return rows.map((row) => ({
    sessionId: row.session_id,
    url: row.url,
    kind: row.kind as ReplayAssetKind,
    hash: row.hash,
    ...(row.reason !== null && { reason: row.reason as ReplayAssetSkipReason }),
    ...(row.detail !== null && { detail: row.detail }),
    bytes: row.bytes,
    at: row.at,
  }));
}

/** The body of `hash` if the session references it (the session's access decides who may read it), else null. */
export async function readSessionAssetBody(db: Kysely<Database>, sessionId: string, hash: string): Promise<{ contentType: string; data: Uint8Array } | null> {
  const row = await db
    .selectFrom('replay_assets')
    .innerJoin('replay_asset_refs', 'replay_asset_refs.hash', 'replay_assets.hash')
    .select(['replay_assets.content_type', 'replay_assets.data'])
    .where('replay_asset_refs.session_id', '=', sessionId)
    .where('replay_assets.hash', '=', hash)
    .limit(1)
    .executeTakeFirst();
  return row ? { contentType: row.content_type, data: row.data } : null;
}
