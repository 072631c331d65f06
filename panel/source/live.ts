/**
 * Live reads in proportion to what changed: a read runs once, then again only when the source's change
 * feed reports a change it concerns — at most once per `minIntervalMs`, and never while the panel is
 * hidden (it catches up when shown again). Reads never overlap; a change during a read schedules one more.
 * All the live reads of one source share one clock: the reads due in a refresh run together and their
 * answers are applied together (one update of the page per refresh, not one per read).
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
  /** Least time between two refreshes (default 1000 ms). The first read and the first after a quiet spell run at once. */
  minIntervalMs?: number;
  visibility?: Visibility;
  onError?: (error: unknown) => void;
}

export const DEFAULT_REFRESH_MS = 1000;

/** One live read on a clock. */
interface Member {
  /** A change concerned it since its last read began (or it was never read). */
  dirty: boolean;
  /** Its read is under way (reads of one member never overlap). */
  running: boolean;
  /** Reads, and resolves to what applies the answer (or reports the failure). */
  read(): Promise<() => void>;
}

/**
 * The refresh rate of every live read of one source (with the same visibility and interval): at most one refresh
 * per interval, in which every read a change concerned runs together, and their answers are applied together once
 * all have come (one update of the page, one layout and paint, instead of one per read as each lands).
 */
interface Clock {
  add(member: Member): () => void;
  /** A member became dirty (or the panel may have been shown). */
  schedule(): void;
}

function createClock(minInterval: number, visibility: Visibility): Clock {
  const members = new Set<Member>();
  let ticking = false;
  let lastTick = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopVisibility: Unsubscribe | null = null;

  function schedule() {
    if (ticking || timer !== null || !visibility.visible()) return;
    if (![...members].some((m) => m.dirty && !m.running)) return;
    timer = setTimeout(tick, Math.max(0, lastTick + minInterval - Date.now()));
  }

  async function tick() {
    timer = null;
    if (!visibility.visible()) return; // resumed by the visibility subscription
    const due = [...members].filter((m) => m.dirty && !m.running);
    if (!due.length) return;
    ticking = true;
    lastTick = Date.now();
    try {
      const apply = await Promise.all(due.map((m) => m.read()));
      // Together, in one task: the page is updated (and laid out, and painted) once for all of them.
      for (const f of apply) f();
    } finally {
      ticking = false;
      schedule();
    }
  }

  return {
    add(member) {
      members.add(member);
      if (!stopVisibility) stopVisibility = visibility.subscribe(schedule);
      // A new read (a panel part shown, a filter changed) answers at once, whatever the clock: it also counts as a refresh.
      if (visibility.visible()) {
        lastTick = Math.max(lastTick, Date.now());
        void member.read().then((f) => f());
      }
      return () => {
        members.delete(member);
        if (members.size) return;
        stopVisibility?.();
        stopVisibility = null;
        if (timer !== null) clearTimeout(timer);
        timer = null;
      };
    },
    schedule,
  };
}

/** The clocks of each source: one per visibility and interval (the panel passes the same ones to all its parts). */
const clocks = new WeakMap<object, WeakMap<Visibility, Map<number, Clock>>>();

function clockOf(source: object, visibility: Visibility, minInterval: number): Clock {
  let byVisibility = clocks.get(source);
  if (!byVisibility) clocks.set(source, (byVisibility = new WeakMap()));
  let byInterval = byVisibility.get(visibility);
  if (!byInterval) byVisibility.set(visibility, (byInterval = new Map()));
  let clock = byInterval.get(minInterval);
  if (!clock) byInterval.set(minInterval, (clock = createClock(minInterval, visibility)));
  return clock;
}

export function live<T>(
  source: Pick<SessionSource, 'watchChanges'>,
  read: () => Promise<T>,
  onValue: (value: T) => void,
  options: LiveOptions = {},
): Unsubscribe {
  const clock = clockOf(source, options.visibility ?? ALWAYS_VISIBLE, options.minIntervalMs ?? DEFAULT_REFRESH_MS);
  const onError = options.onError ?? ((error: unknown) => console.error('[rumscope] panel read failed', error));
  let stopped = false;
  const member: Member = {
    dirty: true,
    running: false,
    async read() {
      member.dirty = false;
      member.running = true;
      try {
        const value = await read();
        return () => {
          if (stopped) return;
          try {
            onValue(value);
          } catch (error) {
            onError(error);
          }
        };
      } catch (error) {
        return () => {
          if (!stopped) onError(error);
        };
      } finally {
        member.running = false;
        // A change during the read: one more, on the clock (a tick under way schedules when it ends).
        if (member.dirty) clock.schedule();
      }
    },
  };

  // Subscribed before the first read, so a change during it is not lost.
  const stopChanges = source.watchChanges(
    (change) => {
      if (options.concerns && !options.concerns(change)) return;
      member.dirty = true;
      clock.schedule();
    },
    { onError },
  );
  const leave = clock.add(member);
  return () => {
    stopped = true;
    stopChanges();
    leave();
  };
}

/**
 * Whether two answers are the same (plain JSON-like values, as every SessionSource read gives): a part of the
 * panel keeps what it shows when a refresh brings nothing new, so nothing on the page is updated.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
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
