import type { LifeCycle } from '../../lifeCycle';
import type { Guard } from '../../tools/guard';
import { setTimeout, clearTimeout } from '../../tools/safeGlobals';

/** As the browser made it, taken at document_start (a page may replace it later). */
const NativeMutationObserver = globalThis.MutationObserver;

export interface PageActivity {
  /** Calls onActivity on every DOM mutation, request start or end, and route change until unwatched. */
  watch(onActivity: () => void): () => void;
  stop(): void;
}

/**
 * The page's reactions (DOM mutations, network, navigation), for dead clicks and SPA loading times.
 * The MutationObserver is connected only while someone watches, so an idle page pays nothing for it.
 */
export function createPageActivity(lifeCycle: LifeCycle, guard: Guard): PageActivity {
  const watchers = new Set<() => void>();
  let observer: MutationObserver | undefined;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const fire = () => watchers.forEach((watcher) => watcher());
  const onMutation = guard(fire);
  const unsubscribers = [
    lifeCycle.subscribe('requestStarted', fire),
    lifeCycle.subscribe('requestCompleted', fire),
    lifeCycle.subscribe('viewStarted', fire),
  ];
  const disconnect = () => {
    observer?.disconnect();
    observer = undefined;
  };
  return {
    watch(onActivity) {
      watchers.add(onActivity);
      clearTimeout(idle);
      if (!observer) {
        observer = new NativeMutationObserver(onMutation);
        observer.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
      }
      return () => {
        watchers.delete(onActivity);
        // Kept a moment for the next click of a series, rather than re-created for each.
        if (!watchers.size) idle = setTimeout(disconnect, 1000);
      };
    },
    stop() {
      unsubscribers.forEach((unsubscribe) => unsubscribe());
      watchers.clear();
      clearTimeout(idle);
      disconnect();
    },
  };
}

/** No activity for this long ends the wait (as Datadog's PAGE_ACTIVITY_END_DELAY). */
export const ACTIVITY_END_MS = 100;

/**
 * Waits until the page has been quiet for ACTIVITY_END_MS (at most maxMs) and reports, in performance.now()
 * ms, when its last reaction happened (the start if there was none). Returns a cancel function.
 */
export function waitPageActivityEnd(activity: PageActivity, guard: Guard, done: (lastActivity: number) => void, maxMs = 10_000) {
  const start = performance.now();
  let last = start;
  let timer: ReturnType<typeof setTimeout>;
  const finish = guard(() => {
    cancel();
    done(last);
  });
  const unwatch = activity.watch(() => {
    last = performance.now();
    clearTimeout(timer);
    timer = setTimeout(finish, ACTIVITY_END_MS);
  });
  timer = setTimeout(finish, ACTIVITY_END_MS);
  const max = setTimeout(finish, maxMs);
  const cancel = () => {
    unwatch();
    clearTimeout(timer);
    clearTimeout(max);
  };
  return cancel;
}
