import type { ReplaySegmentReason } from '../../schema';

/** Cut a segment after this long (from its first record), as Datadog does. */
export const SEGMENT_MAX_MS = 5_000;
/**
 * Cut a segment once its JSON is this long. Each segment is deflated on its own, so a longer one shares more of
 * its context: on the bench page's mutation storm, 120,000 instead of Datadog's 60,000 stores 39.5 KB instead of
 * 42.3 KB (the page holds at most this much JSON before handing it over).
 */
export const SEGMENT_MAX_CHARS = 120_000;

export interface SegmentBuilderOptions {
  /** Receives the JSON of one ReplaySegmentPayload. */
  onSegment: (json: string, reason: ReplaySegmentReason) => void;
  maxChars?: number;
}

/**
 * Collects rrweb records (each already a JSON string: the one serialization the page pays for) into
 * segments of one view. The caller cuts by time (flush('time') from its timer), by view (`add` with a new
 * view id cuts the previous segment first) and when the page leaves; size is cut here.
 * States as Datadog's segment collection: waiting for the first record, or pending with a segment open.
 */
export function createSegmentBuilder({ onSegment, maxChars = SEGMENT_MAX_CHARS }: SegmentBuilderOptions) {
  let parts: string[] = [];
  let chars = 0;
  let viewId: string | null = null;
  let openedAt = 0;

  function flush(reason: ReplaySegmentReason) {
    if (!parts.length) return;
    const json = `{"viewId":${JSON.stringify(viewId)},"reason":"${reason}","records":[${parts.join(',')}]}`;
    parts = [];
    chars = 0;
    onSegment(json, reason);
  }

  return {
    /** Adds one record (its JSON); `view` is the view it belongs to. */
    add(recordJson: string, view: string | null, now: number) {
      if (parts.length && view !== viewId) flush('view');
      if (!parts.length) {
        viewId = view;
        openedAt = now;
      }
      parts.push(recordJson);
      chars += recordJson.length + 1;
      if (chars >= maxChars) flush('size');
    },
    flush,
    /** Whether the open segment is older than `maxMs` (the caller's timer asks). */
    isDue(now: number, maxMs = SEGMENT_MAX_MS) {
      return parts.length > 0 && now - openedAt >= maxMs;
    },
    get pending() {
      return parts.length;
    },
  };
}
