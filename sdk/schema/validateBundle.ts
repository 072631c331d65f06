/**
 * Validation of an imported session bundle (SessionExportBundle), one session at a time, at the extension's
 * background (a trust boundary: the file comes from anywhere). The session and its events go through the same
 * validators as the team server's uploads; the replay records through the recorder's segment validator (in
 * segment-sized parts); asset references and bodies through the schemas below.
 */
import * as v from 'valibot';
import type { StoredEvent } from './events';
import { LIMITS } from './bridge';
import { REPLAY_ASSET_SKIP_REASONS, type ReplaySegmentPayload } from './replay';
import type { BundleAssetBody, BundleAssetRef, SessionBundleEntry } from './storage';
import { schemaParts, type ValidationResult } from './validate';
import { MAX_RECORDS_PER_SEGMENT, validateReplaySegment } from './validateReplay';
import { UPLOAD_LIMITS, validateSessionRecord, validateStoredEvent } from './validateServer';

const { str, nonNeg } = schemaParts;

/** Asset references of one session at most, and the size of one body (as the extension's caps). */
export const BUNDLE_LIMITS = { maxAssetRefs: 5000, maxAssetBytes: 5 * 1024 * 1024, maxReplayRecords: 2_000_000 } as const;

const sha256Hex = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'not a hex sha-256'));

const assetRefSchema = v.strictObject({
  url: v.pipe(str(8192), v.regex(/^https?:\/\//i, 'not an http(s) URL')),
  kind: v.picklist(['stylesheet', 'image', 'css']),
  hash: v.nullable(sha256Hex),
  reason: v.optional(v.picklist(REPLAY_ASSET_SKIP_REASONS)),
  detail: v.optional(str(1024)),
  bytes: nonNeg,
  at: nonNeg,
});

const entrySchema = v.strictObject({
  session: v.unknown(),
  events: v.pipe(v.array(v.unknown()), v.maxLength(UPLOAD_LIMITS.maxEventsPerSession)),
  replay: v.optional(v.pipe(v.array(v.unknown()), v.maxLength(BUNDLE_LIMITS.maxReplayRecords))),
  assets: v.optional(v.pipe(v.array(assetRefSchema), v.maxLength(BUNDLE_LIMITS.maxAssetRefs))),
});

const bodySchema = v.strictObject({
  hash: sha256Hex,
  contentType: v.pipe(str(256), v.regex(/^[\w.+-]+\/[\w.+-]+$/, 'not a media type')),
  data: v.pipe(v.string(), v.maxLength(Math.ceil(BUNDLE_LIMITS.maxAssetBytes / 3) * 4), v.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64')),
});

/** A validated entry: the recording cut into segments the recorder's validator accepted. */
export interface ValidBundleEntry extends Omit<SessionBundleEntry, 'replay'> {
  segments: ReplaySegmentPayload[];
  assets: BundleAssetRef[];
}

/** Records of one imported segment at most; its JSON stays under the relay's segment limit too. */
const SEGMENT_RECORDS = Math.min(2000, MAX_RECORDS_PER_SEGMENT);

/** Cuts the records into segment payloads and checks each with the recorder's validator. */
function replaySegments(records: unknown[]): ValidationResult<ReplaySegmentPayload[]> {
  const segments: ReplaySegmentPayload[] = [];
  let part: unknown[] = [];
  let chars = 0;
  const close = (): string | null => {
    if (!part.length) return null;
    const checked = validateReplaySegment(JSON.stringify({ viewId: null, reason: 'size', records: part }));
    if (!checked.ok) return `replay[${segments.length ? `part ${segments.length}` : 'part 0'}]: ${checked.reason}`;
    segments.push(checked.value);
    part = [];
    chars = 0;
    return null;
  };
  for (const record of records) {
    const size = JSON.stringify(record ?? null)?.length ?? 0;
    if (part.length && (part.length >= SEGMENT_RECORDS || chars + size > LIMITS.maxReplaySegmentChars / 2)) {
      const error = close();
      if (error) return { ok: false, reason: error };
    }
    part.push(record);
    chars += size;
  }
  const error = close();
  return error ? { ok: false, reason: error } : { ok: true, value: segments };
}

/** One session of a bundle: the session record, its events (all filed under it), its recording and asset references. */
export function validateBundleEntry(input: unknown): ValidationResult<ValidBundleEntry> {
  const entry = v.safeParse(entrySchema, input);
  if (!entry.success) return { ok: false, reason: v.summarize(entry.issues) };
  const session = validateSessionRecord(entry.output.session);
  if (!session.ok) return { ok: false, reason: `session: ${session.reason}` };
  const events: StoredEvent[] = [];
  for (const [j, raw] of entry.output.events.entries()) {
    const event = validateStoredEvent(raw);
    if (!event.ok) return { ok: false, reason: `events[${j}]: ${event.reason}` };
    if (event.value.sessionId !== session.value.id) return { ok: false, reason: `events[${j}]: belongs to session ${event.value.sessionId}, not ${session.value.id}` };
    events.push(event.value);
  }
  const segments = replaySegments(entry.output.replay ?? []);
  if (!segments.ok) return segments;
  const assets = (entry.output.assets ?? []) as BundleAssetRef[];
  for (const [k, ref] of assets.entries()) {
    if (ref.hash === null && !ref.reason) return { ok: false, reason: `assets[${k}]: neither kept (hash) nor skipped (reason)` };
  }
  return { ok: true, value: { session: session.value, events, segments: segments.value, assets } };
}

/** One asset body of a bundle (its hash is checked against the decoded bytes by the importer). */
export function validateBundleAssetBody(input: unknown): ValidationResult<BundleAssetBody> {
  const body = v.safeParse(bodySchema, input);
  return body.success ? { ok: true, value: body.output } : { ok: false, reason: v.summarize(body.issues) };
}
