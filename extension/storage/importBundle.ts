/**
 * Import of an export bundle (SessionExportBundle, already validated by the background: validateExportBundle):
 * sessions with their events, recordings and replay assets, in one transaction, so a bundle is stored whole or
 * not at all. A session already stored is never overwritten: exactly the same, it counts as unchanged; different,
 * it is kept as it is and named in the result. Recordings are cut back into segments (splitRecords) and
 * compressed before the transaction, as the background stores a recorder's segments. Asset bodies come once per
 * hash: each is checked against its sha-256 before the transaction (a mismatch rejects the bundle), then kept
 * for the sessions whose references name it (keepAsset: deduplicated against the store, under the recorder's caps).
 */
import type { ImportResult, ReplaySegmentRow, SessionExportBundle, SessionRecord } from '../../sdk/schema';
import { addToReplayStats, buildSegmentRow, importedLoadId, splitRecords } from '../../sdk/src/replay/segmentCodec';
import { decodeAssetBodies } from '../../sdk/src/replay/assets/assetBodies';
import { ASSET_REF_OVERHEAD, DEFAULT_ASSET_CAPS, keepAsset, skipAsset } from './assetStore';
import type { RumscopeDb } from './db';

export async function importBundle(db: RumscopeDb, bundle: Pick<SessionExportBundle, 'sessions' | 'assetBodies'>): Promise<ImportResult> {
  const bodies = await decodeAssetBodies(bundle.assetBodies);
  const prepared = bundle.sessions.map(({ session, events, replay, assets }) => {
    const rows: ReplaySegmentRow[] = replay?.length
      ? splitRecords(replay).map((records, seq) => buildSegmentRow(session.id, importedLoadId(session.id), seq, { viewId: null, reason: 'time', records }))
      : [];
    for (const ref of assets ?? []) {
      // validateExportBundle has checked this; an importer given an unchecked bundle must not store half of it.
      if (ref.hash && !bodies.has(ref.hash)) throw new Error(`the body ${ref.hash} of ${ref.url} is not in the bundle`);
    }
    return { session, events, rows, assets: assets ?? [] };
  });
  return db.transaction('rw', [db.sessions, db.events, db.replaySegments, db.replayAssets, db.replayAssetRefs], async () => {
    const result: ImportResult = { added: 0, unchanged: 0, kept: [] };
    const stored = await db.sessions.bulkGet(prepared.map((p) => p.session.id));
    for (const [index, { session, events, rows, assets }] of prepared.entries()) {
      const existing = stored[index];
      if (existing) {
        if (sameJson(withoutFigures(existing), withoutFigures(session))) result.unchanged++;
        else result.kept.push(session.id);
        continue;
      }
      // The asset figures (and what they add to the stored size) are counted again as the references are stored.
      const { replayAssets: figures, ...record }: SessionRecord = rows.length
        ? { ...session, replay: true, replayStats: rows.reduce<SessionRecord['replayStats']>((stats, row) => addToReplayStats(stats, row), undefined) }
        : session;
      if (figures && record.bytes !== undefined) {
        record.bytes = Math.max(0, record.bytes - (figures.kept + figures.skipped) * ASSET_REF_OVERHEAD - figures.ownedBytes);
      }
      await db.sessions.add(record);
      if (events.length) await db.events.bulkAdd(events);
      if (rows.length) await db.replaySegments.bulkAdd(rows);
      for (const ref of assets) {
        const input = { sessionId: session.id, url: ref.url, kind: ref.kind, now: ref.at };
        const body = ref.hash ? bodies.get(ref.hash) : undefined;
        if (ref.hash && body) await keepAsset(db, { ...input, hash: ref.hash, contentType: body.contentType, data: body.data }, DEFAULT_ASSET_CAPS);
        else await skipAsset(db, { ...input, reason: ref.reason ?? 'network', ...(ref.detail !== undefined ? { detail: ref.detail } : {}) });
      }
      result.added++;
    }
    return result;
  });
}

/**
 * A session as compared on import: without the figures that storing it again recomputes (its recording's, its
 * assets' and its stored size, which counts the asset references).
 */
function withoutFigures({ replayStats: _stats, replayAssets: _assets, bytes: _bytes, ...rest }: SessionRecord): Omit<SessionRecord, 'replayStats' | 'replayAssets' | 'bytes'> {
  return rest;
}

/** Deep equality of two JSON-like values, whatever their keys' order (a validated record's order is the schema's). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const keysB = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
