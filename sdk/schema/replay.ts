/**
 * Session replay: what the recorder sends, what the store keeps, what the player reads. Types only.
 *
 * The recorder (a separate MAIN-world script, injected only into pages whose session is recorded) cuts its
 * rrweb records into segments (~5 s, ~60 KB, a view change, the page leaving) and posts each one as a JSON
 * string on its own bridge message kind ('replay'); the background validates, compresses and stores it.
 * Replay data never shares the RUM events' size limits, unacknowledged budget or table.
 */

/** One rrweb record, kept opaque apart from what every record has (the player knows the rest). */
export interface ReplayRecord {
  /** rrweb EventType: 0 DomContentLoaded, 1 Load, 2 FullSnapshot, 3 IncrementalSnapshot, 4 Meta, 5 Custom, 6 Plugin. */
  type: number;
  /** Epoch ms. */
  timestamp: number;
  data: unknown;
  /** rrweb sets it when a record was taken in a cross-origin child frame. */
  delay?: number;
}

/** rrweb EventType values the store looks at. */
export const REPLAY_FULL_SNAPSHOT = 2;
export const REPLAY_META = 4;

/** Why a segment was cut (as Datadog's segment creation reasons). */
export type ReplaySegmentReason = 'time' | 'size' | 'view' | 'exit' | 'stop';
export const REPLAY_SEGMENT_REASONS: readonly ReplaySegmentReason[] = ['time', 'size', 'view', 'exit', 'stop'];

/** The JSON the recorder posts as one segment (PageReplayMessage.segment). */
export interface ReplaySegmentPayload {
  /** The RUM view the records belong to (the capture SDK's view id), null when it was not known. */
  viewId: string | null;
  reason: ReplaySegmentReason;
  records: ReplayRecord[];
}

/** One stored segment: records of one load, compressed (deflate, fflate) in the background. */
export interface ReplaySegmentRow {
  sessionId: string;
  loadId: string;
  /** The relay's replay sequence number in its load: [loadId+seq] is the key, so a re-sent segment overwrites itself. */
  seq: number;
  viewId: string | null;
  reason: ReplaySegmentReason;
  /** Epoch ms of the first and last record. */
  start: number;
  end: number;
  records: number;
  /** Whether it holds a full snapshot (a player can start from it). */
  fullSnapshot: boolean;
  /** JSON length of the records before compression, and the stored (compressed) byte size. */
  rawChars: number;
  bytes: number;
  /** Deflated JSON array of the segment's ReplayRecord[]. */
  data: Uint8Array;
}

/** Kept on the session record: whether it has a recording, and how big. */
export interface ReplayStats {
  segments: number;
  /** Compressed bytes stored. */
  bytes: number;
  rawChars: number;
  /** Epoch ms of the first and last recorded record. */
  start: number;
  end: number;
}

/**
 * One time window of a recording (SessionSource.getReplay's second argument): the segments that start after
 * `after` (epoch ms; absent: from the first) up to `spanMs` past the first of them. The player asks for the
 * window around its playhead, so opening a long recording reads only its beginning.
 *
 * With `at` instead of `after`: the segments a frame at `at` is drawn from, i.e. from the segment holding the
 * last full snapshot that starts at or before `at` (none: the first full snapshot; the segment before it in the
 * same load too, which may hold its Meta record) to those that start up to `at` + `spanMs`. `{ at: 0, spanMs: 0 }`
 * is the least that shows a recording's first frame: its first full snapshot's segment, usually one row.
 */
export interface ReplayWindowQuery {
  after?: number;
  at?: number;
  spanMs: number;
}

/** What the player reads for one session (SessionSource.getReplay). */
export interface ReplayData {
  /** The records of the session (of the window asked for, if any) in time order, decompressed. */
  records: ReplayRecord[];
  segments: Omit<ReplaySegmentRow, 'data'>[];
  /** With a window: where it ends (segments starting up to `until` are in it) and whether later segments exist. */
  window?: { until: number; more: boolean };
  /** With a window: the whole recording's time range (epoch ms), for the scrubber. */
  range?: { start: number; end: number };
}
