import type { NavigationKind, RumEvent, ViewEndEvent } from '../../../schema';
import type { LifeCycle } from '../../lifeCycle';
import { eventBase } from '../../tools/eventBase';
import type { Guard } from '../../tools/guard';
import { randomId } from '../../tools/time';
import { waitPageActivityEnd, type PageActivity } from '../pageActivity/createPageActivity';
import { trackLocationChanges } from './trackLocationChanges';
import { addEventListener, removeEventListener, setTimeout } from '../../tools/safeGlobals';

/** The current view, read by the other collectors to stamp their events. */
export interface ViewState {
  readonly viewId: string;
  /** Redacted URL and referrer of the current view. */
  readonly url: string;
  readonly referrer: string;
}

interface View {
  id: string;
  href: string;
  url: string;
  referrer: string;
  navigation: NavigationKind;
  /** Epoch ms and performance.now() ms at which the view started. */
  start: number;
  startPerf: number;
  loadingTime: number | null;
  emitted: boolean;
  ended: boolean;
  name?: string;
  timings?: Record<string, number>;
  counts: ViewEndEvent['counts'];
  cancelLoading?: () => void;
}

/** addTiming names kept per view, and name lengths (as the schema's validator). */
export const MAX_TIMINGS = 100;
const MAX_NAME = 256;
const cleanName = (name: unknown) => String(name).slice(0, MAX_NAME);

const COUNTED: Partial<Record<RumEvent['type'], keyof ViewEndEvent['counts']>> = {
  action: 'actions',
  error: 'errors',
  api: 'apiCalls',
  resource: 'resources',
  long_task: 'longTasks',
};

/**
 * Views: the initial page load and every SPA navigation (pushState, replaceState, popstate, hashchange,
 * back/forward cache restore). A view is sent once its loading time is known (the load event for the
 * first one, the page going quiet for a route) or when it ends, whichever comes first; view_end follows
 * with the time spent and what happened in it.
 */
export function startViewCollection(
  lifeCycle: LifeCycle,
  guard: Guard,
  activity: PageActivity,
  redactUrl: (url: string) => string,
  /** Epoch ms at which recording started when it started after the page loaded (the extension injected it late). */
  recordingSince?: number,
) {
  const state = { viewId: '', url: '', referrer: '' };
  let current: View;

  const emitView = (view: View) => {
    if (view.emitted) return;
    view.emitted = true;
    lifeCycle.notify('rawEvent', {
      type: 'view',
      ...eventBase(view.id, view.start),
      url: view.url,
      referrer: view.referrer,
      title: document.title.slice(0, 2000),
      navigation: view.navigation,
      loadingTime: view.loadingTime === null ? null : Math.max(0, Math.round(view.loadingTime)),
      ...(view.name !== undefined && { name: view.name }),
    });
  };

  const startView = (navigation: NavigationKind, referrer: string, start = Date.now(), startPerf = performance.now()) => {
    const href = location.href;
    current = {
      id: randomId(),
      href,
      url: redactUrl(href),
      referrer,
      navigation,
      start,
      startPerf,
      loadingTime: null,
      emitted: false,
      ended: false,
      counts: { actions: 0, errors: 0, apiCalls: 0, resources: 0, longTasks: 0 },
    };
    Object.assign(state, { viewId: current.id, url: current.url, referrer });
    lifeCycle.notify('viewStarted', { viewId: current.id, url: current.url });
    return current;
  };

  const endView = () => {
    const view = current;
    if (!view || view.ended) return;
    view.ended = true;
    view.cancelLoading?.();
    emitView(view);
    lifeCycle.notify('beforeViewEnd', { viewId: view.id });
    lifeCycle.notify('rawEvent', {
      type: 'view_end',
      ...eventBase(view.id),
      timeSpent: Math.max(0, Date.now() - view.start),
      counts: { ...view.counts },
      ...(view.name !== undefined && { name: view.name }),
      ...(view.timings && { timings: { ...view.timings } }),
    });
  };

  const startRoute = (navigation: NavigationKind, name?: string) => {
    const referrer = current?.url ?? '';
    endView();
    const view = startView(navigation, referrer);
    if (name !== undefined) view.name = name;
    view.cancelLoading = waitPageActivityEnd(activity, guard, (last) => {
      view.loadingTime = last - view.startPerf;
      emitView(view);
    });
  };

  // The initial view started with the navigation, before this script.
  const nav = performance.getEntriesByType?.('navigation')[0] as PerformanceNavigationTiming | undefined;
  const initial = startView(
    nav?.type === 'reload' ? 'reload' : nav?.type === 'back_forward' ? 'back_forward' : 'initial',
    redactUrl(document.referrer),
    // Recorded from the moment it was injected, when it was (a tab open before its site was allowed).
    recordingSince ?? (performance.timeOrigin || Date.now()),
    recordingSince === undefined ? 0 : performance.now(),
  );
  const onLoaded = guard(() => {
    const entry = performance.getEntriesByType?.('navigation')[0] as PerformanceNavigationTiming | undefined;
    initial.loadingTime = entry && entry.loadEventEnd > 0 ? entry.loadEventEnd : performance.now();
    emitView(initial);
  });
  const onLoad = guard(() => setTimeout(onLoaded));
  if (document.readyState === 'complete') onLoad();
  else addEventListener('load', onLoad, { once: true });

  const location$ = trackLocationChanges(guard, (kind) => {
    const href = location.href;
    if (href === current.href) return;
    // A fragment-only change by the browser (link, location.hash, back/forward between fragments) is hash
    // routing, whichever of popstate and hashchange came first (Chromium fires popstate first).
    const hashOnly = kind === 'pop' && href.split('#')[0] === current.href.split('#')[0];
    startRoute(hashOnly ? 'hash' : kind);
  });
  const onPageShow = guard((event: PageTransitionEvent) => {
    if (!event.persisted) return;
    const view = startView('back_forward', redactUrl(document.referrer));
    view.loadingTime = 0;
    emitView(view);
  });
  addEventListener('pageshow', onPageShow);

  const unsubscribers = [
    lifeCycle.subscribe('event', (event) => {
      const key = COUNTED[event.type];
      if (key && event.viewId === current.id && !(event.type === 'error' && event.source === 'internal')) current.counts[key]++;
    }),
    lifeCycle.subscribe('pageHide', endView),
  ];

  return {
    state: state as ViewState,
    /** startView(name): ends the current view and starts a 'manual' one (sent when the page goes quiet, as a route). */
    startManualView: (name?: string) => startRoute('manual', name === undefined ? undefined : cleanName(name)),
    /** setViewName(name): names the current view (in its view event if not sent yet, and in its view_end). */
    setViewName: (name: string) => void (current.name = cleanName(name)),
    /**
     * addTiming(name, time?): ms since the view started, kept on the view and sent with its view_end.
     * time: an epoch ms (at or after the view's start) or ms relative to the view's start; default now.
     */
    addTiming: (name: string, time?: number) => {
      const view = current;
      let key = String(name).slice(0, MAX_NAME - 1).replace(/[^\w.@$-]/g, '_');
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') key = '_' + key; // the validator refuses these keys
      const timings = (view.timings ??= {});
      if (!Object.hasOwn(timings, key) && Object.keys(timings).length >= MAX_TIMINGS) return;
      const at = typeof time === 'number' && Number.isFinite(time) ? (time >= view.start ? time - view.start : time) : Date.now() - view.start;
      timings[key] = Math.max(0, Math.round(at));
    },
    stop() {
      location$.stop();
      removeEventListener('load', onLoad);
      removeEventListener('pageshow', onPageShow);
      unsubscribers.forEach((unsubscribe) => unsubscribe());
      current.cancelLoading?.();
    },
  };
}
