import type { LifeCycle } from '../../lifeCycle';
import { eventBase } from '../../tools/eventBase';
import type { Guard } from '../../tools/guard';
import { observePerformance } from '../../tools/observePerformance';
import type { ViewState } from '../view/startViewCollection';
import { computeTiming, isRestricted } from './computeTiming';
import { getResourceType } from './getResourceType';

type ResourceEntry = PerformanceResourceTiming & { renderBlockingStatus?: string };

/**
 * Every Resource Timing entry (one buffered observer, shared with the API collector through the bus):
 * DNS, connect, TLS, request, response, total, transfer size, render-blocking. Cross-origin entries
 * without Timing-Allow-Origin keep their total but their breakdown and size are null ("not available").
 */
export function startResourceCollection(lifeCycle: LifeCycle, guard: Guard, view: ViewState, redactUrl: (url: string) => string, enabled: () => boolean) {
  return observePerformance<ResourceEntry>('resource', guard, (entry) => {
    lifeCycle.notify('resourceEntry', entry);
    if (!enabled()) return;
    const restricted = isRestricted(entry);
    lifeCycle.notify('rawEvent', {
      type: 'resource',
      ...eventBase(view.viewId, performance.timeOrigin + entry.startTime),
      url: redactUrl(entry.name),
      resourceType: getResourceType(entry),
      duration: Math.round(entry.duration * 10) / 10,
      timing: computeTiming(entry),
      transferSize: restricted || entry.transferSize === undefined ? null : entry.transferSize,
      renderBlocking: entry.renderBlockingStatus ? entry.renderBlockingStatus === 'blocking' : null,
    });
  });
}
