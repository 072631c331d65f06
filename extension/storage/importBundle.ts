/**
 * Import of an export bundle (SessionExportBundle, already validated by the background: validateExportBundle):
 * sessions with their events and recordings, in one transaction, so a bundle is stored whole or not at all. A
 * session already stored is never overwritten: exactly the same, it counts as unchanged; different, it is kept as
 * it is and named in the result. Recordings are cut back into segments (splitRecords) and compressed before the
 * transaction, as the background stores a recorder's segments.
 */
import type { ImportResult, ReplaySegmentRow, SessionExportBundle, SessionRecord } from '../../sdk/schema';
import { addToReplayStats, buildSegmentRow, importedLoadId, splitRecords } from '../../sdk/src/replay/segmentCodec';
import type { RumscopeDb } from './db';

export async function importBundle(db: RumscopeDb, bundle: Pick<SessionExportBundle, 'sessions'>): Promise<ImportResult> {
  const prepared = bundle.sessions.map(({ session, events, replay }) => {
    const rows: ReplaySegmentRow[] = replay?.length
      ? splitRecords(replay).map((records, seq) => buildSegmentRow(session.id, importedLoadId(session.id), seq, { viewId: null, reason: 'time', records }))
      : [];
    return { session, events, rows };
  });
  return db.transaction('rw', [db.sessions, db.events, db.replaySegments], async () => {
    const result: ImportResult = { added: 0, unchanged: 0, kept: [] };
    const stored = await db.sessions.bulkGet(prepared.map((p) => p.session.id));
    for (const [index, { session, events, rows }] of prepared.entries()) {
      const existing = stored[index];
      if (existing) {
        if (sameJson(withoutStats(existing), withoutStats(session))) result.unchanged++;
        else result.kept.push(session.id);
        continue;
      }
      const record: SessionRecord = rows.length ? { ...session, replay: true, replayStats: rows.reduce<SessionRecord['replayStats']>((stats, row) => addToReplayStats(stats, row), undefined) } : session;
      await db.sessions.add(record);
      if (events.length) await db.events.bulkAdd(events);
      if (rows.length) await db.replaySegments.bulkAdd(rows);
      result.added++;
    }
    return result;
  });
}

/** A session as compared on import: without its replay figures, which storing a recording again recomputes. */
function withoutStats({ replayStats: _stats, ...rest }: SessionRecord): Omit<SessionRecord, 'replayStats'> {
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
