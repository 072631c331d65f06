/**
 * How a replay segment's records are stored: deflated JSON (fflate) of their stored form (recordCodec.ts). Used where segments are written (the
 * extension's background, the team server) and read (the panel's source); never in the page.
 */
import { deflateSync, inflateSync, strFromU8, strToU8 } from 'fflate';
import { REPLAY_FULL_SNAPSHOT, REPLAY_META, type ReplayData, type ReplayRecord, type ReplaySegmentPayload, type ReplaySegmentRow, type ReplayStats } from '../../schema';
import { decodeRecords, encodeRecords } from './recordCodec';
import { redactRecords } from './redactRecords';
import { SEGMENT_MAX_CHARS, SEGMENT_MAX_MS } from './createSegmentBuilder';

/** Deflated JSON of the records' stored form (recordCodec.ts); `rawChars`: that JSON's length. */
export function compressRecords(records: ReplayRecord[]): { data: Uint8Array; rawChars: number } {
  const json = JSON.stringify(encodeRecords(records));
  return { data: deflateSync(strToU8(json), { level: 6 }), rawChars: json.length };
}

/** Above this a segment is inflated into a buffer of its own (no scratch buffer that large is kept). */
const SCRATCH_MAX = 16 * 1024 * 1024;
let scratch: Uint8Array | null = null;

/**
 * A segment's records. With `rawChars` (the row's JSON length) it inflates into one reused buffer of 3 bytes
 * per char (UTF-8's most for a UTF-16 unit): fflate without an output buffer grows a fresh one of 128 KB+ per
 * call, which made reading a window of small segments cost several times its inflating. A size that does not
 * hold (an untrusted row) is only slower: a full buffer is taken as too small and the segment inflated again.
 */
export function decompressRecords(data: Uint8Array, rawChars?: number): ReplayRecord[] {
  const size = rawChars !== undefined && Number.isSafeInteger(rawChars) && rawChars > 0 ? rawChars * 3 : 0;
  if (size && size <= SCRATCH_MAX) {
    if (!scratch || scratch.length < size) scratch = new Uint8Array(Math.max(size, 64 * 1024));
    const out = inflateSync(data, { out: scratch });
    if (out.length < scratch.length) return decodeRecords(JSON.parse(strFromU8(out)));
  }
  return decodeRecords(JSON.parse(strFromU8(inflateSync(data))));
}

/**
 * A segment's records inflated by the platform's own DecompressionStream where there is one (native zlib: no
 * JavaScript inflate that runs cold, in the interpreter, on the first segment a page opens), fflate otherwise.
 */
export async function decompressRecordsNative(data: Uint8Array, rawChars?: number): Promise<ReplayRecord[]> {
  if (typeof DecompressionStream !== 'function') return decompressRecords(data, rawChars);
  const inflated = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return decodeRecords(JSON.parse(await new Response(inflated).text()));
}

/** A session's rows (any order) as the player reads them: records decompressed and in time order. */
export function decodeReplay(rows: ReplaySegmentRow[]): ReplayData {
  return collect(rows, (row) => decompressRecords(row.data, row.rawChars));
}

/** decodeReplay, inflating natively (decompressRecordsNative): what a browser page reads with. */
export async function decodeReplayNative(rows: ReplaySegmentRow[]): Promise<ReplayData> {
  const decoded = new Map(await Promise.all(rows.map(async (row) => [row, await decompressRecordsNative(row.data, row.rawChars)] as const)));
  return collect(rows, (row) => decoded.get(row)!);
}

function collect(rows: ReplaySegmentRow[], recordsOf: (row: ReplaySegmentRow) => ReplayRecord[]): ReplayData {
  const sorted = [...rows].sort((a, b) => a.start - b.start || a.seq - b.seq);
  const records: ReplayRecord[] = [];
  for (const row of sorted) for (const record of recordsOf(row)) records.push(record);
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

/** The load id an imported recording's segments are stored under (an export bundle keeps no loads). */
export const importedLoadId = (sessionId: string) => `import:${sessionId}`.slice(0, 64);

/** Bounds of the segments splitRecords cuts (as the recorder's: ~5 s, ~120 KB of JSON). */
export const SPLIT_SEGMENT = { maxMs: SEGMENT_MAX_MS, maxChars: SEGMENT_MAX_CHARS } as const;

/**
 * A recording kept as one list of records (an export bundle's `replay`) cut back into segments to store, as the
 * recorder would have cut it: by time and size, and before every full snapshot (with the Meta record just before
 * it), so that a player reading by window finds each snapshot at the start of a segment.
 */
export function splitRecords(records: readonly ReplayRecord[], bounds: { maxMs: number; maxChars: number } = SPLIT_SEGMENT): ReplayRecord[][] {
  const segments: ReplayRecord[][] = [];
  let current: ReplayRecord[] = [];
  let chars = 0;
  for (const [index, record] of records.entries()) {
    const opensSnapshot = record.type === REPLAY_FULL_SNAPSHOT || (record.type === REPLAY_META && records[index + 1]?.type === REPLAY_FULL_SNAPSHOT);
    const startsNew = current.length > 0 && (record.timestamp - current[0]!.timestamp >= bounds.maxMs || chars >= bounds.maxChars || (opensSnapshot && current.at(-1)?.type !== REPLAY_META));
    if (startsNew) {
      segments.push(current);
      current = [];
      chars = 0;
    }
    current.push(record);
    chars += JSON.stringify(record).length;
  }
  if (current.length) segments.push(current);
  return segments;
}
