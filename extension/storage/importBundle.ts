/**
 * Import of an exported session bundle (SessionExportBundle), one session at a time: the extension page reads
 * the file and sends each session with the asset bodies it names (commandClient.ts); the background checks it
 * (validateBundle.ts, the asset bodies against their sha-256) and writes it here. Nothing of a session is
 * written unless all of it is valid; a session already stored is left as it is.
 */
import type { ReplayAssetRow, SessionRecord } from '../../sdk/schema';
import { BUNDLE_LIMITS, validateBundleAssetBody, validateBundleEntry, type ValidBundleEntry } from '../../sdk/schema/validateBundle';
import { jsonSize, STORED_EVENT_OVERHEAD } from '../../sdk/model/sessionSize';
import { addToReplayStats, buildSegmentRow } from '../../sdk/src/replay/segmentCodec';
import { DEFAULT_ASSET_CAPS, hashAsset, keepAsset, skipAsset } from './assetStore';
import { base64ToBytes } from './base64';
import type { RumscopeDb } from './db';
import { ROW_OVERHEAD } from './replayStore';

type Body = Pick<ReplayAssetRow, 'contentType' | 'data'>;

/** Checks one session of a bundle and the bodies sent with it; throws an Error naming the first problem. */
export async function checkImport(input: { entry: unknown; bodies: unknown }): Promise<{ entry: ValidBundleEntry; bodies: Map<string, Body> }> {
  const entry = validateBundleEntry(input.entry);
  if (!entry.ok) throw new Error(`not a valid session: ${entry.reason}`);
  if (!Array.isArray(input.bodies) || input.bodies.length > BUNDLE_LIMITS.maxAssetRefs) throw new Error('assetBodies: not a list of asset bodies');
  const bodies = new Map<string, Body>();
  for (const [i, raw] of input.bodies.entries()) {
    const body = validateBundleAssetBody(raw);
    if (!body.ok) throw new Error(`assetBodies[${i}]: ${body.reason}`);
    const data = base64ToBytes(body.value.data);
    if ((await hashAsset(data)) !== body.value.hash) throw new Error(`assetBodies[${i}]: its bytes do not have the sha-256 ${body.value.hash}`);
    bodies.set(body.value.hash, { contentType: body.value.contentType, data });
  }
  for (const [k, ref] of entry.value.assets.entries()) {
    if (ref.hash && !bodies.has(ref.hash)) throw new Error(`assets[${k}]: the body ${ref.hash} of ${ref.url} is not in the bundle`);
  }
  return { entry: entry.value, bodies };
}

/**
 * Writes a checked session: its record (ended, if it was still open where it was exported), events, recording
 * (recompressed into segments of a load named after the session) and assets (deduplicated by hash against the
 * store, under the same caps as recorded ones). Resolves to false when a session with its id is already stored.
 */
export async function importBundleEntry(db: RumscopeDb, entry: ValidBundleEntry, bodies: ReadonlyMap<string, Body>): Promise<boolean> {
  const id = entry.session.id;
  const loadId = `import-${id}`;
  // Compressed before the transaction (an IndexedDB transaction must not wait on other work).
  const rows = entry.segments.map((payload, seq) => buildSegmentRow(id, loadId, seq, payload));
  const session: SessionRecord = { ...entry.session };
  delete session.replayStats;
  delete session.replayAssets;
  if (session.endedAt === null) {
    session.endedAt = session.lastEventAt;
    session.endReason = 'user';
  }
  session.replay = rows.length > 0 || session.replay;
  session.bytes = 0;
  for (const event of entry.events) session.bytes += jsonSize(event) + STORED_EVENT_OVERHEAD;
  for (const row of rows) {
    session.replayStats = addToReplayStats(session.replayStats, row);
    session.bytes += row.bytes + ROW_OVERHEAD;
  }
  const added = await db.transaction('rw', db.sessions, db.events, db.replaySegments, async () => {
    if (await db.sessions.get(id)) return false;
    await db.sessions.put(session);
    await db.events.bulkPut(entry.events);
    await db.replaySegments.bulkPut(rows);
    return true;
  });
  if (!added) return false;
  for (const ref of entry.assets) {
    const input = { sessionId: id, url: ref.url, kind: ref.kind, now: ref.at };
    const body = ref.hash ? bodies.get(ref.hash) : undefined;
    if (ref.hash && body) await keepAsset(db, { ...input, hash: ref.hash, contentType: body.contentType, data: body.data }, DEFAULT_ASSET_CAPS);
    else await skipAsset(db, { ...input, reason: ref.reason ?? 'network', ...(ref.detail !== undefined ? { detail: ref.detail } : {}) });
  }
  return true;
}
