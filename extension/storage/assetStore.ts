/**
 * Assets kept with recordings (docs/replay-assets.md): one body per content hash in `replayAssets`, one
 * reference per session and URL in `replayAssetRefs`. A body's bytes are counted once, in its owner session's
 * `bytes` (the session that first stored it), so that the sum of the sessions' bytes stays what is stored;
 * deleting the owner passes the body on to another session that references it, or deletes it.
 */
import Dexie from 'dexie';
import type { ReplayAssetKind, ReplayAssetRef, ReplayAssetRow, ReplayAssetSkipReason, ReplayAssetStats, SessionRecord } from '../../sdk/schema';
import type { RumscopeDb } from './db';

/** Bytes a reference row costs (keys, URL, metadata), counted in its session's bytes. */
export const ASSET_REF_OVERHEAD = 200;

export interface AssetCaps {
  /** Largest body kept. */
  maxAssetBytes: number;
  /** Bytes of new bodies one session may store (bodies already stored cost it nothing). */
  maxSessionBytes: number;
  /** References (kept and skipped) per session. */
  maxSessionAssets: number;
}

export const DEFAULT_ASSET_CAPS: Readonly<AssetCaps> = { maxAssetBytes: 5 * 1024 * 1024, maxSessionBytes: 50 * 1024 * 1024, maxSessionAssets: 500 };

const NO_ASSETS: Readonly<ReplayAssetStats> = { kept: 0, skipped: 0, ownedBytes: 0, referencedBytes: 0 };

/** Hex sha-256 of a body (shared with the team server's intake). */
export { hashAsset } from '../../sdk/src/replay/assets/assetBodies';

/** Whether the session already has a reference (kept or skipped) for the URL: nothing to fetch again. */
export async function hasAssetRef(db: RumscopeDb, sessionId: string, url: string): Promise<boolean> {
  return (await db.replayAssetRefs.get([sessionId, url])) !== undefined;
}

export type KeepAssetResult = { status: 'kept'; ref: ReplayAssetRef; stored: boolean } | { status: 'skipped'; ref: ReplayAssetRef } | { status: 'no_session' };

interface RefInput {
  sessionId: string;
  url: string;
  kind: ReplayAssetKind;
  now: number;
}

function statsOf(session: SessionRecord): ReplayAssetStats {
  const { predatesAssets: _before, ...stats } = session.replayAssets ?? NO_ASSETS;
  return { ...stats };
}

async function addRef(db: RumscopeDb, session: SessionRecord, stats: ReplayAssetStats, ref: ReplayAssetRef, ownedBytes: number) {
  await db.replayAssetRefs.put(ref);
  if (ref.hash) {
    stats.kept += 1;
    stats.referencedBytes += ref.bytes;
  } else stats.skipped += 1;
  stats.ownedBytes += ownedBytes;
  session.replayAssets = stats;
  session.bytes = (session.bytes ?? 0) + ASSET_REF_OVERHEAD + ownedBytes;
  await db.sessions.put(session);
}

/** Records that the session's recording shows `url` but it was not kept, and why. Idempotent per URL. */
export async function skipAsset(db: RumscopeDb, input: RefInput & { reason: ReplayAssetSkipReason; detail?: string }): Promise<KeepAssetResult> {
  return db.transaction('rw', db.sessions, db.replayAssetRefs, async (): Promise<KeepAssetResult> => {
    const session = await db.sessions.get(input.sessionId);
    if (!session) return { status: 'no_session' };
    const existing = await db.replayAssetRefs.get([input.sessionId, input.url]);
    if (existing) return existing.hash ? { status: 'kept', ref: existing, stored: false } : { status: 'skipped', ref: existing };
    const ref: ReplayAssetRef = { sessionId: input.sessionId, url: input.url, kind: input.kind, hash: null, reason: input.reason, bytes: 0, at: input.now };
    if (input.detail !== undefined) ref.detail = input.detail;
    await addRef(db, session, statsOf(session), ref, 0);
    return { status: 'skipped', ref };
  });
}

/**
 * Keeps a fetched body for the session: stored once per hash (deduplicated across sessions and sites), with a
 * reference under the URL. The caps are checked here, in the transaction: a body over the per-asset cap, or new
 * bytes over the session's cap, or one reference too many, is recorded as skipped instead. Hash and size are
 * computed before (an IndexedDB transaction must not wait on other work). Idempotent per session and URL.
 */
export async function keepAsset(
  db: RumscopeDb,
  input: RefInput & { hash: string; contentType: string; data: Uint8Array },
  caps: AssetCaps = DEFAULT_ASSET_CAPS,
): Promise<KeepAssetResult> {
  const bytes = input.data.byteLength;
  return db.transaction('rw', db.sessions, db.replayAssets, db.replayAssetRefs, async (): Promise<KeepAssetResult> => {
    const session = await db.sessions.get(input.sessionId);
    if (!session) return { status: 'no_session' };
    const existing = await db.replayAssetRefs.get([input.sessionId, input.url]);
    if (existing) return existing.hash ? { status: 'kept', ref: existing, stored: false } : { status: 'skipped', ref: existing };
    const stats = statsOf(session);
    const skip = async (reason: ReplayAssetSkipReason, detail: string): Promise<KeepAssetResult> => {
      const ref: ReplayAssetRef = { sessionId: input.sessionId, url: input.url, kind: input.kind, hash: null, reason, detail, bytes: 0, at: input.now };
      await addRef(db, session, stats, ref, 0);
      return { status: 'skipped', ref };
    };
    if (bytes > caps.maxAssetBytes) return skip('too_large', `${bytes} bytes`);
    if (stats.kept + stats.skipped >= caps.maxSessionAssets) return skip('session_cap', `${caps.maxSessionAssets} assets`);
    const body = await db.replayAssets.get(input.hash);
    if (!body && stats.ownedBytes + bytes > caps.maxSessionBytes) return skip('session_cap', `${caps.maxSessionBytes} bytes`);
    if (!body) {
      const row: ReplayAssetRow = { hash: input.hash, bytes, contentType: input.contentType, data: input.data, fetchedAt: input.now, owner: input.sessionId };
      await db.replayAssets.put(row);
    }
    const ref: ReplayAssetRef = { sessionId: input.sessionId, url: input.url, kind: input.kind, hash: input.hash, bytes, at: input.now };
    await addRef(db, session, stats, ref, body ? 0 : bytes);
    return { status: 'kept', ref, stored: !body };
  });
}

/** A session's references, kept and skipped. */
export function listAssetRefs(db: RumscopeDb, sessionId: string): Promise<ReplayAssetRef[]> {
  return db.replayAssetRefs.where('[sessionId+url]').between([sessionId, Dexie.minKey], [sessionId, Dexie.maxKey]).toArray();
}

/** What the player needs: the session's references, and the bodies of the kept ones by hash. */
export async function readSessionAssets(db: RumscopeDb, sessionId: string): Promise<{ refs: ReplayAssetRef[]; bodies: Map<string, Pick<ReplayAssetRow, 'contentType' | 'data'>> }> {
  return db.transaction('r', db.replayAssets, db.replayAssetRefs, async () => {
    const refs = await listAssetRefs(db, sessionId);
    const hashes = [...new Set(refs.map((ref) => ref.hash).filter((hash): hash is string => !!hash))];
    const rows = await db.replayAssets.bulkGet(hashes);
    const bodies = new Map<string, Pick<ReplayAssetRow, 'contentType' | 'data'>>();
    for (const row of rows) if (row) bodies.set(row.hash, { contentType: row.contentType, data: row.data });
    return { refs, bodies };
  });
}

/**
 * Within a transaction over sessions, replayAssets and replayAssetRefs (deleteSessions): drops the sessions'
 * references; each body they owned passes to the earliest-started remaining session that references it (whose
 * bytes grow by its size) or, when no other session references it, is deleted.
 */
export async function releaseSessionAssets(db: RumscopeDb, sessionIds: readonly string[]): Promise<{ deletedBodies: number; passedOn: number }> {
  const leaving = new Set(sessionIds);
  let deletedBodies = 0;
  let passedOn = 0;
  for (const sessionId of sessionIds) {
    await db.replayAssetRefs.where('[sessionId+url]').between([sessionId, Dexie.minKey], [sessionId, Dexie.maxKey]).delete();
  }
  const owned = await db.replayAssets.where('owner').anyOf([...leaving]).toArray();
  for (const body of owned) {
    const referrers = [...new Set((await db.replayAssetRefs.where('hash').equals(body.hash).toArray()).map((ref) => ref.sessionId))].filter((id) => !leaving.has(id));
    const heirs = (await db.sessions.bulkGet(referrers)).filter((s): s is SessionRecord => !!s).sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : 1));
    const heir = heirs[0];
    if (!heir) {
      await db.replayAssets.delete(body.hash);
      deletedBodies += 1;
      continue;
    }
    await db.replayAssets.update(body.hash, { owner: heir.id });
    const stats = statsOf(heir);
    stats.ownedBytes += body.bytes;
    heir.replayAssets = stats;
    heir.bytes = (heir.bytes ?? 0) + body.bytes;
    await db.sessions.put(heir);
    passedOn += 1;
  }
  return { deletedBodies, passedOn };
}
