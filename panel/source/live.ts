/**
 * Live reads in proportion to what changed: a read runs once, then again only when the source's change
 * feed reports a change it concerns — at most once per `minIntervalMs`, and never while the panel is
 * hidden (it catches up when shown again). Reads never overlap; a change during a read schedules one more.
 * A read whose answer depends on the time of asking (a relative time range: "past 7 days" moves with the clock)
 * follows the clock: it is read again every CLOCK_REFRESH_MS even when nothing changed, and the reads that follow
 * the clock are read together (the list, its count, the KPIs and facet counts of one filter are of the same moment).
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
  /**
   * The answer depends on the time of asking (a relative time range): read again every CLOCK_REFRESH_MS while
   * shown, even when nothing changed, and whenever another read that follows the clock is.
   */
  followsClock?: boolean;
}

export const DEFAULT_REFRESH_MS = 1000;
/** Least time between two reads of the answers that move with the clock alone (nothing written). */
export const CLOCK_REFRESH_MS = 10_000;

/** One live read on a clock. */
interface Member {
  /** A change concerned it since its last read began (or it was never read). */
  dirty: boolean;
  /** Its read is under way (reads of one member never overlap). */
  running: boolean;
  /** Its answer depends on the time of asking (LiveOptions.followsClock). */
  followsClock: boolean;
  /** Reads, and resolves to what applies the answer (or reports the failure). */
  read(): Promise<() => void>;
}

/**
 * The refresh rate of every live read of one source (with the same visibility and interval): at most one refresh
 * per interval, in which every read a change concerned runs together, and their answers are applied together once
 * all have come (one update of the page, one layout and paint, instead of one per read as each lands). The reads
 * that follow the clock are due every CLOCK_REFRESH_MS, and all of them run in any refresh that runs one.
 */
interface Clock {
  add(member: Member): () => void;
  /** A member became dirty or idle (or the panel may have been shown). */
  schedule(): void;
}

function createClock(minInterval: number, visibility: Visibility): Clock {
  const members = new Set<Member>();
  let ticking = false;
  let lastTick = -Infinity;
  /** When the reads that follow the clock last ran. */
  let lastMoved = -Infinity;
  const clockInterval = Math.max(minInterval, CLOCK_REFRESH_MS);
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** When the timer is due. */
  let timerAt = Infinity;
  let stopVisibility: Unsubscribe | null = null;

  function schedule() {
    if (ticking || !visibility.visible()) return;
    const idle = [...members].filter((m) => !m.running);
    const at = idle.some((m) => m.dirty) ? lastTick + minInterval : idle.some((m) => m.followsClock) ? Math.max(lastTick + minInterval, lastMoved + clockInterval) : Infinity;
    // A change does not wait for the clock's next refresh.
    if (at >= timerAt) return;
    if (timer !== null) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(tick, Math.max(0, at - Date.now()));
  }

  async function tick() {
    timer = null;
    timerAt = Infinity;
    if (!visibility.visible()) return; // resumed by the visibility subscription
    const now = Date.now();
    const idle = [...members].filter((m) => !m.running);
    let due = idle.filter((m) => m.dirty || (m.followsClock && now >= lastMoved + clockInterval));
    // One read that follows the clock brings the others: their answers are then of the same moment.
    if (due.some((m) => m.followsClock)) {
      due = idle.filter((m) => m.dirty || m.followsClock);
      lastMoved = now;
    }
    if (!due.length) return schedule();
    ticking = true;
    lastTick = now;
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
        if (member.followsClock) lastMoved = Math.max(lastMoved, Date.now());
        void member.read().then((f) => f());
      }
      return () => {
        members.delete(member);
        if (members.size) return;
        stopVisibility?.();
        stopVisibility = null;
        if (timer !== null) clearTimeout(timer);
        timer = null;
        timerAt = Infinity;
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
    followsClock: !!options.followsClock,
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
        // A change during the read: one more, on the clock (a tick under way schedules when it ends). A read that
        // follows the clock: its next one.
        clock.schedule();
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
