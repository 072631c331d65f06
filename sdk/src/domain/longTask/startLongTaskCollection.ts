import type { LifeCycle } from '../../lifeCycle';
import { eventBase } from '../../tools/eventBase';
import type { Guard } from '../../tools/guard';
import { observePerformance, supportsEntryType } from '../../tools/observePerformance';
import type { ViewState } from '../view/startViewCollection';

/** Long animation frames where the browser has them (they include the long tasks), long tasks elsewhere. */
export function startLongTaskCollection(lifeCycle: LifeCycle, guard: Guard, view: ViewState) {
  const kind = supportsEntryType('long-animation-frame') ? 'long-animation-frame' : 'longtask';
  return observePerformance(kind, guard, (entry) => {
    lifeCycle.notify('rawEvent', {
      type: 'long_task',
      ...eventBase(view.viewId, performance.timeOrigin + entry.startTime),
      kind,
      duration: Math.round(entry.duration),
    });
  });
}
