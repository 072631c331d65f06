/**
 * Opt-in upload of ended sessions to the team server (settings: sync.url; the token: syncCredentials.ts). One pass uploads the
 * sessions not yet uploaded (or grown since) in batches, gzip, to POST /api/intake/sessions; the server
 * stores a batch once whatever the retries. Runs from the background on a timer, never in the write path
 * of recording. Private-window sessions are never uploaded. After the sessions go their recordings (POST
 * /api/intake/replay) and the stylesheets, fonts and images kept with them (the session's bundle entry again, with
 * its asset references and their bodies: the server stores each body once per sha-256).
 */
import { EXPORT_FORMAT, EXPORT_VERSION, SCHEMA_VERSION, SERVER_ROUTES, UPLOAD_TOKEN_HEADER } from '../../sdk/schema';
import type { BundleAssetBody, BundleAssetRef, ReplaySegmentPayload, ReplayUploadRequest, SessionRecord, UploadRequest } from '../../sdk/schema';
import { bytesToBase64 } from '../../sdk/src/replay/assets/base64';
import { decompressRecords } from '../../sdk/src/replay/segmentCodec';
import { plainHttpRefusal } from '../../sdk/schema/validateSettings';
import { BUNDLE_ASSET_LIMITS } from '../../sdk/schema/validateServer';
import { listAssetRefs } from '../storage/assetStore';
import type { RumscopeDb } from '../storage/db';

export interface SyncTarget {
  url: string;
  token: string;
}

/** Why a token may not be sent to this URL, or null: plain http only to this machine. */
export function refuseSyncTarget(target: SyncTarget): string | null {
  if (!target.url || !target.token) return 'sync is off (no server URL or token)';
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    return `not a URL: ${target.url}`;
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') return plainHttpRefusal(target.url);
  return `unsupported scheme ${url.protocol}`;
}

export interface SyncPassResult {
  uploaded: number;
  /** Set when the pass should be tried again later (network error, 408, 429, 5xx): wait at least this long. */
  retryAfterMs?: number;
  /** What went wrong, for the options page. */
  error?: string;
}

export interface SyncOptions {
  fetch?: typeof fetch;
  source?: UploadRequest['source'];
  /** Sessions per request. */
  batchSessions?: number;
  /** Raw replay asset body bytes per request (ASSET_BATCH_BYTES). */
  assetBatchBytes?: number;
  now?: () => number;
}

const RETRYABLE = (status: number) => status === 408 || status === 429 || status >= 500;

async function gzip(text: string): Promise<BodyInit | string> {
  if (typeof CompressionStream === 'undefined') return text;
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function readState(db: RumscopeDb) {
  const row = await db.meta.get('sync');
  return row?.key === 'sync' ? row.value : { uploaded: {}, lastError: null, lastSyncAt: null };
}

/** Sessions to upload: ended, not private, not uploaded since their last event. Oldest first. */
async function pending(db: RumscopeDb, uploaded: Record<string, number>): Promise<SessionRecord[]> {
  const all = await db.sessions.orderBy('startedAt').toArray();
  return all.filter((s) => s.endedAt !== null && !s.incognito && uploaded[s.id] !== s.lastEventAt);
}

/** Replay segments per request, and characters of records per request at most (a full snapshot may exceed it alone). */
const REPLAY_BATCH_SEGMENTS = 10;
const REPLAY_BATCH_CHARS = 4 * 1024 * 1024;

/** Raw asset body bytes per request at most (~4/3 of it in base64; the server's default cap is 20 MB); a larger body goes alone. */
const ASSET_BATCH_BYTES = 8 * 1024 * 1024;

type SyncState = { uploaded: Record<string, number>; replayUploaded?: Record<string, number>; assetsUploaded?: Record<string, number> };

function bundleHead(options: SyncOptions, now: () => number): Omit<UploadRequest, 'sessions'> {
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    schema: SCHEMA_VERSION,
    exportedAt: now(),
    source: options.source ?? { name: 'rumscope-extension', version: '0' },
    batchId: crypto.randomUUID(),
  };
}

/** POSTs `body` (gzip) to `route`; null when the server took it, else what the pass reports. */
async function post(doFetch: typeof fetch, target: SyncTarget, route: string, body: unknown, uploaded: number): Promise<SyncPassResult | null> {
  let response: Response;
  try {
    response = await doFetch(new URL(route, target.url).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', [UPLOAD_TOKEN_HEADER]: target.token },
      body: await gzip(JSON.stringify(body)),
    });
  } catch (error) {
    return { uploaded, retryAfterMs: 0, error: `the server could not be reached: ${(error as Error).message}` };
  }
  if (response.ok) {
    await response.json().catch(() => null);
    return null;
  }
  const message = ((await response.json().catch(() => null)) as { message?: string } | null)?.message ?? '';
  const retryAfter = Number(response.headers.get('retry-after'));
  return {
    uploaded,
    error: `the server answered ${response.status}${message ? `: ${message}` : ''}`,
    ...(RETRYABLE(response.status) && { retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 0 }),
  };
}

/**
 * The replay segments of sessions already uploaded whose recording grew since (by its segment count), each
 * segment keyed by its load and number: the server stores a re-sent one once. Stops at the first failure.
 */
async function syncReplays(db: RumscopeDb, target: SyncTarget, doFetch: typeof fetch, state: SyncState, uploaded: number): Promise<SyncPassResult | null> {
  const done = (state.replayUploaded ??= {});
  const sessions = (await db.sessions.bulkGet(Object.keys(state.uploaded))).filter(
    (s): s is SessionRecord => !!s && !!s.replayStats && s.replayStats.segments !== done[s.id],
  );
  for (const session of sessions) {
    const rows = await db.replaySegments.where('[sessionId+start]').between([session.id, -Infinity], [session.id, Infinity]).toArray();
    for (let i = 0; i < rows.length; ) {
      const body: ReplayUploadRequest = { protocol: 1, segments: [] };
      let chars = 0;
      for (; i < rows.length && body.segments.length < REPLAY_BATCH_SEGMENTS && (chars < REPLAY_BATCH_CHARS || !body.segments.length); i++) {
        const row = rows[i]!;
        const payload: ReplaySegmentPayload = { viewId: row.viewId, reason: row.reason, records: decompressRecords(row.data) };
        const segment = JSON.stringify(payload);
        chars += segment.length;
        body.segments.push({ loadId: row.loadId, seq: row.seq, sessionId: session.id, segment });
      }
      const failed = await post(doFetch, target, SERVER_ROUTES.replayUpload, body, uploaded);
      if (failed) return { ...failed, error: `replay of ${session.id}: ${failed.error}` };
    }
    done[session.id] = session.replayStats!.segments;
  }
  return null;
}

const assetCount = (session: SessionRecord) => (session.replayAssets ? session.replayAssets.kept + session.replayAssets.skipped : 0);

/**
 * The replay assets of sessions already uploaded whose references grew since (by their count): the session's
 * bundle entry (no events) with its references and the bodies they name, cut by body bytes. The server keeps a
 * session's first reference to a URL and each body once, so a re-sent part adds nothing. Stops at the first failure.
 */
async function syncAssets(db: RumscopeDb, target: SyncTarget, doFetch: typeof fetch, state: SyncState, uploaded: number, options: SyncOptions, now: () => number): Promise<SyncPassResult | null> {
  const done = (state.assetsUploaded ??= {});
  const sessions = (await db.sessions.bulkGet(Object.keys(state.uploaded))).filter((s): s is SessionRecord => !!s && assetCount(s) > 0 && assetCount(s) !== done[s.id]);
  for (const session of sessions) {
    const refs = await listAssetRefs(db, session.id);
    for (let i = 0; i < refs.length; ) {
      const part: BundleAssetRef[] = [];
      const bodies = new Map<string, BundleAssetBody>();
      let bytes = 0;
      for (; i < refs.length && part.length < BUNDLE_ASSET_LIMITS.maxAssetRefsPerSession; i++) {
        const { sessionId: _sessionId, ...ref } = refs[i]!;
        if (ref.hash && !bodies.has(ref.hash)) {
          const row = await db.replayAssets.get(ref.hash);
          if (!row) continue; // deleted meanwhile (its session is going): nothing to send for it
          if (part.length && bytes + row.data.byteLength > (options.assetBatchBytes ?? ASSET_BATCH_BYTES)) break;
          bodies.set(ref.hash, { hash: ref.hash, contentType: row.contentType, data: bytesToBase64(row.data) });
          bytes += row.data.byteLength;
        }
        part.push(ref);
      }
      if (!part.length) continue;
      const batch: UploadRequest = { ...bundleHead(options, now), sessions: [{ session, events: [], assets: part }], ...(bodies.size && { assetBodies: [...bodies.values()] }) };
      const failed = await post(doFetch, target, SERVER_ROUTES.upload, batch, uploaded);
      if (failed) return { ...failed, error: `replay assets of ${session.id}: ${failed.error}` };
    }
    done[session.id] = assetCount(session);
  }
  return null;
}

/** One pass: uploads everything pending, batch by batch, then the replays and replay assets of uploaded sessions; stops at the first failure. */
export async function syncOnce(db: RumscopeDb, target: SyncTarget, options: SyncOptions = {}): Promise<SyncPassResult> {
  const refused = refuseSyncTarget(target);
  if (refused) return { uploaded: 0, error: refused };
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const state = await readState(db);
  const sessions = await pending(db, state.uploaded);
  const size = options.batchSessions ?? 20;
  let uploaded = 0;
  let result: SyncPassResult = { uploaded: 0 };
  for (let i = 0; i < sessions.length; i += size) {
    const chunk = sessions.slice(i, i + size);
    const batch: UploadRequest = { ...bundleHead(options, now), sessions: [] };
    for (const session of chunk) {
      const events = await db.events.where('[sessionId+time]').between([session.id, -Infinity], [session.id, Infinity]).toArray();
      batch.sessions.push({ session, events });
    }
    const failed = await post(doFetch, target, SERVER_ROUTES.upload, batch, uploaded);
    if (failed) {
      result = failed;
      break;
    }
    for (const session of chunk) state.uploaded[session.id] = session.lastEventAt;
    uploaded += chunk.length;
    result = { uploaded };
  }
  if (!result.error) result = (await syncReplays(db, target, doFetch, state, uploaded)) ?? result;
  if (!result.error) result = (await syncAssets(db, target, doFetch, state, uploaded, options, now)) ?? result;
  // Forget sessions deleted since they were uploaded.
  const ids = new Set((await db.sessions.toCollection().primaryKeys()) as string[]);
  for (const id of Object.keys(state.uploaded)) if (!ids.has(id)) delete state.uploaded[id];
  for (const id of Object.keys(state.replayUploaded ?? {})) if (!ids.has(id)) delete state.replayUploaded![id];
  for (const id of Object.keys(state.assetsUploaded ?? {})) if (!ids.has(id)) delete state.assetsUploaded![id];
  await db.meta.put({ key: 'sync', value: { uploaded: state.uploaded, replayUploaded: state.replayUploaded ?? {}, assetsUploaded: state.assetsUploaded ?? {}, lastError: result.error ?? null, lastSyncAt: now() } });
  return result;
}

export interface StartSyncDeps extends SyncOptions {
  db: RumscopeDb;
  /** Read at every pass: turning sync off or changing the server takes effect at once. */
  target: () => Promise<SyncTarget>;
  intervalMs?: number;
  /** Backoff after a retryable failure: base, doubled per failure, capped. */
  backoffMs?: { base: number; max: number };
}

/** Runs a pass now and then every intervalMs; after a retryable failure, with exponential backoff and jitter. */
export function startSync(deps: StartSyncDeps): { stop(): void; now(): void } {
  const interval = deps.intervalMs ?? 60_000;
  const { base, max } = deps.backoffMs ?? { base: 5_000, max: 10 * 60_000 };
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  const pass = async () => {
    let delay = interval;
    try {
      const target = await deps.target();
      if (!refuseSyncTarget(target)) {
        const result = await syncOnce(deps.db, target, deps);
        if (result.retryAfterMs !== undefined) {
          failures++;
          const backoff = Math.min(max, base * 2 ** (failures - 1)) * (0.5 + Math.random() / 2);
          delay = Math.max(result.retryAfterMs, backoff);
        } else failures = 0;
      }
    } catch (error) {
      console.warn('[rumscope] sync pass failed', error);
    }
    return delay;
  };
  // One pass at a time; a pass asked for while one runs follows it.
  const schedule = (delay: number) => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(run, delay);
  };
  const run = () => {
    if (running) {
      again = true;
      return;
    }
    running = pass().then((delay) => {
      running = null;
      if (again) {
        again = false;
        delay = 0;
      }
      schedule(delay);
    });
  };
  schedule(0);
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
    /** A pass at once (the server or its token changed), then the usual rhythm. */
    now: () => {
      if (stopped) return;
      clearTimeout(timer);
      run();
    },
  };
}
