import type { RumEvent, SessionInfo } from '../schema';

/** Everything collectors say to each other goes through this one typed bus (as Datadog's lifeCycle). */
export interface LifeCycleEvents {
  /** A finished event, ready for the transport. */
  event: RumEvent;
  /** A view started; collectors reset per-view state. */
  viewStarted: { viewId: string; url: string };
  /** A user-visible activity (click, key, scroll, touch); keeps the session alive. */
  activity: { time: number };
  /** The extension told us about the session (sampling). */
  session: SessionInfo;
  /** The page is being hidden or unloaded: flush now. */
  pageHide: { persisted: boolean };
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
