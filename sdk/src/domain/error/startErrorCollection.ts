import type { ErrorEvent, ErrorSource } from '../../../schema';
import type { LifeCycle } from '../../lifeCycle';
import type { Guard } from '../../tools/guard';
import { utcOffsetMinutes } from '../../tools/time';
import type { ViewState } from '../view/startViewCollection';
import { parseStack } from './parseStack';

const MAX_MESSAGE = 4000;

export function toErrorEvent(
  source: ErrorSource,
  value: unknown,
  viewId: string,
  redactUrl: (url: string) => string,
): ErrorEvent {
  const isError = value instanceof Error || (typeof value === 'object' && value !== null && 'message' in value);
  const error = value as Partial<Error> | undefined;
  let message: string;
  try {
    message = isError ? String(error?.message) : typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  } catch {
    message = String(value);
  }
  const stack = isError && typeof error?.stack === 'string' ? error.stack : null;
  return {
    type: 'error',
    time: Date.now(),
    tz: utcOffsetMinutes(),
    viewId,
    source,
    errorType: (isError && typeof error?.name === 'string' && error.name) || (typeof value === 'string' ? 'Error' : typeof value),
    message: message.slice(0, MAX_MESSAGE),
    stack: stack ? stack.slice(0, 32 * 1024) : null,
    frames: parseStack(stack).map((frame) => ({ ...frame, url: frame.url && redactUrl(frame.url) })),
  };
}

/** Uncaught errors and unhandled promise rejections. */
export function startErrorCollection(lifeCycle: LifeCycle, guard: Guard, view: ViewState, redactUrl: (url: string) => string) {
  const onError = guard((event: globalThis.ErrorEvent) => {
    // Resource load errors bubble as plain Events in the capture phase; only script errors here.
    if (!(event instanceof globalThis.ErrorEvent)) return;
    const value = event.error ?? event.message;
    const built = toErrorEvent('uncaught', value, view.viewId, redactUrl);
    if (!built.frames.length && event.filename) {
      built.frames = [{ fn: null, url: redactUrl(event.filename), line: event.lineno, column: event.colno }];
    }
    lifeCycle.notify('event', built);
  });
  const onRejection = guard((event: PromiseRejectionEvent) => {
    lifeCycle.notify('event', toErrorEvent('unhandledrejection', event.reason, view.viewId, redactUrl));
  });
  addEventListener('error', onError);
  addEventListener('unhandledrejection', onRejection);
  return {
    stop() {
      removeEventListener('error', onError);
      removeEventListener('unhandledrejection', onRejection);
    },
  };
}
