/**
 * Serving kept assets to the player (docs/replay-assets.md): every kept image and font gets a local URL (a
 * blob: URL in the panel), every kept stylesheet is rewritten to point at kept copies of what it references and
 * gets one too, and the records are rewritten to those URLs before the Replayer builds its sandboxed iframe, so
 * nothing kept is fetched from the live site. What was not kept keeps its live URL and is listed as missing.
 */
import type { ReplayAssetsData, ReplayAssetSkipReason, ReplayRecord } from '../sdk/schema';
import { mapCssUrls } from '../sdk/src/replay/assets/cssUrls';
import { createAssetScanState, mapRecordAssetUrls } from '../sdk/src/replay/assets/recordAssetUrls';

export interface MissingAsset {
  url: string;
  /** Why it was not kept; 'not_fetched' when the recording shows it but nothing was stored for it (yet). */
  reason: ReplayAssetSkipReason | 'not_fetched';
  detail?: string;
}

/**
 * Serves one recording's kept assets: `rewrite` copies the records (window after window, in order: node ids
 * carry over) with asset URLs pointing at local copies; `missing` lists what the records shown so far name but
 * was not kept (skipped, with the reason, or never fetched).
 */
export interface ReplayAssetServer {
  rewrite(records: readonly ReplayRecord[]): ReplayRecord[];
  missing(): MissingAsset[];
  /** URLs served from the store. */
  readonly kept: number;
  /** The local URLs made (to release when the player closes). */
  readonly localUrls: readonly string[];
}

/** Makes a local URL for a body (the panel: URL.createObjectURL of a Blob). */
export type MakeLocalUrl = (data: Uint8Array, contentType: string) => string;

const isCss = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase() === 'text/css';

export function createReplayAssetServer(assets: ReplayAssetsData | null, makeUrl: MakeLocalUrl): ReplayAssetServer {
  const bodies = new Map((assets?.bodies ?? []).map((body) => [body.hash, body]));
  const refs = assets?.refs ?? [];
  const keptRefs = new Map(refs.filter((ref) => ref.hash && bodies.has(ref.hash)).map((ref) => [ref.url, ref]));
  const local = new Map<string, string>();
  const localUrls: string[] = [];
  const make = (data: Uint8Array, contentType: string) => {
    const url = makeUrl(data, contentType);
    localUrls.push(url);
    return url;
  };
  // A local URL per body (two URLs with the same bytes share one), stylesheets after what they reference.
  const byHash = new Map<string, string>();
  const inProgress = new Set<string>();
  const localFor = (url: string): string | undefined => {
    const known = local.get(url);
    if (known !== undefined) return known;
    const ref = keptRefs.get(url);
    const body = ref?.hash ? bodies.get(ref.hash) : undefined;
    if (!ref || !body) return undefined;
    if (!isCss(body.contentType)) {
      let made = byHash.get(body.hash);
      if (!made) byHash.set(body.hash, (made = make(body.data, body.contentType)));
      local.set(url, made);
      return made;
    }
    // A stylesheet's url()s and @imports resolve against its own URL. Served from a local URL, what it references
    // and was not kept must be written absolute (the live URL); so is an @import cycle.
    if (inProgress.has(url)) return undefined;
    inProgress.add(url);
    const css = new TextDecoder().decode(body.data);
    const rewritten = mapCssUrls(css, url, (target) => localFor(target) ?? target);
    inProgress.delete(url);
    const made = make(new TextEncoder().encode(rewritten), 'text/css');
    local.set(url, made);
    return made;
  };
  for (const url of keptRefs.keys()) localFor(url);

  const state = createAssetScanState();
  const shownNotKept = new Set<string>();
  return {
    rewrite(records) {
      const copy = structuredClone(records) as ReplayRecord[];
      mapRecordAssetUrls(copy, state, (url) => {
        const found = local.get(url);
        if (found === undefined) shownNotKept.add(url);
        return found;
      });
      return copy;
    },
    missing() {
      const missing: MissingAsset[] = [];
      const listed = new Set<string>();
      for (const ref of refs) {
        if (local.has(ref.url)) continue;
        listed.add(ref.url);
        missing.push({ url: ref.url, reason: ref.reason ?? 'not_fetched', ...(ref.detail !== undefined ? { detail: ref.detail } : {}) });
      }
      for (const url of shownNotKept) if (!listed.has(url)) missing.push({ url, reason: 'not_fetched' });
      return missing;
    },
    get kept() {
      return local.size;
    },
    localUrls,
  };
}

export interface PreparedReplay {
  records: ReplayRecord[];
  localUrls: string[];
  missing: MissingAsset[];
  kept: number;
}

/** A whole recording at once (see createReplayAssetServer). */
export function prepareReplayAssets(records: readonly ReplayRecord[], assets: ReplayAssetsData | null, makeUrl: MakeLocalUrl): PreparedReplay {
  const server = createReplayAssetServer(assets, makeUrl);
  const rewritten = server.rewrite(records);
  return { records: rewritten, localUrls: [...server.localUrls], missing: server.missing(), kept: server.kept };
}
