/**
 * Export (spec: "provide data export for users who request it"): sessions with their events as one JSON
 * bundle (SessionExportBundle), the format the dashboard imports. Built in the extension page that asks
 * (it shares the database), one session at a time, as Blob parts: no runtime message size limit applies.
 */
import { EXPORT_FORMAT, EXPORT_VERSION, SCHEMA_VERSION, type SessionExportBundle, type SessionRecord } from '../../sdk/schema';
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
  for (const [index, session] of sessions.entries()) {
    const rows = await db.events.where('[sessionId+time]').between([session.id, -Infinity], [session.id, Infinity]).toArray();
    events += rows.length;
    // The recording goes with its session (decompressed: the bundle is plain JSON; the importer recompresses).
    const replay = session.replayStats?.segments ? (await readReplay(db, session.id)).records : undefined;
    parts.push((index ? ',' : '') + JSON.stringify({ session, events: rows, ...(replay && { replay }) }));
  }
  parts.push(']}');
  const stamp = new Date(now).toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return { blob: new Blob(parts, { type: 'application/json' }), fileName: `rumscope-sessions-${stamp}.json`, sessions: sessions.length, events };
}
