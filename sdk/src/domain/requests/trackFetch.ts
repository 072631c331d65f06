import type { LifeCycle, RequestStart } from '../../lifeCycle';
import type { Guard } from '../../tools/guard';
import { instrumentMethod } from '../../tools/instrumentMethod';
import type { ViewState } from '../view/startViewCollection';
import { absoluteUrl, bodySize } from './requestUrl';

/**
 * Wraps window.fetch: reports the call and its outcome on the bus. The page gets the original promise
 * (same value, same rejection); the SDK watches it from a side branch that can never be unhandled.
 */
export function trackFetch(lifeCycle: LifeCycle, guard: Guard, view: ViewState) {
  const started = guard((input: unknown, init: RequestInit | undefined): RequestStart => {
    // A Request (duck-typed: one from another frame fails instanceof), a URL or a string.
    const request = typeof input === 'object' && input !== null && !(input instanceof URL) && 'url' in input ? (input as Request) : null;
    const start: RequestStart = {
      via: 'fetch',
      method: String(init?.method ?? request?.method ?? 'GET').toUpperCase(),
      url: absoluteUrl(request ? request.url : input),
      start: performance.now(),
      time: Date.now(),
      viewId: view.viewId,
      requestSize: bodySize(init?.body),
    };
    lifeCycle.notify('requestStarted', start);
    return start;
  });
  const done = guard((start: RequestStart, signal: AbortSignal | null | undefined, response?: Response) => {
    const length = response?.headers.get('content-length');
    lifeCycle.notify('requestCompleted', {
      ...start,
      status: response?.status ?? 0,
      end: performance.now(),
      aborted: !response && !!signal?.aborted,
      responseSize: length ? Number(length) : null,
    });
  });
  // The side branch: whatever the page's fetch returned (a page may have replaced it with anything), never a throw.
  const watch = guard((promise: Promise<Response>, start: RequestStart, input: unknown, init: RequestInit | undefined) => {
    const signal = init?.signal ?? (input as Partial<Request>).signal;
    promise.then(
      (response) => done(start, signal, response),
      () => done(start, signal),
    );
  });
  return instrumentMethod(window, 'fetch', (original) =>
    function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
      const start = started(input, init);
      // The page's own call, outside the guard: what it returns or throws is the page's, unchanged.
      const promise = original.call(this, input, init);
      if (start) watch(promise, start, input, init);
      return promise;
    } as typeof fetch,
  );
}
