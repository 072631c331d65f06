import type { ApiDetail, ApiEvent } from '../../../schema';
import { createBodyBudget, type DetailContext } from './captureDetail';
import { createDetailRules } from './redactDetail';
import type { LifeCycle, RequestDone } from '../../lifeCycle';
import { eventBase } from '../../tools/eventBase';
import type { Guard } from '../../tools/guard';
import { computeTiming, isRestricted } from '../resource/computeTiming';
import { toErrorEvent } from '../error/startErrorCollection';
import type { ViewState } from '../view/startViewCollection';
import { trackFetch } from './trackFetch';
import { trackXhr } from './trackXhr';
import { setTimeout, clearTimeout } from '../../tools/safeGlobals';

/** How long a finished call waits for its Resource Timing entry (the body may still be downloading). */
export const TIMING_WAIT_MS = 2000;
const MAX_WAITING = 200;
const MAX_RECENT = 50;

const matches = (done: RequestDone, entry: PerformanceResourceTiming) =>
  done.url === entry.name &&
  done.via === (entry.initiatorType === 'fetch' ? 'fetch' : 'xhr') &&
  // Started with the call (1 ms of rounding allowed), not after it ended.
  entry.startTime >= done.start - 1 &&
  entry.startTime <= done.end;

interface Waiting {
  done: RequestDone;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * API calls (fetch and XHR): method, URL, status, duration, sizes, and the DNS / connect / TLS / request /
 * response breakdown of the matching Resource Timing entry. A network failure or a status >= 500 is also
 * an error event, sent at once (error clicks need it within their window). Headers and bodies only where the
 * extension says network detail is on for the site (SessionInfo.networkDetail), redacted before they leave.
 */
export function startApiCollection(lifeCycle: LifeCycle, guard: Guard, view: ViewState, redactUrl: (url: string) => string) {
  const waiting: Waiting[] = [];
  /** Network detail of this page load: on once the extension says so (its first acknowledgement). */
  let detail: DetailContext | null = null;
  const takeBudget = createBodyBudget();
  /** Entries that arrived before their call's outcome (an XHR's entry may precede its loadend). */
  const recent: PerformanceResourceTiming[] = [];

  const emit = (done: RequestDone, entry?: PerformanceResourceTiming) => {
    const restricted = !entry || isRestricted(entry);
    const event: ApiEvent = {
      type: 'api',
      ...eventBase(done.viewId, done.time),
      via: done.via,
      method: done.method.slice(0, 32),
      url: redactUrl(done.url),
      status: done.status,
      duration: Math.round((entry ? Math.max(entry.duration, done.end - done.start) : done.end - done.start) * 10) / 10,
      requestSize: done.requestSize,
      responseSize: !restricted && entry.encodedBodySize ? entry.encodedBodySize : done.responseSize,
      timing: entry ? computeTiming(entry) : null,
    };
    if (!done.detail) return lifeCycle.notify('rawEvent', event);
    // The response body may still be arriving: the event waits for it (captureDetail bounds the wait).
    void done.detail.then(
      guard((value: ApiDetail | undefined) => {
        if (value) event.detail = value;
        lifeCycle.notify('rawEvent', event);
      }),
    );
  };
  const release = (item: Waiting, entry?: PerformanceResourceTiming) => {
    clearTimeout(item.timer);
    waiting.splice(waiting.indexOf(item), 1);
    emit(item.done, entry);
  };

  const unsubscribers = [
    lifeCycle.subscribe('requestCompleted', (done) => {
      if (done.status === 0 ? !done.aborted : done.status >= 500) {
        const message = `${done.method} ${redactUrl(done.url)} ${done.status ? `failed with status ${done.status}` : 'failed: network error'}`;
        const error = toErrorEvent('network', null, done.viewId, redactUrl, message);
        error.errorType = done.status ? 'HttpError' : 'NetworkError';
        lifeCycle.notify('rawEvent', error);
      }
      const early = recent.findIndex((entry) => matches(done, entry));
      if (early >= 0) return emit(done, recent.splice(early, 1)[0]);
      const item: Waiting = { done, timer: setTimeout(guard(() => release(item)), TIMING_WAIT_MS) };
      if (waiting.push(item) > MAX_WAITING) release(waiting[0]!);
    }),
    lifeCycle.subscribe('resourceEntry', (entry) => {
      if (entry.initiatorType !== 'fetch' && entry.initiatorType !== 'xmlhttprequest') return;
      const item = waiting.find((w) => matches(w.done, entry));
      if (item) release(item, entry);
      else if (recent.push(entry) > MAX_RECENT) recent.shift();
    }),
    lifeCycle.subscribe('session', (info) => {
      const config = info.networkDetail;
      detail = config ? { rules: createDetailRules(config), take: takeBudget } : null;
    }),
    lifeCycle.subscribe('pageHide', () => {
      while (waiting[0]) release(waiting[0]);
    }),
  ];
  const fetch$ = trackFetch(lifeCycle, guard, view, () => detail);
  const xhr$ = trackXhr(lifeCycle, guard, view, () => detail);
  return {
    stop() {
      fetch$.stop();
      xhr$.stop();
      unsubscribers.forEach((unsubscribe) => unsubscribe());
      waiting.forEach((item) => clearTimeout(item.timer));
    },
  };
}
