/**
 * Export (spec: "provide data export for users who request it"): sessions with their events as one JSON
 * bundle (SessionExportBundle), the format the dashboard imports. Built in the extension page that asks
 * (it shares the database), one session at a time, as Blob parts: no runtime message size limit applies.
 * A recording goes with the stylesheets, fonts and images kept for it (docs/replay-assets.md): each session's
 * references, and every body they name once, in base64, so that the bundle replays offline where it is imported.
 */
import { EXPORT_FORMAT, EXPORT_VERSION, SCHEMA_VERSION, type BundleAssetRef, type SessionExportBundle, type SessionRecord } from '../../sdk/schema';
import { listAssetRefs } from './assetStore';
import { bytesToBase64 } from '../../sdk/src/replay/assets/base64';
import type { RumscopeDb } from './db';
import { readReplay } from './replayStore';

export interface ExportResult {
  blob: Blob;
  fileName: string;
  sessions: number;
  events: number;
}

export async function exportSessions(
  db: RumscopeDb,
  ids: string[] | 'all',
  source: SessionExportBundle['source'],
  now: number = Date.now(),
): Promise<ExportResult> {
  const sessions: SessionRecord[] =
    ids === 'all'
      ? await db.sessions.orderBy('startedAt').toArray()
      : ((await db.sessions.bulkGet(ids)).filter(Boolean) as SessionRecord[]).sort((a, b) => a.startedAt - b.startedAt);
  const head: Omit<SessionExportBundle, 'sessions'> = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    schema: SCHEMA_VERSION,
    exportedAt: now,
    source,
  };
  const headJson = JSON.stringify(head);
  const parts: string[] = [headJson.slice(0, -1) + ',"sessions":['];
  let events = 0;
  const hashes = new Set<string>();
  for (const [index, session] of sessions.entries()) {
    const rows = await db.events.where('[sessionId+time]').between([session.id, -Infinity], [session.id, Infinity]).toArray();
    events += rows.length;
    // The recording goes with its session (decompressed: the bundle is plain JSON; the importer recompresses).
    const replay = session.replayStats?.segments ? (await readReplay(db, session.id)).records : undefined;
    const assets: BundleAssetRef[] = replay ? (await listAssetRefs(db, session.id)).map(({ sessionId: _sessionId, ...ref }) => ref) : [];
    for (const ref of assets) if (ref.hash) hashes.add(ref.hash);
    parts.push((index ? ',' : '') + JSON.stringify({ session, events: rows, ...(replay && { replay }), ...(assets.length && { assets }) }));
  }
  parts.push(']');
  if (hashes.size) {
    parts.push(',"assetBodies":[');
    let first = true;
    for (const hash of hashes) {
      const body = await db.replayAssets.get(hash);
      if (!body) continue;
      parts.push((first ? '' : ',') + JSON.stringify({ hash, contentType: body.contentType, data: bytesToBase64(body.data) }));
      first = false;
    }
    parts.push(']');
  }
  parts.push('}');
  const stamp = new Date(now).toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return { blob: new Blob(parts, { type: 'application/json' }), fileName: `rumscope-sessions-${stamp}.json`, sessions: sessions.length, events };
}
