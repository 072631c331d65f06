import type { ActivityKind } from '../../../schema';
import type { LifeCycle } from '../../lifeCycle';
import { eventBase } from '../../tools/eventBase';
import type { Guard } from '../../tools/guard';
import type { ViewState } from '../view/startViewCollection';
import { addEventListener, removeEventListener } from '../../tools/safeGlobals';

/** One activity of a kind per this many ms reaches the bus (scroll fires per frame). */
export const ACTIVITY_THROTTLE_MS = 1000;

const KINDS: [string, ActivityKind][] = [
  ['keydown', 'key'],
  ['scroll', 'scroll'],
  ['touchstart', 'touch'],
  ['visibilitychange', 'visible'],
];

/**
 * User activity that keeps the session alive (spec: click, keydown, scroll, touch, tab visible again).
 * Clicks come from the action collector. Only the fact is kept: never which key.
 */
export function trackUserActivity(lifeCycle: LifeCycle, guard: Guard) {
  const last: Partial<Record<ActivityKind, number>> = {};
  const listeners = KINDS.map(([type, kind]) => {
    const listener = guard(() => {
      if (type === 'visibilitychange' && document.visibilityState !== 'visible') return;
      const now = performance.now();
      if (now - (last[kind] ?? -Infinity) < ACTIVITY_THROTTLE_MS) return;
      last[kind] = now;
      lifeCycle.notify('activity', { kind });
    });
    addEventListener(type, listener, { capture: true, passive: true });
    return () => removeEventListener(type, listener, { capture: true });
  });
  return { stop: () => listeners.forEach((remove) => remove()) };
}

/** Sends activity as few events as keep the extension's session alive: one per ACTIVITY_EVENT_MS at most. */
export const ACTIVITY_EVENT_MS = 5000;

/** Extension mode: the background owns the session, so activity that makes no other event is sent as one. */
export function startActivityEvents(lifeCycle: LifeCycle, view: ViewState) {
  let lastSent = -Infinity;
  const unsubscribers = [
    lifeCycle.subscribe('activity', ({ kind }) => {
      const now = performance.now();
      if (kind === 'click' || now - lastSent < ACTIVITY_EVENT_MS) return;
      lastSent = now;
      lifeCycle.notify('rawEvent', { type: 'activity', ...eventBase(view.viewId), kind });
    }),
    // Views and actions are activity already.
    lifeCycle.subscribe('event', (event) => {
      if (event.type === 'view' || event.type === 'action') lastSent = performance.now();
    }),
  ];
  return { stop: () => unsubscribers.forEach((unsubscribe) => unsubscribe()) };
}
