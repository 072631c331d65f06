import type { RumEvent, RumEventType } from '../../../schema';
import type { LifeCycle } from '../../lifeCycle';
import { createRateLimiter } from '../../tools/createRateLimiter';
import { toJson } from '../../tools/toJson';

/** The page's hook: may edit the event in place, or return false to drop it. */
export type BeforeSend = (event: RumEvent) => boolean | void;

/** Events per second the SDK sends before it starts dropping (and counting the drops), with a burst allowance. */
export const EVENTS_PER_SECOND = 300;
export const EVENT_BURST = 2000;

/** beforeSend sees these; views may be edited but never dropped (as the peers do). */
const EDITABLE = new Set<RumEventType>(['view', 'action', 'error', 'api', 'resource', 'vital', 'long_task']);
/** Never capped: the session's backbone and the report of the drops themselves. */
const UNCAPPED = new Set<RumEventType>(['view', 'view_end', 'context', 'telemetry']);
/** Keys beforeSend may not add: the extension would refuse the whole message. */
const RESERVED = ['sessionId', 'loadId', 'seq', 'tabId', 'frameId', 'schema'];

export interface AssemblyOptions {
  beforeSend: () => BeforeSend | undefined;
  /** Standalone mode: false while there is no live, sampled session (the event is dropped, not counted). */
  tracked?: (event: RumEvent) => boolean;
  /** setTrackingConsent: false while the user has not granted it (events are dropped, not counted). */
  consented?: () => boolean;
}

/** rawEvent -> event: tracking consent, session sampling, the per-second cap, then the app's beforeSend. */
export function startRumEventAssembly(lifeCycle: LifeCycle, options: AssemblyOptions) {
  const limiter = createRateLimiter(EVENTS_PER_SECOND, EVENT_BURST);
  let dropped = 0;
  const unsubscribe = lifeCycle.subscribe('rawEvent', (raw) => {
    if (options.consented && !options.consented()) return;
    if (options.tracked && !options.tracked(raw)) return;
    if (!UNCAPPED.has(raw.type) && !limiter.take()) {
      dropped++;
      return;
    }
    let event = raw;
    const beforeSend = options.beforeSend();
    if (beforeSend && EDITABLE.has(raw.type)) {
      const copy = toJson(raw) as unknown as RumEvent;
      let keep: boolean | void = true;
      try {
        keep = beforeSend(copy);
      } catch {
        // A failing hook keeps the event as it was.
      }
      if (keep === false && raw.type !== 'view') return;
      // Back to plain JSON (the hook may have put anything in); what identifies the event stays the SDK's.
      const edited = toJson(copy, 64 * 1024) as Record<string, unknown> | null;
      if (edited && typeof edited === 'object') {
        for (const key of RESERVED) delete edited[key];
        event = { ...edited, type: raw.type, time: raw.time, tz: raw.tz, viewId: raw.viewId } as RumEvent;
      }
    }
    lifeCycle.notify('event', event);
  });
  return { dropped: () => dropped, stop: unsubscribe };
}
