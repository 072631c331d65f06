/**
 * How a replay segment's records are stored: deflated JSON (fflate). Used where segments are written (the
 * extension's background) and read (the panel's source); never in the page.
 */
import { deflateSync, inflateSync, strFromU8, strToU8 } from 'fflate';
import type { ReplayData, ReplayRecord, ReplaySegmentRow } from '../../schema';

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
