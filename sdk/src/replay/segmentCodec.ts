/**
 * How a replay segment's records are stored: deflated JSON (fflate). Used where segments are written (the
 * extension's background, the team server) and read (the panel's source); never in the page.
 */
import { deflateSync, inflateSync, strFromU8, strToU8 } from 'fflate';
import { REPLAY_FULL_SNAPSHOT, type ReplayData, type ReplayRecord, type ReplaySegmentPayload, type ReplaySegmentRow, type ReplayStats } from '../../schema';
import { redactRecords } from './redactRecords';

export function compressRecords(records: ReplayRecord[]): { data: Uint8Array; rawChars: number } {
  const json = JSON.stringify(records);
  return { data: deflateSync(strToU8(json), { level: 6 }), rawChars: json.length };
}

export function decompressRecords(data: Uint8Array): ReplayRecord[] {
  return JSON.parse(strFromU8(inflateSync(data))) as ReplayRecord[];
}

/** A session's rows (any order) as the player reads them: records decompressed and in time order. */
export function decodeReplay(rows: ReplaySegmentRow[]): ReplayData {
  const sorted = [...rows].sort((a, b) => a.start - b.start || a.seq - b.seq);
  const records: ReplayRecord[] = [];
  for (const row of sorted) for (const record of decompressRecords(row.data)) records.push(record);
  records.sort((a, b) => a.timestamp - b.timestamp);
  return { records, segments: sorted.map(({ data: _data, ...meta }) => meta) };
}

/** Builds the row of one validated segment (redacted, compressed); no database involved. */
export function buildSegmentRow(sessionId: string, loadId: string, seq: number, payload: ReplaySegmentPayload): ReplaySegmentRow {
  const records = redactRecords(payload.records);
  const { data, rawChars } = compressRecords(records);
  let start = Infinity;
  let end = -Infinity;
  for (const record of records) {
    start = Math.min(start, record.timestamp);
    end = Math.max(end, record.timestamp);
  }
  return {
    sessionId,
    loadId,
    seq,
    viewId: payload.viewId,
    reason: payload.reason,
    start,
    end,
    records: records.length,
    fullSnapshot: records.some((r) => r.type === REPLAY_FULL_SNAPSHOT),
    rawChars,
    bytes: data.byteLength,
    data,
  };
}

/** A session's replay stats after one more stored row. */
export function addToReplayStats(stats: ReplayStats | undefined, row: Pick<ReplaySegmentRow, 'bytes' | 'rawChars' | 'start' | 'end'>): ReplayStats {
  return {
    segments: (stats?.segments ?? 0) + 1,
    bytes: (stats?.bytes ?? 0) + row.bytes,
    rawChars: (stats?.rawChars ?? 0) + row.rawChars,
    start: Math.min(stats?.start ?? Infinity, row.start),
    end: Math.max(stats?.end ?? -Infinity, row.end),
  };
}
