/**
 * The background's check of one replay segment (a trust boundary: the page wrote it). The records' `data`
 * stays opaque (a DOM snapshot nests as deep as the page does); what the store and the player rely on is
 * checked: each record's type and time, the segment's view and reason, and the size.
 */
import * as v from 'valibot';
import { LIMITS } from './bridge';
import { REPLAY_SEGMENT_REASONS, type ReplaySegmentPayload } from './replay';
import type { ValidationResult } from './validate';

/** Records in one segment at most (a segment is cut every ~5 s or ~120 KB; a full snapshot is one record). */
export const MAX_RECORDS_PER_SEGMENT = 20_000;

/** One rrweb record: its type and time checked, its data opaque (also in an export bundle's `replay`). */
export const replayRecordSchema = v.object({
  type: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(6)),
  timestamp: v.pipe(v.number(), v.finite(), v.minValue(0)),
  data: v.unknown(),
  delay: v.optional(v.pipe(v.number(), v.finite())),
});

const segmentSchema = v.strictObject({
  viewId: v.nullable(v.pipe(v.string(), v.maxLength(64))),
  reason: v.picklist(REPLAY_SEGMENT_REASONS),
  records: v.pipe(v.array(replayRecordSchema), v.minLength(1), v.maxLength(MAX_RECORDS_PER_SEGMENT)),
});

/** Parses and checks the JSON of one segment; unknown keys of a record are dropped. */
export function validateReplaySegment(json: string): ValidationResult<ReplaySegmentPayload> {
  if (typeof json !== 'string') return { ok: false, reason: 'not a string' };
  if (json.length > LIMITS.maxReplaySegmentChars) return { ok: false, reason: 'oversized' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const result = v.safeParse(segmentSchema, parsed);
  if (!result.success) return { ok: false, reason: v.summarize(result.issues) };
  const records = result.output.records.map((r) => ({ type: r.type, timestamp: r.timestamp, data: r.data, ...(r.delay !== undefined && { delay: r.delay }) }));
  return { ok: true, value: { viewId: result.output.viewId, reason: result.output.reason, records } };
}
