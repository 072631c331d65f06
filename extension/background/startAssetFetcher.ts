/**
 * Keeps the stylesheets, fonts and images a recording shows (docs/replay-assets.md): the background fetches
 * them as segments arrive (never the page: no page CPU, no CORS), with caps per asset and per session, and
 * stores each body once per content hash (storage/assetStore.ts). A stylesheet's own `url()`s and `@import`s
 * are fetched in turn, resolved against the stylesheet's URL. What is not kept is recorded with the reason.
 */
import type { ReplayAssetKind } from '../../sdk/schema';
import { assetCredentials, decideAsset, isPrivateResponse } from '../../sdk/src/replay/assets/assetPolicy';
import { cssAssetUrls } from '../../sdk/src/replay/assets/cssUrls';
import type { AssetRef } from '../../sdk/src/replay/assets/recordAssetUrls';
import { redactUrl } from '../../sdk/src/tools/redactUrl';
import { DEFAULT_ASSET_CAPS, hashAsset, hasAssetRef, keepAsset, skipAsset, type AssetCaps, type KeepAssetResult } from '../storage/assetStore';
import type { RumscopeDb } from '../storage/db';
import { isQuotaError } from '../storage/eviction';
import type { AssetPrivacy } from '../settings/replayAssets';

export interface AssetFetcher {
  /** Queues the assets one stored segment shows, for its session. `pageUrl`: the recorded page (credentials). */
  enqueue(sessionId: string, pageUrl: string | null, assets: readonly AssetRef[]): void;
  /** Resolves when the queue is empty and nothing is in flight (tests, shutdown). */
  idle(): Promise<void>;
  stop(): void;
}

export interface AssetFetcherDeps {
  fetch?: typeof fetch;
  now?: () => number;
  caps?: AssetCaps;
  /** Requests at a time. */
  concurrency?: number;
  timeoutMs?: number;
  /**
   * Per asset, from the settings: `blocked` (its site or the page's is on the block list: not requested) and
   * `allowPrivate` (the page's site is opted in to keeping `Cache-Control: private` / `no-store` responses).
   * Absent: nothing blocked, nothing private kept.
   */
  privacy?: (pageUrl: string | null, assetUrl: string) => Promise<AssetPrivacy>;
  /** After a body was stored (retention's size cap runs). */
  afterWrite?: () => void;
  onError?: (error: unknown) => void;
}

interface Job {
  sessionId: string;
  url: string;
  kind: ReplayAssetKind;
  pageUrl: string | null;
  /** Stylesheets imported from stylesheets: at most MAX_DEPTH deep. */
  depth: number;
}

const MAX_DEPTH = 4;
/** A URL fetched this recently by any session is referenced from the store without a new request. */
const RECENT_MS = 10 * 60 * 1000;
const MAX_RECENT = 2000;
const MAX_QUEUE = 5000;

/** The body, or null when it is bigger than `max` (reading stops there). */
async function readCapped(response: Response, max: number): Promise<Uint8Array | null> {
  if (!response.body) {
    const data = new Uint8Array(await response.arrayBuffer());
    return data.byteLength > max ? null : data;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const data = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    data.set(chunk, at);
    at += chunk.byteLength;
  }
  return data;
}

export function startAssetFetcher(db: RumscopeDb, deps: AssetFetcherDeps = {}): AssetFetcher {
  const doFetch = deps.fetch ?? ((input, init) => fetch(input, init));
  const now = deps.now ?? Date.now;
  const caps = deps.caps ?? DEFAULT_ASSET_CAPS;
  const concurrency = deps.concurrency ?? 2;
  const timeoutMs = deps.timeoutMs ?? 15_000;
  const queue: Job[] = [];
  /** `${sessionId} ${url}` queued or in flight. */
  const pending = new Set<string>();
  /** `private`: the response was marked private / no-store (kept for an opted-in site only). */
  const recent = new Map<string, { hash: string; css: boolean; private: boolean; at: number }>();
  let running = 0;
  let stopped = false;
  let waiters: (() => void)[] = [];

  const settle = () => {
    if (running || queue.length) return;
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  };

  const push = (job: Job) => {
    const key = `${job.sessionId} ${job.url}`;
    if (stopped || pending.has(key) || queue.length >= MAX_QUEUE) return;
    pending.add(key);
    queue.push(job);
  };

  /** The stylesheet's own references, fetched for the same session. */
  const followCss = (job: Job, data: Uint8Array, base: string) => {
    if (job.depth >= MAX_DEPTH) return;
    const css = new TextDecoder().decode(data);
    for (const found of cssAssetUrls(css, base)) {
      push({ sessionId: job.sessionId, url: found.url, kind: found.kind === 'import' ? 'stylesheet' : 'css', pageUrl: job.pageUrl, depth: job.depth + 1 });
    }
  };

  const stored = (result: KeepAssetResult) => {
    if (result.status === 'kept' && result.stored) deps.afterWrite?.();
  };

  const run = async (job: Job) => {
    // The records keep the redacted URL: the reference is looked up by it. The request uses the real one.
    const refUrl = redactUrl(job.url);
    const ref = { sessionId: job.sessionId, url: refUrl, kind: job.kind };
    if (await hasAssetRef(db, job.sessionId, refUrl)) return;
    const privacy = (await deps.privacy?.(job.pageUrl, job.url)) ?? { blocked: false, allowPrivate: false };
    if (privacy.blocked) {
      await skipAsset(db, { ...ref, reason: 'blocked', now: now() });
      return;
    }
    const seen = recent.get(job.url);
    if (seen && now() - seen.at < RECENT_MS && (!seen.private || privacy.allowPrivate)) {
      const body = await db.replayAssets.get(seen.hash);
      if (body) {
        stored(await keepAsset(db, { ...ref, hash: body.hash, contentType: body.contentType, data: body.data, now: now() }, caps));
        if (seen.css) followCss(job, body.data, job.url);
        return;
      }
    }
    let response: Response;
    try {
      response = await doFetch(job.url, {
        credentials: assetCredentials(job.url, job.pageUrl),
        cache: 'force-cache',
        redirect: 'follow',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      await skipAsset(db, { ...ref, reason: 'network', detail: name === 'TimeoutError' ? 'timeout' : name, now: now() });
      return;
    }
    const cacheControl = response.headers.get('cache-control');
    const decision = decideAsset(
      { status: response.status, contentType: response.headers.get('content-type'), cacheControl, contentLength: response.headers.get('content-length') },
      job.kind,
      { maxAssetBytes: caps.maxAssetBytes, allowPrivate: privacy.allowPrivate },
    );
    if (!decision.keep) {
      await response.body?.cancel().catch(() => undefined);
      await skipAsset(db, { ...ref, reason: decision.reason, ...(decision.detail !== undefined ? { detail: decision.detail } : {}), now: now() });
      return;
    }
    let data: Uint8Array | null;
    try {
      data = await readCapped(response, caps.maxAssetBytes);
    } catch (error) {
      await skipAsset(db, { ...ref, reason: 'network', detail: error instanceof Error ? error.name : 'Error', now: now() });
      return;
    }
    if (!data) {
      await skipAsset(db, { ...ref, reason: 'too_large', detail: `over ${caps.maxAssetBytes} bytes`, now: now() });
      return;
    }
    const hash = await hashAsset(data);
    let result: KeepAssetResult;
    try {
      result = await keepAsset(db, { ...ref, hash, contentType: decision.contentType, data, now: now() }, caps);
    } catch (error) {
      if (!isQuotaError(error)) throw error;
      await skipAsset(db, { ...ref, reason: 'quota', now: now() }).catch(() => undefined);
      deps.onError?.(error);
      return;
    }
    stored(result);
    if (recent.size >= MAX_RECENT) recent.delete(recent.keys().next().value!);
    recent.set(job.url, { hash, css: decision.css, private: isPrivateResponse(cacheControl), at: now() });
    if (decision.css && result.status === 'kept') followCss(job, data, response.url || job.url);
  };

  const pump = () => {
    while (!stopped && running < concurrency && queue.length) {
      const job = queue.shift()!;
      running += 1;
      run(job)
        .catch((error: unknown) => deps.onError?.(error))
        .finally(() => {
          running -= 1;
          pending.delete(`${job.sessionId} ${job.url}`);
          pump();
          settle();
        });
    }
  };

  return {
    enqueue(sessionId, pageUrl, assets) {
      for (const asset of assets) push({ sessionId, url: asset.url, kind: asset.kind, pageUrl, depth: 0 });
      pump();
    },
    idle() {
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        settle();
      });
    },
    stop() {
      stopped = true;
      queue.length = 0;
      pending.clear();
      settle();
    },
  };
}
