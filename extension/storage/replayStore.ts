/**
 * Replay segments in the extension's database: stored compressed (fflate deflate, in the background, never
 * on the page's thread), one row per segment keyed [loadId+seq] (a re-sent segment overwrites itself and is
 * counted once), counted in the session's bytes so that retention, the size cap and quota eviction take
 * them with their session.
 */
import { REPLAY_FULL_SNAPSHOT, type ReplayData, type ReplaySegmentPayload, type ReplaySegmentRow, type ReplayWindowQuery } from '../../sdk/schema';
import { redactRecords } from '../../sdk/src/replay/redactRecords';
import { addToReplayStats, buildSegmentRow, compressRecords, decodeReplay, decodeReplayNative } from '../../sdk/src/replay/segmentCodec';
import type { RumscopeDb } from './db';

/** Bytes a segment row costs beyond its compressed data (keys, metadata). */
export const ROW_OVERHEAD = 200;

export { buildSegmentRow };

export type StoreReplayResult =
  | { status: 'stored'; sessionId: string; duplicate: boolean }
  /** The load id belongs to another tab: forged. */
  | { status: 'foreign' }
  /** No session records a replay for this load (unknown load, deleted session, not sampled for replay). */
  | { status: 'not_recorded' };


/** Stores one segment of a load, if the load's session records a replay. */
export async function storeReplaySegment(
  db: RumscopeDb,
  input: { loadId: string; tabId: number; seq: number; payload: ReplaySegmentPayload },
): Promise<StoreReplayResult> {
  const load = await db.loads.get(input.loadId);
  if (!load) return { status: 'not_recorded' };
  if (load.tabId !== input.tabId) return { status: 'foreign' };
  if (!load.sessionId) return { status: 'not_recorded' };
  // Compressed before the transaction (an IndexedDB transaction must not wait on other work).
  const row = buildSegmentRow(load.sessionId, input.loadId, input.seq, input.payload);
  return db.transaction('rw', db.sessions, db.replaySegments, async (): Promise<StoreReplayResult> => {
    const session = await db.sessions.get(row.sessionId);
    if (!session || !session.sampled || !session.replay) return { status: 'not_recorded' };
    if (await db.replaySegments.get([row.loadId, row.seq])) return { status: 'stored', sessionId: session.id, duplicate: true };
    await db.replaySegments.put(row);
    session.replayStats = addToReplayStats(session.replayStats, row);
    session.bytes = (session.bytes ?? 0) + row.bytes + ROW_OVERHEAD;
    await db.sessions.put(session);
    return { status: 'stored', sessionId: session.id, duplicate: false };
  });
}

/**
 * startSessionReplayRecording({ force: true }) from a page: its session records a replay from now on.
 * Returns the session's privacy level for the recorder, or null when the page has no tracked session.
 */
export async function forceReplay(db: RumscopeDb, loadId: string, tabId: number): Promise<{ sessionId: string; privacyLevel: string | null } | null> {
  return db.transaction('rw', db.sessions, db.loads, async () => {
    const load = await db.loads.get(loadId);
    if (!load || load.tabId !== tabId || !load.sessionId) return null;
    const session = await db.sessions.get(load.sessionId);
    if (!session || !session.sampled) return null;
    if (!session.replay) {
      session.replay = true;
      await db.sessions.put(session);
    }
    return { sessionId: session.id, privacyLevel: session.defaults?.privacyLevel ?? null };
  });
}

/** A session's segments (metadata only) in time order. */
export function listSegments(db: RumscopeDb, sessionId: string): Promise<ReplaySegmentRow[]> {
  return db.replaySegments.where('[sessionId+start]').between([sessionId, -Infinity], [sessionId, Infinity]).toArray();
}

/**
 * Everything the player needs for one session: records decompressed, in time order. With a window, only the
 * segments that start in (after, first start after `after` + spanMs], or, with `at`, from the segment of the full
 * snapshot a frame at `at` is drawn from up to `at` + spanMs (ReplayWindowQuery): reads a few rows, never the whole
 * session.
 */
export async function readReplay(db: RumscopeDb, sessionId: string, window?: ReplayWindowQuery): Promise<ReplayData> {
  if (!window) return decodeReplay(await listSegments(db, sessionId));
  const index = () => db.replaySegments.where('[sessionId+start]');
  const all = () => index().between([sessionId, -Infinity], [sessionId, Infinity]);
  const span = Math.max(0, window.spanMs);
  const at = window.at;
  const [first, last, atOrBefore] = await Promise.all([
    all().first(),
    all().last(),
    at === undefined ? undefined : index().between([sessionId, -Infinity], [sessionId, at], true, true).reverse().filter((r) => r.fullSnapshot).first(),
  ]);
  if (!first || !last) return { records: [], segments: [], window: { until: window.after ?? at ?? -Infinity, more: false } };
  const range = (rows: ReplaySegmentRow[]) => ({ start: first.start, end: Math.max(last.end, ...rows.map((r) => r.end)) });
  if (at !== undefined) {
    // No full snapshot stored: nothing can be drawn; the first window then (the player says so).
    const from = atOrBefore ?? (first.fullSnapshot ? first : await all().filter((r) => r.fullSnapshot).first()) ?? first;
    const until = Math.max(at, from.start) + span;
    const [before, rows] = await Promise.all([
      from.seq > 0 ? db.replaySegments.get([from.loadId, from.seq - 1]) : undefined,
      index().between([sessionId, from.start], [sessionId, until], true, true).toArray(),
    ]);
    if (before && !rows.some((r) => r.loadId === before.loadId && r.seq === before.seq)) rows.unshift(before);
    return { ...(await decodeReplayNative(rows)), window: { until, more: last.start > until }, range: range(rows) };
  }
  const after = window.after ?? -Infinity;
  const next = await index().between([sessionId, after], [sessionId, Infinity], false, true).first();
  if (!next) return { records: [], segments: [], window: { until: after, more: false }, range: range([]) };
  const until = next.start + span;
  const rows = await index().between([sessionId, after], [sessionId, until], false, true).toArray();
  return { ...(await decodeReplayNative(rows)), window: { until, more: last.start > until }, range: range(rows) };
}
