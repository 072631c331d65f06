import type { NavigationKind, ViewEvent } from '../../../schema';
import type { LifeCycle } from '../../lifeCycle';
import type { Guard } from '../../tools/guard';
import { randomId, utcOffsetMinutes } from '../../tools/time';

export interface ViewState {
  readonly viewId: string;
}

/** The initial page view. SPA routes (history, hash) are added by the full SDK on the same bus. */
export function startViewCollection(lifeCycle: LifeCycle, guard: Guard, redactUrl: (url: string) => string) {
  const state = { viewId: randomId() };

  const navigationKind = (): NavigationKind => {
    const entry = performance.getEntriesByType?.('navigation')[0] as PerformanceNavigationTiming | undefined;
    if (entry?.type === 'reload') return 'reload';
    if (entry?.type === 'back_forward') return 'back_forward';
    return 'initial';
  };

  const emitView = guard((navigation: NavigationKind, loadingTime: number | null) => {
    const event: ViewEvent = {
      type: 'view',
      time: Date.now(),
      tz: utcOffsetMinutes(),
      viewId: state.viewId,
      url: redactUrl(location.href),
      referrer: redactUrl(document.referrer),
      title: document.title,
      navigation,
      loadingTime,
    };
    lifeCycle.notify('viewStarted', { viewId: state.viewId, url: event.url });
    lifeCycle.notify('event', event);
  });

  emitView(navigationKind(), null);
  return { state: state as ViewState, stop() {} };
}
