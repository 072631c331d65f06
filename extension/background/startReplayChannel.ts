/**
 * Session replay in the background: the recorder (recorder.js) is injected into a page's MAIN world only
 * when its session records a replay (drawn by sessionReplaySampleRate, or forced by the page's
 * startSessionReplayRecording({ force: true })), with scripting.executeScript: never a web-accessible file.
 * Segments arrive on the relay port as their own message kind and are stored compressed (replayStore.ts).
 * Instant replay (a per-site setting): a page whose session is not drawn for replay gets the recorder in buffer
 * mode (the last two minutes in the page's memory, nothing sent); forcing the session (the page on an error, or
 * the user's "Keep replay") starts it again in full mode, which keeps the buffer and records on.
 */
import { RECORDER_GLOBAL, type DefaultPrivacyLevel, type ReplaySegmentPayload } from '../../sdk/schema';
import type { RumscopeDb } from '../storage/db';
import { forceReplay, storeReplaySegment, type StoreReplayResult } from '../storage/replayStore';
import { ext } from '../platform';
import { createAssetScanState, recordAssetUrls, type AssetScanState } from '../../sdk/src/replay/assets/recordAssetUrls';
import type { AssetFetcher } from './startAssetFetcher';

export interface RecorderTarget {
  loadId: string;
  tabId: number;
  /** The browser's frame id of the document (the sender's). */
  frameId: number;
  privacyLevel: string | null;
  /** Instant replay: buffer only; `keepOnError`: an error in the page asks for the buffer to be kept. */
  buffer?: { keepOnError: boolean };
}

/** A cross-origin frame of a tab whose origin the user allows: recorded into its top page's stream when that records. */
export interface FrameTarget {
  loadId: string;
  tabId: number;
  frameId: number;
  /** The frame document's own origin (from the browser's sender, never from a message). */
  origin: string;
  privacyLevel: string | null;
  /** Whether the session records now (a replay, or an instant replay buffer); if not, only remembered for a later force. */
  recorded: boolean;
  /** The session (a frame whose batch was stored while its session was being forced is recorded too). */
  sessionId?: string;
}

export interface ReplayChannel {
  store(input: { loadId: string; tabId: number; seq: number; payload: ReplaySegmentPayload }): Promise<StoreReplayResult>;
  force(input: { loadId: string; tabId: number; frameId: number; isTop: boolean }): Promise<void>;
  inject(target: RecorderTarget): void;
  /** The user's "Keep replay" for a tab's current page: its session records from now on, its buffer kept. */
  keep(input: { loadId: string; tabId: number; frameId: number }): Promise<boolean>;
  /**
   * An allowed cross-origin frame sent events: the top page's recorder is told its origin (frameGate.ts), then the
   * frame gets the recorder in frame mode, whose records go to the top page's recorder (rrweb's own protocol).
   */
  frame(target: FrameTarget): void;
  forgetTab(tabId: number): void;
}

/** Loads given the recorder, per tab (a worker restart forgets them: injecting again is a no-op in the page). */
const MAX_LOADS_PER_TAB = 50;

function startInPage(global: string, privacyLevel: DefaultPrivacyLevel | null, buffer: { keepOnError: boolean } | null, frames: string[]) {
  const recorder = (window as unknown as Record<string, { start(options: object): void } | undefined>)[global];
  recorder?.start({ auto: true, frames, ...(privacyLevel ? { privacyLevel } : {}), ...(buffer ? { buffer: true, keepOnError: buffer.keepOnError } : {}) });
}

function originInPage() {
  return location.origin;
}

function startFrameInPage(global: string, privacyLevel: DefaultPrivacyLevel | null, origin: string) {
  if (location.origin !== origin) return;
  const recorder = (window as unknown as Record<string, { start(options: object): void } | undefined>)[global];
  recorder?.start({ auto: true, frame: true, ...(privacyLevel ? { privacyLevel } : {}) });
}

function allowFramesInPage(global: string, origins: string[]) {
  const recorder = (window as unknown as Record<string, { allowFrames?(origins: string[]): void } | undefined>)[global];
  recorder?.allowFrames?.(origins);
}

/** Allowed cross-origin frames remembered per tab (frame id → target). */
const MAX_FRAMES_PER_TAB = 20;
const MAX_FORCED_SESSIONS = 200;

const levelOf = (privacyLevel: string | null): DefaultPrivacyLevel | null =>
  privacyLevel === 'allow' || privacyLevel === 'mask' || privacyLevel === 'mask-user-input' ? privacyLevel : null;

/** Loads whose asset scan state (node ids of style elements and images) is remembered between segments. */
const MAX_SCANNED_LOADS = 200;

export function startReplayChannel(
  db: RumscopeDb,
  deps: { afterWrite?: () => void; onError?: (error: unknown) => void; assets?: AssetFetcher; scripting?: Pick<typeof chrome.scripting, 'executeScript'> } = {},
): ReplayChannel {
  const scripting = () => deps.scripting ?? ext.scripting;
  const injected = new Map<number, Set<string>>();
  const frames = new Map<number, Map<number, FrameTarget>>();
  const frameOrigins = (tabId: number) => [...new Set([...(frames.get(tabId)?.values() ?? [])].map((f) => f.origin))];
  const scans = new Map<string, AssetScanState>();
  /** The asset URLs a segment shows, read before the store redacts its records (the page fetched the real URLs). */
  const scanAssets = (loadId: string, payload: ReplaySegmentPayload) => {
    if (!deps.assets) return null;
    let state = scans.get(loadId);
    if (!state) {
      if (scans.size >= MAX_SCANNED_LOADS) scans.delete(scans.keys().next().value!);
      scans.set(loadId, (state = createAssetScanState()));
    }
    try {
      return { assets: recordAssetUrls(payload.records, state), pageUrl: state.pageUrl };
    } catch (error) {
      deps.onError?.(error);
      return null;
    }
  };
  const inject = (target: RecorderTarget) => {
    let loads = injected.get(target.tabId);
    const key = target.buffer ? `${target.loadId}:buffer` : target.loadId;
    if (loads?.has(key) || (target.buffer && loads?.has(target.loadId))) return;
    if (!loads) injected.set(target.tabId, (loads = new Set()));
    if (loads.size >= MAX_LOADS_PER_TAB) loads.clear();
    loads.add(key);
    const where = { tabId: target.tabId, frameIds: [target.frameId] };
    const level = levelOf(target.privacyLevel);
    void (async () => {
      await scripting().executeScript({ target: where, world: 'MAIN', files: ['recorder.js'] });
      await scripting().executeScript({ target: where, world: 'MAIN', func: startInPage, args: [RECORDER_GLOBAL, level, target.buffer ?? null, frameOrigins(target.tabId)] });
    })().catch((error: unknown) => {
      // The page went away (or is not scriptable): its next load tries again.
      loads.delete(key);
      deps.onError?.(error);
    });
  };
  /** The frame's recorder, once per frame load; the top page hears of its origin first (so its first snapshot is taken). */
  const injectFrame = (target: FrameTarget) => {
    let loads = injected.get(target.tabId);
    const key = `${target.loadId}:frame`;
    if (loads?.has(key)) return;
    if (!loads) injected.set(target.tabId, (loads = new Set()));
    if (loads.size >= MAX_LOADS_PER_TAB) loads.clear();
    loads.add(key);
    const where = { tabId: target.tabId, frameIds: [target.frameId] };
    void (async () => {
      // The frame id may be another document by now (a frame navigates): its origin is checked before anything is loaded.
      const [found] = await scripting().executeScript({ target: where, world: 'MAIN', func: originInPage });
      if (found?.result !== target.origin) throw new Error('the frame has another document now');
      // The top page may have no recorder yet: it then gets the origin with its start (startInPage's frames).
      await scripting()
        .executeScript({ target: { tabId: target.tabId, frameIds: [0] }, world: 'MAIN', func: allowFramesInPage, args: [RECORDER_GLOBAL, [target.origin]] })
        .catch(() => undefined);
      await scripting().executeScript({ target: where, world: 'MAIN', files: ['recorder.js'] });
      await scripting().executeScript({ target: where, world: 'MAIN', func: startFrameInPage, args: [RECORDER_GLOBAL, levelOf(target.privacyLevel), target.origin] });
    })().catch((error: unknown) => {
      // The frame went away (or is not scriptable): forgotten; its next load is another frame load.
      loads.delete(key);
      frames.get(target.tabId)?.delete(target.frameId);
      deps.onError?.(error);
    });
  };
  const frame = (target: FrameTarget) => {
    if (!target.recorded && target.sessionId && forcedSessions.has(target.sessionId)) target = { ...target, recorded: true };
    let known = frames.get(target.tabId);
    if (!known) frames.set(target.tabId, (known = new Map()));
    known.delete(target.frameId);
    if (known.size >= MAX_FRAMES_PER_TAB) known.delete(known.keys().next().value!);
    known.set(target.frameId, target);
    if (target.recorded) injectFrame(target);
  };
  /** Sessions forced into recording lately (the newest kept). */
  const forcedSessions = new Set<string>();
  /** The session of a tab's top page records from now on: its known allowed frames are recorded too. */
  const recordFrames = (tabId: number, sessionId: string, privacyLevel: string | null) => {
    forcedSessions.add(sessionId);
    if (forcedSessions.size > MAX_FORCED_SESSIONS) forcedSessions.delete(forcedSessions.values().next().value!);
    for (const target of frames.get(tabId)?.values() ?? []) if (target.sessionId === sessionId) injectFrame({ ...target, privacyLevel, recorded: true });
  };
  const force: ReplayChannel['force'] = async (input) => {
    const forced = await forceReplay(db, input.loadId, input.tabId);
    if (!forced || !input.isTop) return;
    injected.get(input.tabId)?.delete(input.loadId);
    inject({ loadId: input.loadId, tabId: input.tabId, frameId: input.frameId, privacyLevel: forced.privacyLevel });
    recordFrames(input.tabId, forced.sessionId, forced.privacyLevel);
  };
  return {
    async store(input) {
      const found = scanAssets(input.loadId, input.payload);
      const result = await storeReplaySegment(db, input);
      if (result.status === 'stored' && !result.duplicate) {
        deps.afterWrite?.();
        if (found?.assets.length) deps.assets?.enqueue(result.sessionId, found.pageUrl, found.assets);
      }
      return result;
    },
    force,
    async keep(input) {
      const forced = await forceReplay(db, input.loadId, input.tabId);
      if (!forced) return false;
      injected.get(input.tabId)?.delete(input.loadId);
      inject({ loadId: input.loadId, tabId: input.tabId, frameId: input.frameId, privacyLevel: forced.privacyLevel });
      recordFrames(input.tabId, forced.sessionId, forced.privacyLevel);
      return true;
    },
    inject,
    frame,
    forgetTab: (tabId) => {
      injected.delete(tabId);
      frames.delete(tabId);
    },
  };
}
