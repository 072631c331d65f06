/**
 * Replay segments of the peer SDKs. @datadog/browser-rum 7.x and @openobserve/browser-rum 0.4.x (a fork of it)
 * record the page as "change records": full snapshots in format 1 and incremental DOM changes as records of
 * type 12, built on a string table and insertion points. rrweb's player reads rrweb's own node tree and
 * mutation records, not these, so a segment is kept as sent (deflated, with its metadata) and its session says
 * why it cannot be played. A segment in the older rrweb-like format (format 0, no change records) is kept
 * the same way: converting it is not built either.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ForeignReplayStats, SdkName } from '../../sdk/schema';
import { SDK_LABELS } from '../../sdk/schema';
import type { Database } from '../db/schema';
import { HttpError } from '../http';
import { decodeUtf8, inflate } from './readBody';

export const CHANGE_FORMAT = 'datadog-change';
export const V1_FORMAT = 'datadog-v1';

export function notPlayableReason(sdk: SdkName, format: string): string {
  const who = SDK_LABELS[sdk];
  return format === CHANGE_FORMAT
    ? `${who} records the page as Datadog "change records" (full snapshots in format 1, DOM changes as records of type 12 over a string table), which the rrweb player cannot read; the segments are kept as sent.`
    : `${who} recorded it in Datadog's rrweb-like format, which is not converted for the rrweb player yet; the segments are kept as sent.`;
}

/** What the multipart `event` part says of its segment (the fields the intake relies on). */
export interface SegmentMetadata {
  sessionId: string;
  viewId: string | null;
  start: number;
  end: number;
  recordsCount: number;
  indexInView: number;
  hasFullSnapshot: boolean;
  raw: Record<string, unknown>;
}

export function parseSegmentMetadata(json: unknown): SegmentMetadata {
  const meta = json as Record<string, any>;
  const sessionId = meta?.session?.id;
  const start = meta?.start;
  const end = meta?.end;
  if (typeof sessionId !== 'string' || !sessionId || sessionId.length > 128) throw new HttpError(400, 'the segment metadata has no session.id');
  if (!Number.isFinite(start) || !Number.isFinite(end) || start < 0 || end < start) throw new HttpError(400, 'the segment metadata has no valid start/end');
  const viewId = typeof meta?.view?.id === 'string' ? meta.view.id.slice(0, 64) : null;
  return {
    sessionId,
    viewId,
    start,
    end,
    recordsCount: Number.isInteger(meta.records_count) ? meta.records_count : 0,
    indexInView: Number.isInteger(meta.index_in_view) ? meta.index_in_view : 0,
    hasFullSnapshot: meta.has_full_snapshot === true,
    raw: meta,
  };
}

/** Reads a deflated segment: its records, and which format they are in. Bad data → 400, too big → 413. */
export function inspectSegment(data: Buffer, maxBytes: number): { records: number; format: string; fullSnapshot: boolean; rawBytes: number } {
  const text = decodeUtf8(inflate(data, 'deflate', maxBytes, 'replay segment'), 'replay segment');
  let segment: unknown;
  try {
    segment = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the replay segment is not JSON');
  }
  const records = (segment as { records?: unknown })?.records;
  if (!Array.isArray(records) || !records.length) throw new HttpError(400, 'the replay segment has no records');
  let change = false;
  let fullSnapshot = false;
  for (const record of records) {
    const type = (record as { type?: unknown })?.type;
    const timestamp = (record as { timestamp?: unknown })?.timestamp;
    if (typeof type !== 'number' || typeof timestamp !== 'number') throw new HttpError(400, 'a replay record has no type or timestamp');
    if (type === 12 || (type === 2 && (record as { format?: unknown }).format === 1)) change = true;
    if (type === 2) fullSnapshot = true;
  }
  return { records: records.length, format: change ? CHANGE_FORMAT : V1_FORMAT, fullSnapshot, rawBytes: Buffer.byteLength(text) };
}

export function segmentId(loadId: string, meta: SegmentMetadata): string {
  return createHash('sha256').update(`${loadId}\n${meta.viewId ?? ''}\n${meta.indexInView}\n${meta.start}`).digest('hex').slice(0, 40);
}

/** A session's kept segments, summed (null: none). */
export async function foreignReplayStats(db: Kysely<Database>, sessionId: string): Promise<ForeignReplayStats | undefined> {
  const rows = await db
    .selectFrom('foreign_replay_segments')
    .select(['sdk', 'format', 'bytes', 'records', 'start_at', 'end_at'])
    .where('session_id', '=', sessionId)
    .execute();
  if (!rows.length) return undefined;
  const change = rows.find((row) => row.format === CHANGE_FORMAT) ?? rows[0]!;
  return {
    format: change.format,
    reason: notPlayableReason(change.sdk as SdkName, change.format),
    segments: rows.length,
    bytes: rows.reduce((n, row) => n + Number(row.bytes), 0),
    records: rows.reduce((n, row) => n + Number(row.records), 0),
    start: Math.min(...rows.map((row) => Number(row.start_at))),
    end: Math.max(...rows.map((row) => Number(row.end_at))),
  };
}
