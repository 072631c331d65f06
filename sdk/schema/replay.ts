/**
 * Session replay: what the recorder sends, what the store keeps, what the player reads. Types only.
 *
 * The recorder (a separate MAIN-world script, injected only into pages whose session is recorded) cuts its
 * rrweb records into segments (~5 s, ~120 KB, a view change, the page leaving) and posts each one as a JSON
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

/**
 * Assets kept with a recording (stylesheets, fonts, images; docs/replay-assets.md): fetched by the extension's
 * background at recording time, stored once per content hash, referenced per session.
 */
export type ReplayAssetKind = 'stylesheet' | 'image' | 'css';

/** Why an asset the recording shows was not kept. */
export type ReplayAssetSkipReason =
  /** Bigger than the per-asset cap. */
  | 'too_large'
  /** The session's asset bytes or count cap was reached. */
  | 'session_cap'
  /** `Cache-Control: private` or `no-store`, and the site was not opted in. */
  | 'private'
  /** Not a stylesheet, font or image. */
  | 'type'
  /** The server answered with an error status (`detail`: the status). */
  | 'http'
  /** The request failed or timed out. */
  | 'network'
  /** The browser refused the write (storage full). */
  | 'quota'
  /** The asset's own site, or the recorded page's, is on the block list: not even requested. */
  | 'blocked';
export const REPLAY_ASSET_SKIP_REASONS: readonly ReplayAssetSkipReason[] = ['too_large', 'session_cap', 'private', 'type', 'http', 'network', 'quota', 'blocked'];

/** One stored asset body, keyed by the hex sha-256 of its bytes (the same file is stored once). */
export interface ReplayAssetRow {
  hash: string;
  bytes: number;
  contentType: string;
  data: Uint8Array;
  fetchedAt: number;
  /** The session its bytes are counted in (the first to store it; passed on when that session is deleted). */
  owner: string;
}

/** A session's reference to an asset its recording shows: kept (with the hash) or skipped (with the reason). */
export interface ReplayAssetRef {
  sessionId: string;
  /** The absolute URL as the stored records name it (after redaction): what the player looks up. */
  url: string;
  kind: ReplayAssetKind;
  hash: string | null;
  reason?: ReplayAssetSkipReason;
  /** e.g. the HTTP status of an 'http' skip, or the size of a 'too_large' one. */
  detail?: string;
  /** Bytes of the kept body (0 when skipped). */
  bytes: number;
  at: number;
}

/** Kept on the session record: its assets at a glance. */
export interface ReplayAssetStats {
  kept: number;
  skipped: number;
  /** Bytes of the assets this session owns (counted in its `bytes`). */
  ownedBytes: number;
  /** Bytes of all the assets it references, shared ones included. */
  referencedBytes: number;
  /** Recorded before the extension kept assets: the player says so instead of listing every asset as missing. */
  predatesAssets?: true;
}

/** What the player reads to serve kept assets (SessionSource.getReplayAssets): references and the kept bodies. */
export interface ReplayAssetsData {
  refs: ReplayAssetRef[];
  bodies: { hash: string; contentType: string; data: Uint8Array }[];
}
