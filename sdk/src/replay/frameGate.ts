/**
 * Cross-origin frames in the replay (docs/replay-frames.md). rrweb's own protocol: the recorder in an allowed
 * cross-origin frame runs with `recordCrossOriginIframes` and posts every record to its parent window
 * (`{ type: 'rrweb', event, origin }`); the top page's recorder takes them into its own stream with remapped node
 * ids, under the iframe element they came from. This module is the top page's gate in front of rrweb's
 * IframeManager.handleMessage (bound in at build time: scripts/rrwebFramesPlugin.ts), which rrweb itself leaves
 * open to any frame and which throws on a message it does not expect:
 * - only origins the extension allowed (the user's allow list, told by the background) are taken;
 * - only from a window rrweb serialized as an iframe of this page, whose element the privacy level lets show
 *   its content ('hidden' or a stricter level than the session's: the frame stays an empty box);
 * - only by the IframeManager of the current rrweb run (rrweb never removes a stopped run's listener);
 * - a record that is not an object with a numeric type is refused, and nothing of rrweb's handling throws into the page.
 * It also asks the allowed frames for a fresh full snapshot whenever the top page takes one (rrweb does not: after
 * a checkout or a restart the frames would be empty boxes), and the frames' recorders answer (listenForSnapshotRequests).
 */
import type { DefaultPrivacyLevel } from '../../schema';
import { getPrivacyLevel, type PrivacyLevel } from '../domain/privacy/getPrivacyLevel';

/** `type` of the top page's request for a fresh full snapshot, posted to frames of allowed origins only. */
export const FRAME_SNAPSHOT_REQUEST = 'rumscope:replay-snapshot';

const RANK: Record<PrivacyLevel, number> = { allow: 0, 'mask-user-input': 1, mask: 2, hidden: 3 };

interface FrameManager {
  crossOriginIframeMap?: WeakMap<object, Element>;
}

export function createFrameGate() {
  const allowed = new Set<string>();
  let level: DefaultPrivacyLevel = 'mask-user-input';
  let current: object | null = null;
  return {
    /** The IframeManager of the rrweb run that just started (called from rrweb's constructor). */
    register(manager: object) {
      current = manager;
    },
    /** Whether rrweb may take this window message as a frame's record. Never throws. */
    accept(manager: object, event: MessageEvent): boolean {
      try {
        if (manager !== current || !allowed.size) return false;
        const data = event.data as { type?: unknown; origin?: unknown; event?: unknown } | null;
        if (typeof data !== 'object' || data === null || data.type !== 'rrweb') return false;
        if (!allowed.has(event.origin) || data.origin !== event.origin) return false;
        const record = data.event as { type?: unknown; data?: unknown } | null;
        if (typeof record !== 'object' || record === null || typeof record.type !== 'number') return false;
        const iframe = event.source ? (manager as FrameManager).crossOriginIframeMap?.get(event.source) : undefined;
        if (!iframe) return false;
        return RANK[getPrivacyLevel(iframe, level)] <= RANK[level];
      } catch {
        return false;
      }
    },
    /** The session's privacy level (what the frames' recorders mask with). */
    setLevel(next: DefaultPrivacyLevel) {
      level = next;
    },
    /** Origins the extension allows; returns those that are new. */
    allow(origins: readonly unknown[]): string[] {
      const added: string[] = [];
      for (const origin of origins) {
        if (typeof origin !== 'string' || !/^https?:\/\/[^/]+$/.test(origin) || allowed.has(origin)) continue;
        allowed.add(origin);
        added.push(origin);
      }
      return added;
    },
    /** Recording stopped: nothing is taken until the next run registers. */
    close() {
      current = null;
    },
    /** Asks the frames (and theirs, a few levels down) of the given origins for a fresh full snapshot. */
    requestSnapshots(origins: readonly string[] = [...allowed]) {
      if (!origins.length) return;
      const visit = (win: Window, depth: number) => {
        let count = 0;
        try {
          count = Math.min(win.length, 100);
        } catch {
          return;
        }
        for (let i = 0; i < count; i++) {
          try {
            const child = win[i] as Window;
            // The target origin makes the browser deliver it only to a frame that has that origin.
            for (const origin of origins) child.postMessage({ type: FRAME_SNAPSHOT_REQUEST }, origin);
            if (depth < 3) visit(child, depth + 1);
          } catch {
            /* a frame going away */
          }
        }
      };
      visit(window, 1);
    },
  };
}

export type FrameGate = ReturnType<typeof createFrameGate>;

/** The recorder's one gate (module state of recorder.js: rrweb's patched code reaches it by import). */
export const frameGate = createFrameGate();

/** Called by rrweb's IframeManager (patched in at build time, scripts/rrwebFramesPlugin.ts). */
export const registerFrameManager = (manager: object) => frameGate.register(manager);
export const acceptFrameMessage = (manager: object, event: MessageEvent) => frameGate.accept(manager, event);

/**
 * In a frame's recorder: takes a fresh full snapshot when the top page asks (at most one a second; one asked
 * meanwhile is taken when the second is over). Returns the function that stops listening.
 */
export function listenForSnapshotRequests(takeSnapshot: () => void, minGapMs = 1000): () => void {
  let last = -Infinity;
  let pending: ReturnType<typeof setTimeout> | undefined;
  const take = () => {
    pending = undefined;
    last = Date.now();
    try {
      takeSnapshot();
    } catch {
      /* never into the page */
    }
  };
  const onMessage = (event: MessageEvent) => {
    try {
      if (event.source !== window.top || (event.data as { type?: unknown } | null)?.type !== FRAME_SNAPSHOT_REQUEST) return;
      if (pending !== undefined) return;
      const wait = last + minGapMs - Date.now();
      if (wait <= 0) take();
      else pending = setTimeout(take, wait);
    } catch {
      /* never into the page */
    }
  };
  addEventListener('message', onMessage);
  return () => {
    removeEventListener('message', onMessage);
    clearTimeout(pending);
  };
}
