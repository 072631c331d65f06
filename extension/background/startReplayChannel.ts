/**
 * Session replay in the background: the recorder (recorder.js) is injected into a page's MAIN world only
 * when its session records a replay (drawn by sessionReplaySampleRate, or forced by the page's
 * startSessionReplayRecording({ force: true })), with scripting.executeScript: never a web-accessible file.
 * Segments arrive on the relay port as their own message kind and are stored compressed (replayStore.ts).
 */
import { RECORDER_GLOBAL, type DefaultPrivacyLevel, type ReplaySegmentPayload } from '../../sdk/schema';
import type { RumscopeDb } from '../storage/db';
import { forceReplay, storeReplaySegment, type StoreReplayResult } from '../storage/replayStore';
import { ext } from '../platform';

export interface RecorderTarget {
  loadId: string;
  tabId: number;
  /** The browser's frame id of the document (the sender's). */
  frameId: number;
  privacyLevel: string | null;
}

export interface ReplayChannel {
  store(input: { loadId: string; tabId: number; seq: number; payload: ReplaySegmentPayload }): Promise<StoreReplayResult>;
  force(input: { loadId: string; tabId: number; frameId: number; isTop: boolean }): Promise<void>;
  inject(target: RecorderTarget): void;
  forgetTab(tabId: number): void;
}

/** Loads given the recorder, per tab (a worker restart forgets them: injecting again is a no-op in the page). */
const MAX_LOADS_PER_TAB = 50;

function startInPage(global: string, privacyLevel: DefaultPrivacyLevel | null) {
  const recorder = (window as unknown as Record<string, { start(options: object): void } | undefined>)[global];
  recorder?.start({ auto: true, ...(privacyLevel ? { privacyLevel } : {}) });
}

export function startReplayChannel(db: RumscopeDb, deps: { afterWrite?: () => void; onError?: (error: unknown) => void } = {}): ReplayChannel {
  const injected = new Map<number, Set<string>>();
  const inject = (target: RecorderTarget) => {
    let loads = injected.get(target.tabId);
    if (loads?.has(target.loadId)) return;
    if (!loads) injected.set(target.tabId, (loads = new Set()));
    if (loads.size >= MAX_LOADS_PER_TAB) loads.clear();
    loads.add(target.loadId);
    const where = { tabId: target.tabId, frameIds: [target.frameId] };
    const level = target.privacyLevel === 'allow' || target.privacyLevel === 'mask' || target.privacyLevel === 'mask-user-input' ? target.privacyLevel : null;
    void (async () => {
      await ext.scripting.executeScript({ target: where, world: 'MAIN', files: ['recorder.js'] });
      await ext.scripting.executeScript({ target: where, world: 'MAIN', func: startInPage, args: [RECORDER_GLOBAL, level] });
    })().catch((error: unknown) => {
      // The page went away (or is not scriptable): its next load tries again.
      loads.delete(target.loadId);
      deps.onError?.(error);
    });
  };
  return {
    async store(input) {
      const result = await storeReplaySegment(db, input);
      if (result.status === 'stored' && !result.duplicate) deps.afterWrite?.();
      return result;
    },
    async force(input) {
      const forced = await forceReplay(db, input.loadId, input.tabId);
      if (!forced || !input.isTop) return;
      injected.get(input.tabId)?.delete(input.loadId);
      inject({ loadId: input.loadId, tabId: input.tabId, frameId: input.frameId, privacyLevel: forced.privacyLevel });
    },
    inject,
    forgetTab: (tabId) => injected.delete(tabId),
  };
}
