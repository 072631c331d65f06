import type { LifeCycle, RequestDone, RequestStart } from '../../lifeCycle';
import type { Guard } from '../../tools/guard';
import { instrumentMethod } from '../../tools/instrumentMethod';
import type { ViewState } from '../view/startViewCollection';
import { absoluteUrl, bodySize } from './requestUrl';
import { buildDetail, fetchResponseBody, headerPairs, requestBody, type DetailContext } from './captureDetail';
import type { HttpBody } from '../../../schema';

/** What a call keeps for its detail between its start and its response. */
interface FetchCapture {
  context: DetailContext;
  headers: [string, string][];
  body: Promise<HttpBody | null>;
}

function startCapture(context: DetailContext, request: Request | null, init: RequestInit | undefined, url: string): FetchCapture {
  const headers = headerPairs(new Headers(init?.headers ?? request?.headers ?? undefined));
  const contentType = headers.find(([name]) => name === 'content-type')?.[1] ?? '';
  let body: Promise<HttpBody | null>;
  if (init?.body !== undefined && init.body !== null) body = Promise.resolve(requestBody(init.body, contentType, url, context));
  else if (request && request.body && !request.bodyUsed) {
    // A Request carrying its body: read from a clone taken before fetch consumes it.
    body = request.clone().text().then((text) => requestBody(text, contentType, url, context), () => ({ mimeType: contentType, size: null, omitted: 'unreadable' as const }));
  } else body = Promise.resolve(null);
  return { context, headers, body };
}

/**
 * Wraps window.fetch: reports the call and its outcome on the bus. The page gets the original promise
 * (same value, same rejection); the SDK watches it from a side branch that can never be unhandled.
 */
export function trackFetch(lifeCycle: LifeCycle, guard: Guard, view: ViewState, detailContext: () => DetailContext | null = () => null) {
  const started = guard((input: unknown, init: RequestInit | undefined): RequestStart & { capture?: FetchCapture } => {
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
    const context = detailContext();
    return context ? { ...start, capture: guard(startCapture)(context, request, init, start.url) } : start;
  });
  const done = guard(({ capture, ...start }: RequestStart & { capture?: FetchCapture }, signal: AbortSignal | null | undefined, response?: Response) => {
    const length = response?.headers.get('content-length');
    const completed: RequestDone = {
      ...start,
      status: response?.status ?? 0,
      end: performance.now(),
      aborted: !response && !!signal?.aborted,
      responseSize: length ? Number(length) : null,
    };
    if (capture) {
      // Cloned before the page sees the response: the page's body stays whole and readable.
      const clone = response && !response.bodyUsed ? guard(() => response.clone())() ?? null : null;
      const responseHeaders = response ? headerPairs(response.headers) : [];
      completed.detail = Promise.all([capture.body, fetchResponseBody(clone, start.url, capture.context)])
        .then(([request, body]) => buildDetail(capture.headers, responseHeaders, request, body, capture.context))
        .catch(() => undefined);
    }
    lifeCycle.notify('requestCompleted', completed);
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
