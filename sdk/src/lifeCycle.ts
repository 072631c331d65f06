import type { ActivityKind, ApiDetail, RumEvent, SessionInfo } from '../schema';

/** A fetch or XHR call, as the request trackers report it to the bus. */
export interface RequestStart {
  via: 'fetch' | 'xhr';
  method: string;
  /** Absolute URL, not yet redacted (matching Resource Timing needs the real one). */
  url: string;
  /** performance.now() at the call, and its epoch ms. */
  start: number;
  time: number;
  viewId: string;
  requestSize: number | null;
}

export interface RequestDone extends RequestStart {
  /** 0 for a network failure or an abort. */
  status: number;
  /** performance.now() when the response (headers) arrived or the call failed. */
  end: number;
  aborted: boolean;
  responseSize: number | null;
  /** Headers and bodies, redacted, when network detail is on for the site (always resolves; undefined if lost). */
  detail?: Promise<ApiDetail | undefined>;
}

/** Everything collectors say to each other goes through this one typed bus (as Datadog's lifeCycle). */
export interface LifeCycleEvents {
  /** An event as a collector built it; the assembly applies sampling, the rate cap and beforeSend. */
  rawEvent: RumEvent;
  /** A finished event, ready for the transport. */
  event: RumEvent;
  /** A view is about to end (its view_end follows at once): send what belongs to it now, so that it counts. */
  beforeViewEnd: { viewId: string };
  /** A view started; collectors reset per-view state. */
  viewStarted: { viewId: string; url: string };
  /** User activity (click, key, scroll, touch, tab visible again); keeps the session alive. Throttled. */
  activity: { kind: ActivityKind | 'click' };
  /** The extension told us about the session (sampling). */
  session: SessionInfo;
  /** The page is being hidden for good or frozen into the back/forward cache: emit what is pending now. */
  pageHide: { persisted: boolean };
  requestStarted: RequestStart;
  requestCompleted: RequestDone;
  /** Every Resource Timing entry, once (one observer for the resource and API collectors). */
  resourceEntry: PerformanceResourceTiming;
}

type Listener<T> = (payload: T) => void;

export interface LifeCycle {
  subscribe<K extends keyof LifeCycleEvents>(kind: K, listener: Listener<LifeCycleEvents[K]>): () => void;
  notify<K extends keyof LifeCycleEvents>(kind: K, payload: LifeCycleEvents[K]): void;
}

export function createLifeCycle(onListenerError: (error: unknown) => void): LifeCycle {
  const listeners: { [K in keyof LifeCycleEvents]?: Listener<LifeCycleEvents[K]>[] } = {};
  return {
    subscribe(kind, listener) {
      const list = (listeners[kind] ??= []) as Listener<unknown>[];
      list.push(listener as Listener<unknown>);
      return () => {
        const index = list.indexOf(listener as Listener<unknown>);
        if (index >= 0) list.splice(index, 1);
      };
    },
    notify(kind, payload) {
      for (const listener of listeners[kind] ?? []) {
        try {
          listener(payload);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
  };
}
