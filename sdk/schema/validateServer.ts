/**
 * Validation of the team server's request payloads (valibot), for the server's boundary only. Upload bodies are
 * checked whole before anything is written: one bad session or event rejects the batch with its path.
 */
import * as v from 'valibot';
import { SCHEMA_VERSION, type RumEvent, type StoredEvent } from './events';
import { SDK_NAMES, type SessionRecord } from './session';
import { EXPORT_FORMAT, EXPORT_VERSION } from './storage';
import type { CreateUserRequest, LoginRequest, UploadRequest } from './server';
import { LIMITS } from './bridge';
import { compileCheck } from './fastCheck';
import { eventSchema, inspectJson, schemaParts, validateEvent, type ValidationResult } from './validate';
import { REPLAY_ASSET_SKIP_REASONS, type ReplayRecord, type ReplaySegmentPayload } from './replay';
import { replayRecordSchema, validateReplaySegment } from './validateReplay';

const { str, nonNeg, id, jsonRecord, userContext, size } = schemaParts;
const nullableStr = (max = 256) => v.nullable(str(max));
const namedVersion = v.strictObject({ name: nullableStr(), version: nullableStr() });

/**
 * Upper bounds of one upload or imported bundle (the byte size is capped before parsing by the server). A
 * session's `replay` records nest as deep as the recorded page's DOM: they have a depth bound of their own.
 */
export const UPLOAD_LIMITS = { maxSessions: 500, maxEventsPerSession: 100_000, maxDepth: 16, maxReplayRecordsPerSession: 1_000_000, maxReplayDepth: 2_000 } as const;

/**
 * A bundle's replay assets (BundleAssetRef, BundleAssetBody): references per session at most, bodies in one bundle
 * at most, and the size of one body (the extension's per-asset cap).
 */
export const BUNDLE_ASSET_LIMITS = { maxAssetRefsPerSession: 5000, maxAssetBodies: 50_000, maxAssetBytes: 5 * 1024 * 1024 } as const;

export const sessionRecordSchema = v.strictObject({
  id,
  site: str(),
  startedAt: nonNeg,
  lastEventAt: nonNeg,
  lastActivityAt: nonNeg,
  endedAt: v.nullable(nonNeg),
  endReason: v.nullable(v.picklist(['inactivity', 'max_duration', 'browser_closed', 'user'])),
  tz: v.pipe(v.number(), v.integer(), v.minValue(-14 * 60), v.maxValue(14 * 60)),
  user: v.nullable(userContext),
  global: jsonRecord,
  app: v.strictObject({ service: nullableStr(), env: nullableStr(), version: nullableStr() }),
  browser: namedVersion,
  os: namedVersion,
  deviceType: v.nullable(v.picklist(['Desktop', 'Mobile', 'Tablet'])),
  screen: v.nullable(size),
  viewport: v.nullable(size),
  connectionType: nullableStr(32),
  effectiveType: nullableStr(32),
  language: nullableStr(64),
  timeZone: nullableStr(128),
  geo: v.strictObject({ country: nullableStr(), city: nullableStr(), region: nullableStr() }),
  counts: v.strictObject({
    events: nonNeg,
    views: nonNeg,
    actions: nonNeg,
    errors: nonNeg,
    apiCalls: nonNeg,
    resources: nonNeg,
    longTasks: nonNeg,
  }),
  sampled: v.boolean(),
  replay: v.boolean(),
  // A session with a stored recording carries its figures (the extension's sync uploads such sessions too).
  replayStats: v.optional(v.strictObject({ segments: nonNeg, bytes: nonNeg, rawChars: nonNeg, start: nonNeg, end: nonNeg })),
  replayAssets: v.optional(
    v.strictObject({ kept: nonNeg, skipped: nonNeg, ownedBytes: nonNeg, referencedBytes: nonNeg, predatesAssets: v.optional(v.literal(true)) }),
  ),
  // The per-site anonymous visitor id (new vs returning users) and the last value of each Web Vital.
  visitorId: v.optional(str(128)),
  vitals: v.optional(v.strictObject({ LCP: v.optional(v.strictObject({ value: v.number(), time: nonNeg })), FID: v.optional(v.strictObject({ value: v.number(), time: nonNeg })), CLS: v.optional(v.strictObject({ value: v.number(), time: nonNeg })), TTFB: v.optional(v.strictObject({ value: v.number(), time: nonNeg })), INP: v.optional(v.strictObject({ value: v.number(), time: nonNeg })), FCP: v.optional(v.strictObject({ value: v.number(), time: nonNeg })) })),
  incognito: v.optional(v.boolean()),
  pinned: v.union([v.literal(0), v.literal(1)]),
  overheadMs: nonNeg,
  bytes: v.optional(nonNeg),
  defaults: v.optional(
    v.strictObject({
      user: v.nullable(userContext),
      env: nullableStr(),
      privacyLevel: v.picklist(['allow', 'mask-user-input', 'mask']),
    }),
  ),
  sdk: v.optional(v.strictObject({ name: v.picklist(SDK_NAMES), version: nullableStr(64) })),
  foreignReplay: v.optional(
    v.strictObject({ format: str(64), reason: str(1024), segments: nonNeg, bytes: nonNeg, records: nonNeg, start: nonNeg, end: nonNeg }),
  ),
});

const sha256Hex = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'not a hex sha-256'));

/** What a session's recording shows: kept (the hash of a body in `assetBodies`) or skipped (with its reason). */
const assetRefSchema = v.strictObject({
  url: v.pipe(str(8192), v.regex(/^https?:\/\//i, 'not an http(s) URL')),
  kind: v.picklist(['stylesheet', 'image', 'css']),
  hash: v.nullable(sha256Hex),
  reason: v.optional(v.picklist(REPLAY_ASSET_SKIP_REASONS)),
  detail: v.optional(str(1024)),
  bytes: nonNeg,
  at: nonNeg,
});

/** A kept body, base64 (its sha-256 is checked against the decoded bytes by the importer: crypto is async). */
const assetBodySchema = v.strictObject({
  hash: sha256Hex,
  contentType: v.pipe(str(256), v.regex(/^[\w.+-]+\/[\w.+-]+$/, 'not a media type')),
  data: v.pipe(v.string(), v.maxLength(Math.ceil(BUNDLE_ASSET_LIMITS.maxAssetBytes / 3) * 4), v.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64')),
});

const envelopeSchema = v.strictObject({
  format: v.literal(EXPORT_FORMAT),
  version: v.literal(EXPORT_VERSION),
  schema: v.literal(SCHEMA_VERSION),
  exportedAt: nonNeg,
  source: v.strictObject({ name: str(128), version: str(64) }),
  batchId: v.optional(id),
  sessions: v.pipe(
    v.array(
      v.strictObject({
        session: v.unknown(),
        events: v.pipe(v.array(v.unknown()), v.maxLength(UPLOAD_LIMITS.maxEventsPerSession)),
        // The recording, as the extension's export writes it (SessionExportBundle).
        replay: v.optional(v.pipe(v.array(replayRecordSchema), v.maxLength(UPLOAD_LIMITS.maxReplayRecordsPerSession))),
        assets: v.optional(v.pipe(v.array(assetRefSchema), v.maxLength(BUNDLE_ASSET_LIMITS.maxAssetRefsPerSession))),
      }),
    ),
    v.maxLength(UPLOAD_LIMITS.maxSessions),
  ),
  assetBodies: v.optional(v.pipe(v.array(assetBodySchema), v.maxLength(BUNDLE_ASSET_LIMITS.maxAssetBodies))),
});

/** What the server stamps on a stored event besides the page's fields. */
const storedPartSchema = v.object({
  sessionId: id,
  loadId: id,
  seq: v.pipe(v.number(), v.integer(), v.minValue(0)),
  tabId: v.pipe(v.number(), v.integer()),
  frameId: v.pipe(v.number(), v.integer(), v.minValue(0)),
  schema: v.literal(SCHEMA_VERSION),
});

const sessionRecordFast = compileCheck(sessionRecordSchema);

export function validateSessionRecord(input: unknown): ValidationResult<SessionRecord> {
  if (sessionRecordFast?.(input)) return { ok: true, value: input as SessionRecord };
  const result = v.safeParse(sessionRecordSchema, input);
  return result.success ? { ok: true, value: result.output as SessionRecord } : { ok: false, reason: v.summarize(result.issues) };
}

/** One stored event: its envelope fields, then the page's event through the shared event validator. */
export function validateStoredEvent(input: unknown): ValidationResult<StoredEvent> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, reason: 'not an object' };
  const stored = v.safeParse(storedPartSchema, input);
  if (!stored.success) return { ok: false, reason: v.summarize(stored.issues) };
  const { sessionId, loadId, seq, tabId, frameId, schema, ...event } = input as Record<string, unknown>;
  const checked = validateEvent(event);
  if (!checked.ok) return checked;
  return { ok: true, value: { ...checked.value, sessionId, loadId, seq, tabId, frameId, schema } as StoredEvent };
}

/**
 * The fast path of validateStoredEvent inside a bundle (compiled once, see fastCheck.ts): per event type one strict
 * object of the page's fields and the stored part together, which accepts exactly what storedPartSchema and then
 * eventSchema on the rest accept (the two share no key). Null if that does not hold or does not compile.
 */
const storedEventFast = (() => {
  const stored = storedPartSchema.entries;
  const options = eventSchema.options.map((option) => {
    if (Object.keys(stored).some((key) => key in option.entries)) throw new Error(`an event type names a stored field: ${Object.keys(option.entries).join(', ')}`);
    return v.strictObject({ ...option.entries, ...stored });
  });
  return compileCheck(v.variant('type', options as unknown as v.VariantOptions<'type'>));
})();

/** Where an event sits in a bundle (root → sessions → entry → events → event): the bundle's depth check covers its own. */
const EVENT_DEPTH_IN_BUNDLE = 4;
const BUNDLE_INSPECTS_EVENTS = UPLOAD_LIMITS.maxDepth - EVENT_DEPTH_IN_BUNDLE <= LIMITS.maxDepth;

/** The stored part's keys, in the order they are subtracted. */
const STORED_KEYS = Object.keys(storedPartSchema.entries);
/** A character JSON.stringify writes as an escape (a lone surrogate too: every surrogate takes the exact path). */
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify(value).length for a value of the stored part: a plain string or a finite number without stringify. */
function jsonChars(value: unknown): number {
  if (typeof value === 'string' && !ESCAPED.test(value)) return value.length + 2;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value).length;
  return JSON.stringify(value).length;
}

/** JSON.stringify(event without its stored part).length, from the stored event's JSON (`{…}` lengths add up pair by pair). */
function pageEventChars(json: string, event: Record<string, unknown>): number {
  let chars = json.length;
  for (const key of STORED_KEYS) chars -= key.length + 2 + jsonChars(event[key]) + 2;
  return chars;
}

/**
 * One stored event of a bundle whose poison check passed, with its JSON as stored: an event the compiled check
 * accepts is kept as it came (valibot would give back the same), others go through validateStoredEvent.
 */
function checkBundleEvent(input: unknown): ValidationResult<{ event: StoredEvent; json: string }> {
  if (BUNDLE_INSPECTS_EVENTS && storedEventFast?.(input)) {
    const json = JSON.stringify(input);
    if (pageEventChars(json, input as Record<string, unknown>) > LIMITS.maxEventChars) return { ok: false, reason: 'oversized' };
    return { ok: true, value: { event: input as StoredEvent, json } };
  }
  const checked = validateStoredEvent(input);
  return checked.ok ? { ok: true, value: { event: checked.value, json: JSON.stringify(checked.value) } } : checked;
}

/**
 * The poison check (inspectJson) of a bundle: its sessions and events within UPLOAD_LIMITS.maxDepth, each
 * session's replay records within maxReplayDepth (a DOM snapshot nests as deep as its page).
 */
function inspectBundle(input: unknown): string | null {
  const sessions = typeof input === 'object' && input !== null && Array.isArray((input as { sessions?: unknown }).sessions) ? ((input as { sessions: unknown[] }).sessions) : null;
  if (!sessions) return inspectJson(input, UPLOAD_LIMITS.maxDepth);
  const replays: unknown[] = [];
  const rest = sessions.map((entry) => {
    if (typeof entry !== 'object' || entry === null || !('replay' in entry)) return entry;
    const { replay, ...others } = entry as { replay: unknown };
    replays.push(replay);
    return others;
  });
  const poison = inspectJson({ ...(input as object), sessions: rest }, UPLOAD_LIMITS.maxDepth);
  if (poison) return poison;
  for (const replay of replays) {
    const bad = inspectJson(replay, UPLOAD_LIMITS.maxReplayDepth);
    if (bad) return `replay: ${bad}`;
  }
  return null;
}

/**
 * A session export bundle (SessionExportBundle, as the extension's Export writes it, with its sessions'
 * recordings), checked whole before anything is stored: the extension's background importing a file and the
 * server's upload intake (validateUploadRequest) both take it. Every event must belong to the session it is
 * filed under, and every kept asset a session names must have its body in `assetBodies` (the bodies' sha-256 is
 * checked by the importer); any problem rejects the bundle with the path of the first bad item (e.g.
 * "sessions[2].events[17]: Invalid type ..."). Replay records come back in time order.
 */
export function validateExportBundle(input: unknown): ValidationResult<UploadRequest> {
  const checked = checkExportBundle(input);
  return checked.ok ? { ok: true, value: checked.value.bundle } : checked;
}

/** A checked bundle, with each event's JSON as the server stores it (eventJson[i][j] for sessions[i].events[j]). */
export interface CheckedBundle {
  bundle: UploadRequest;
  eventJson: string[][];
}

const envelopeFast = compileCheck(envelopeSchema);

/** validateExportBundle, keeping the JSON text of every event (made once: the size check needs it anyway). */
export function checkExportBundle(input: unknown): ValidationResult<CheckedBundle> {
  const poison = inspectBundle(input);
  if (poison) return { ok: false, reason: poison };
  let envelope: v.InferOutput<typeof envelopeSchema>;
  if (envelopeFast?.(input)) envelope = input as v.InferOutput<typeof envelopeSchema>;
  else {
    const parsed = v.safeParse(envelopeSchema, input);
    if (!parsed.success) return { ok: false, reason: v.summarize(parsed.issues) };
    envelope = parsed.output;
  }
  const sessions: UploadRequest['sessions'] = [];
  const eventJson: string[][] = [];
  const seen = new Set<string>();
  const bodies = new Set(envelope.assetBodies?.map((body) => body.hash));
  for (const [i, entry] of envelope.sessions.entries()) {
    const session = validateSessionRecord(entry.session);
    if (!session.ok) return { ok: false, reason: `sessions[${i}].session: ${session.reason}` };
    if (seen.has(session.value.id)) return { ok: false, reason: `sessions[${i}]: session ${session.value.id} appears twice` };
    seen.add(session.value.id);
    const events: StoredEvent[] = [];
    const json: string[] = [];
    for (let j = 0; j < entry.events.length; j++) {
      const checked = checkBundleEvent(entry.events[j]);
      if (!checked.ok) return { ok: false, reason: `sessions[${i}].events[${j}]: ${checked.reason}` };
      const { event } = checked.value;
      if (event.sessionId !== session.value.id) {
        return { ok: false, reason: `sessions[${i}].events[${j}]: belongs to session ${event.sessionId}, not ${session.value.id}` };
      }
      events.push(event);
      json.push(checked.value.json);
    }
    const replay: ReplayRecord[] | undefined = entry.replay
      ?.map((r) => ({ type: r.type, timestamp: r.timestamp, data: r.data, ...(r.delay !== undefined && { delay: r.delay }) }))
      .sort((a, b) => a.timestamp - b.timestamp);
    for (const [k, ref] of (entry.assets ?? []).entries()) {
      if (ref.hash === null && !ref.reason) return { ok: false, reason: `sessions[${i}].assets[${k}]: neither kept (hash) nor skipped (reason)` };
      if (ref.hash !== null && !bodies.has(ref.hash)) return { ok: false, reason: `sessions[${i}].assets[${k}]: the body ${ref.hash} of ${ref.url} is not in the bundle` };
    }
    sessions.push({ session: session.value, events, ...(replay?.length && { replay }), ...(entry.assets?.length && { assets: entry.assets }) });
    eventJson.push(json);
  }
  return { ok: true, value: { bundle: { ...envelope, sessions }, eventJson } };
}

/** A whole upload (POST /api/intake/sessions): an export bundle of at least one session. */
export function validateUploadRequest(input: unknown): ValidationResult<UploadRequest> {
  const checked = checkUploadRequest(input);
  return checked.ok ? { ok: true, value: checked.value.bundle } : checked;
}

/** validateUploadRequest with each event's JSON as stored (CheckedBundle). */
export function checkUploadRequest(input: unknown): ValidationResult<CheckedBundle> {
  const checked = checkExportBundle(input);
  if (checked.ok && !checked.value.bundle.sessions.length) return { ok: false, reason: 'a batch holds at least one session' };
  return checked;
}

export const sdkBatchSchema = v.strictObject({
  protocol: v.literal(1),
  loadId: id,
  first: v.pipe(v.number(), v.integer(), v.minValue(0)),
  url: v.pipe(v.string(), v.maxLength(16 * 1024), v.check((url) => /^https?:\/\/[^/]/i.test(url), 'the page URL must be http(s)')),
  sessionId: v.optional(id),
  // As the SDK makes it (its session store): letters, digits, _ and -.
  visitorId: v.optional(v.pipe(v.string(), v.regex(/^[\w-]{1,64}$/, 'the visitor id must be 1 to 64 letters, digits, _ or -'))),
  events: v.pipe(v.array(v.unknown()), v.minLength(1), v.maxLength(2000)),
});

/** A standalone SDK batch: the envelope strictly; each event through the shared event validator (a bad one becomes null). */
export function validateSdkBatch(input: unknown): ValidationResult<{ loadId: string; first: number; url: string; sessionId?: string; visitorId?: string; events: (RumEvent | null)[]; refused: number }> {
  const poison = inspectJson(input, UPLOAD_LIMITS.maxDepth);
  if (poison) return { ok: false, reason: poison };
  const envelope = v.safeParse(sdkBatchSchema, input);
  if (!envelope.success) return { ok: false, reason: v.summarize(envelope.issues) };
  let refused = 0;
  const events = envelope.output.events.map((raw) => {
    const checked = validateEvent(raw);
    if (checked.ok) return checked.value;
    refused++;
    return null;
  });
  const { loadId, first, url, sessionId, visitorId } = envelope.output;
  return { ok: true, value: { loadId, first, url, ...(sessionId !== undefined && { sessionId }), ...(visitorId !== undefined && { visitorId }), events, refused } };
}

/** Segments per replay upload at most (each is also checked by validateReplaySegment). */
export const MAX_REPLAY_SEGMENTS_PER_UPLOAD = 100;

export const replayUploadSchema = v.strictObject({
  protocol: v.literal(1),
  segments: v.pipe(
    v.array(v.strictObject({ loadId: id, seq: v.pipe(v.number(), v.integer(), v.minValue(0)), sessionId: v.optional(id), segment: v.string() })),
    v.minLength(1),
    v.maxLength(MAX_REPLAY_SEGMENTS_PER_UPLOAD),
  ),
});

/** A replay upload: the envelope strictly, then every segment's JSON through the recorder's segment validator. */
export function validateReplayUpload(input: unknown): ValidationResult<{ loadId: string; seq: number; sessionId?: string; payload: ReplaySegmentPayload }[]> {
  const poison = inspectJson(input, UPLOAD_LIMITS.maxDepth);
  if (poison) return { ok: false, reason: poison };
  const envelope = v.safeParse(replayUploadSchema, input);
  if (!envelope.success) return { ok: false, reason: v.summarize(envelope.issues) };
  const out = [];
  for (const [i, entry] of envelope.output.segments.entries()) {
    const checked = validateReplaySegment(entry.segment);
    if (!checked.ok) return { ok: false, reason: `segments[${i}].segment: ${checked.reason}` };
    out.push({ loadId: entry.loadId, seq: entry.seq, ...(entry.sessionId !== undefined && { sessionId: entry.sessionId }), payload: checked.value });
  }
  return { ok: true, value: out };
}

const email = v.pipe(v.string(), v.trim(), v.toLowerCase(), v.email('not an email address'), v.maxLength(254));
const password = v.pipe(v.string(), v.minLength(10, 'a password has at least 10 characters'), v.maxLength(1024));

export const loginRequestSchema = v.strictObject({ email, password: v.pipe(v.string(), v.minLength(1), v.maxLength(1024)) });
export const createUserRequestSchema = v.strictObject({
  email,
  name: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(256))),
  role: v.optional(v.picklist(['admin', 'member'])),
  password: v.optional(password),
});
export const passwordSchema = password;

export function parseWith<T>(schema: v.GenericSchema<unknown, T>, input: unknown): ValidationResult<T> {
  const result = v.safeParse(schema, input);
  return result.success ? { ok: true, value: result.output } : { ok: false, reason: v.summarize(result.issues) };
}

// Compile-time proof that the validators and the hand-written contract agree both ways.
type Assert<T extends true> = T;
type ValidatedSession = v.InferOutput<typeof sessionRecordSchema>;
export type _SessionValidatorMatchesContract = Assert<ValidatedSession extends SessionRecord ? true : false>;
export type _SessionContractMatchesValidator = Assert<SessionRecord extends ValidatedSession ? true : false>;
export type _LoginMatches = Assert<v.InferOutput<typeof loginRequestSchema> extends LoginRequest ? true : false>;
export type _CreateUserMatches = Assert<v.InferOutput<typeof createUserRequestSchema> extends CreateUserRequest ? true : false>;
