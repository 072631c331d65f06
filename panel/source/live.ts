/**
 * Live reads in proportion to what changed: a read runs once, then again only when the source's change
 * feed reports a change it concerns — at most once per `minIntervalMs`, and never while the panel is
 * hidden (it catches up when shown again). Reads never overlap; a change during a read schedules one more.
 * This is the one place the panel's refresh rate is decided, whatever the host (extension or server).
 */
import type { SessionSource, SourceChange, Unsubscribe } from './SessionSource';

/** Whether the panel is on screen. The host may know better than the document (a DevTools panel that is not the selected one). */
export interface Visibility {
  visible(): boolean;
  /** Calls `onChange` whenever `visible()` may have changed. */
  subscribe(onChange: () => void): Unsubscribe;
}

/** The document's own visibility: hidden when the tab is in the background, the window minimised or DevTools closed. */
export function documentVisibility(doc: Document = document): Visibility {
  return {
    // Only 'hidden' stops refreshes: test DOMs (jsdom) report 'prerender' or 'visible'.
    visible: () => doc.visibilityState !== 'hidden',
    subscribe(onChange) {
      doc.addEventListener('visibilitychange', onChange);
      return () => doc.removeEventListener('visibilitychange', onChange);
    },
  };
}

export const ALWAYS_VISIBLE: Visibility = { visible: () => true, subscribe: () => () => {} };

/** Visible when every one of them is. */
export function allVisible(...parts: Visibility[]): Visibility {
  return {
    visible: () => parts.every((p) => p.visible()),
    subscribe(onChange) {
      const stops = parts.map((p) => p.subscribe(onChange));
      return () => stops.forEach((stop) => stop());
    },
  };
}

export interface LiveOptions {
  /** Whether a change concerns this read. Default: every change does. */
  concerns?: (change: SourceChange) => boolean;
  /** Least time between two reads (default 1000 ms). The first read and the first after a quiet spell run at once. */
  minIntervalMs?: number;
  visibility?: Visibility;
  onError?: (error: unknown) => void;
}

export const DEFAULT_REFRESH_MS = 1000;

export function live<T>(
  source: Pick<SessionSource, 'watchChanges'>,
  read: () => Promise<T>,
  onValue: (value: T) => void,
  options: LiveOptions = {},
): Unsubscribe {
  const minInterval = options.minIntervalMs ?? DEFAULT_REFRESH_MS;
  const visibility = options.visibility ?? ALWAYS_VISIBLE;
  const onError = options.onError ?? ((error: unknown) => console.error('[rumscope] panel read failed', error));
  let stopped = false;
  let dirty = true;
  let running = false;
  let lastRun = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;

  function schedule() {
    if (stopped || running || timer !== null || !dirty || !visibility.visible()) return;
    const wait = Math.max(0, lastRun + minInterval - Date.now());
    timer = setTimeout(run, wait);
  }

  async function run() {
    timer = null;
    if (stopped || !dirty) return;
    if (!visibility.visible()) return; // resumed by the visibility subscription
    dirty = false;
    running = true;
    lastRun = Date.now();
    try {
      const value = await read();
      if (!stopped) onValue(value);
    } catch (error) {
      if (!stopped) onError(error);
    } finally {
      running = false;
      schedule();
    }
  }

  // Subscribed before the first read, so a change during it is not lost.
  const stopChanges = source.watchChanges(
    (change) => {
      if (options.concerns && !options.concerns(change)) return;
      dirty = true;
      schedule();
    },
    { onError },
  );
  const stopVisibility = visibility.subscribe(schedule);
  schedule();
  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    stopChanges();
    stopVisibility();
  };
}

/** Whether `changed` names any of `ids` (or cannot tell). */
export function touches(changed: SourceChange['sessions'], ids: Iterable<string>): boolean {
  if (!changed) return false;
  if (changed === 'all') return true;
  const set = new Set(changed);
  for (const id of ids) if (set.has(id)) return true;
  return false;
}

/** Whether `changed` names anything outside `ids` (a session the caller does not show: maybe a new one). */
export function touchesOtherThan(changed: SourceChange['sessions'], ids: ReadonlySet<string>): boolean {
  if (!changed) return false;
  if (changed === 'all') return true;
  return changed.some((id) => !ids.has(id));
}
