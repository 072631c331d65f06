import type { RumEvent } from '../../schema';
import type { LifeCycle } from '../lifeCycle';
import type { Guard } from '../tools/guard';
import { queueMicrotask } from '../tools/safeGlobals';

/** What the standalone SDK hands its transport: the events of one session, in order. */
export interface TransportBatch {
  sessionId: string;
  events: RumEvent[];
}

export type Transport = (batch: TransportBatch) => void;

/** Events kept in memory in standalone mode (oldest dropped first, and counted). */
export const MEMORY_MAX_EVENTS = 1000;

/**
 * Standalone mode until the server issue adds HTTP: events are kept in a bounded buffer and handed, once
 * per task, to the app's `transport` hook if it gave one. Each event is stamped with the session it was
 * assembled in (the session may change between two batches).
 */
export function startMemoryTransport(lifeCycle: LifeCycle, guard: Guard, sessionId: () => string | undefined, transport?: Transport) {
  let buffer: { sessionId: string; event: RumEvent }[] = [];
  let queue: typeof buffer = [];
  let dropped = 0;
  let scheduled = false;
  const flush = guard(() => {
    scheduled = false;
    const items = queue;
    queue = [];
    let batch: TransportBatch | undefined;
    for (const item of items) {
      if (batch?.sessionId !== item.sessionId) {
        if (batch) transport?.(batch);
        batch = { sessionId: item.sessionId, events: [] };
      }
      batch.events.push(item.event);
    }
    if (batch) transport?.(batch);
  });
  const unsubscribers = [
    lifeCycle.subscribe('event', (event) => {
      const id = sessionId();
      if (!id) return;
      const item = { sessionId: id, event };
      buffer.push(item);
      if (buffer.length > MEMORY_MAX_EVENTS) {
        buffer.shift();
        dropped++;
      }
      if (transport) {
        queue.push(item);
        if (!scheduled) {
          scheduled = true;
          queueMicrotask(flush);
        }
      }
    }),
  ];
  return {
    leave: () => flush(),
    /** A copy of what is buffered (for the app, its tests, or the coming HTTP transport). */
    events: () => buffer.map((item) => ({ ...item.event, sessionId: item.sessionId })),
    dropped: () => dropped,
    stop() {
      flush();
      unsubscribers.forEach((unsubscribe) => unsubscribe());
      buffer = [];
    },
  };
}
