import type { LifeCycle } from '../../lifeCycle';
import { eventBase } from '../../tools/eventBase';
import type { Guard } from '../../tools/guard';
import type { ViewState } from '../view/startViewCollection';
import { collectDeviceFacts } from './collectDeviceFacts';
import type { RumContexts } from './createRumContexts';
import { queueMicrotask } from '../../tools/safeGlobals';

/**
 * One context event at start (device facts, app, user, global context) and one after every change;
 * several changes in one task make one event.
 */
export function startContextCollection(lifeCycle: LifeCycle, guard: Guard, view: ViewState, contexts: RumContexts, withTimeZone: boolean) {
  let scheduled = false;
  let stopped = false;
  const emit = guard((cause: 'start' | 'change') => {
    scheduled = false;
    if (stopped) return;
    lifeCycle.notify('rawEvent', {
      type: 'context',
      ...eventBase(view.viewId),
      cause,
      device: collectDeviceFacts(withTimeZone),
      app: { ...contexts.app },
      user: contexts.user && { ...contexts.user },
      global: { ...contexts.global },
    });
  });
  contexts.onChange(() => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => emit('change'));
  });
  emit('start');
  return {
    stop() {
      stopped = true;
      contexts.onChange(() => {});
    },
  };
}
