import type { LifeCycle, RequestStart } from '../../lifeCycle';
import type { Guard } from '../../tools/guard';
import { instrumentMethod } from '../../tools/instrumentMethod';
import type { ViewState } from '../view/startViewCollection';
import { absoluteUrl, bodySize } from './requestUrl';
import { listen, unlisten } from '../../tools/safeGlobals';

/** Wraps XMLHttpRequest open/send: reports each call and its outcome (loadend) on the bus. */
export function trackXhr(lifeCycle: LifeCycle, guard: Guard, view: ViewState) {
  if (typeof XMLHttpRequest === 'undefined') return { stop() {} };
  const opened = new WeakMap<XMLHttpRequest, { method: string; url: string }>();
  const onOpen = guard((xhr: XMLHttpRequest, method: unknown, url: unknown) => {
    opened.set(xhr, { method: String(method).toUpperCase(), url: absoluteUrl(url) });
  });
  const onSend = guard((xhr: XMLHttpRequest, body: unknown) => {
    const target = opened.get(xhr);
    if (!target) return;
    const start: RequestStart = { via: 'xhr', ...target, start: performance.now(), time: Date.now(), viewId: view.viewId, requestSize: bodySize(body) };
    let aborted = false;
    const onAbort = () => (aborted = true);
    const onLoadEnd = guard(() => {
      unlisten(xhr, 'abort', onAbort);
      unlisten(xhr, 'loadend', onLoadEnd);
      const length = xhr.getResponseHeader('content-length');
      lifeCycle.notify('requestCompleted', { ...start, status: xhr.status, end: performance.now(), aborted, responseSize: length ? Number(length) : null });
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
  const send = instrumentMethod(proto, 'send', (original) =>
    function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
      onSend(this, body);
      return original.call(this, body);
    },
  );
  return {
    stop() {
      open.stop();
      send.stop();
    },
  };
}
