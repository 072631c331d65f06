import type { LifeCycle, RequestDone, RequestStart } from '../../lifeCycle';
import type { Guard } from '../../tools/guard';
import { instrumentMethod } from '../../tools/instrumentMethod';
import type { ViewState } from '../view/startViewCollection';
import { absoluteUrl, bodySize } from './requestUrl';
import { buildDetail, parseRawHeaders, requestBody, xhrResponseBody, type DetailContext } from './captureDetail';
import { listen, unlisten } from '../../tools/safeGlobals';

/** Wraps XMLHttpRequest open/send: reports each call and its outcome (loadend) on the bus. */
export function trackXhr(lifeCycle: LifeCycle, guard: Guard, view: ViewState, detailContext: () => DetailContext | null = () => null) {
  if (typeof XMLHttpRequest === 'undefined') return { stop() {} };
  const opened = new WeakMap<XMLHttpRequest, { method: string; url: string }>();
  /** Request headers set since open(), kept only while network detail is on. */
  const headers = new WeakMap<XMLHttpRequest, [string, string][]>();
  const onOpen = guard((xhr: XMLHttpRequest, method: unknown, url: unknown) => {
    opened.set(xhr, { method: String(method).toUpperCase(), url: absoluteUrl(url) });
    headers.delete(xhr);
  });
  const onHeader = guard((xhr: XMLHttpRequest, name: unknown, value: unknown) => {
    if (!detailContext()) return;
    const list = headers.get(xhr) ?? [];
    list.push([String(name).toLowerCase(), String(value)]);
    headers.set(xhr, list);
  });
  const onSend = guard((xhr: XMLHttpRequest, body: unknown) => {
    const target = opened.get(xhr);
    if (!target) return;
    const start: RequestStart = { via: 'xhr', ...target, start: performance.now(), time: Date.now(), viewId: view.viewId, requestSize: bodySize(body) };
    const context = detailContext();
    const sent = headers.get(xhr) ?? [];
    const request = context && guard(requestBody)(body, sent.find(([name]) => name === 'content-type')?.[1] ?? '', target.url, context);
    let aborted = false;
    const onAbort = () => (aborted = true);
    const onLoadEnd = guard(() => {
      unlisten(xhr, 'abort', onAbort);
      unlisten(xhr, 'loadend', onLoadEnd);
      const length = xhr.getResponseHeader('content-length');
      const completed: RequestDone = { ...start, status: xhr.status, end: performance.now(), aborted, responseSize: length ? Number(length) : null };
      if (context) {
        const detail = guard(() =>
          buildDetail(sent, parseRawHeaders(xhr.getAllResponseHeaders()), request ?? null, xhrResponseBody(xhr, target.url, context), context),
        )();
        completed.detail = Promise.resolve(detail);
      }
      lifeCycle.notify('requestCompleted', completed);
    });
    listen(xhr, 'abort', onAbort);
    listen(xhr, 'loadend', onLoadEnd);
    lifeCycle.notify('requestStarted', start);
  });
  const proto = XMLHttpRequest.prototype;
  const open = instrumentMethod(proto, 'open', (original) =>
    function (this: XMLHttpRequest, ...args: unknown[]) {
      onOpen(this, args[0], args[1]);
      return (original as (...a: unknown[]) => void).apply(this, args);
    } as XMLHttpRequest['open'],
  );
  const setRequestHeader = instrumentMethod(proto, 'setRequestHeader', (original) =>
    function (this: XMLHttpRequest, name: string, value: string) {
      onHeader(this, name, value);
      return original.call(this, name, value);
    },
  );
  const send = instrumentMethod(proto, 'send', (original) =>
    function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
      onSend(this, body);
      return original.call(this, body);
    },
  );
  return {
    stop() {
      open.stop();
      setRequestHeader.stop();
      send.stop();
    },
  };
}
