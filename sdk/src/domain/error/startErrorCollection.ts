import type { ErrorEvent, ErrorSource, JsonValue } from '../../../schema';
import type { LifeCycle } from '../../lifeCycle';
import { eventBase } from '../../tools/eventBase';
import type { Guard } from '../../tools/guard';
import { toJsonObject } from '../../tools/toJson';
import type { ViewState } from '../view/startViewCollection';
import { parseStack } from './parseStack';
import { redactStack } from '../../tools/redactUrl';
import { redactText } from '../../tools/redactText';
import { addEventListener, removeEventListener } from '../../tools/safeGlobals';

const MAX_MESSAGE = 4000;

const describe = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (value instanceof Error || (typeof value === 'object' && value !== null && 'message' in value)) return String((value as Error).message);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};

export function toErrorEvent(
  source: ErrorSource,
  value: unknown,
  viewId: string,
  redactUrl: (url: string) => string,
  message = describe(value),
): ErrorEvent {
  const error = (typeof value === 'object' && value !== null ? value : {}) as Partial<Error>;
  const stack = typeof error.stack === 'string' ? error.stack : null;
  return {
    type: 'error',
    ...eventBase(viewId),
    source,
    errorType: (typeof error.name === 'string' && error.name.slice(0, 200)) || 'Error',
    message: message.slice(0, MAX_MESSAGE),
    stack: stack ? redactStack(stack.slice(0, 32 * 1024)) : null,
    frames: parseStack(stack).map((frame) => ({ ...frame, url: frame.url && redactUrl(frame.url) })),
  };
}

/**
 * Uncaught errors, unhandled promise rejections, console.error (through the console collection's hook: the SDK
 * has one console hook) and addError() from the app.
 */
export function startErrorCollection(lifeCycle: LifeCycle, guard: Guard, view: ViewState, redactUrl: (url: string) => string) {
  const emit = (event: ErrorEvent) => lifeCycle.notify('rawEvent', event);
  const onError = guard((event: globalThis.ErrorEvent) => {
    // Resource load errors reach window as plain Events; only script errors here.
    if (!(event instanceof globalThis.ErrorEvent)) return;
    const built = toErrorEvent('uncaught', event.error ?? event.message, view.viewId, redactUrl);
    if (!built.frames.length && event.filename) {
      built.frames = [{ fn: null, url: redactUrl(event.filename), line: event.lineno, column: event.colno }];
    }
    emit(built);
  });
  const onRejection = guard((event: PromiseRejectionEvent) => emit(toErrorEvent('unhandledrejection', event.reason, view.viewId, redactUrl)));
  const onConsoleError = guard((args: unknown[]) => {
    const error = args.find((arg) => arg instanceof Error);
    // Secrets in a logged line are redacted as in console events (the message is free text from the page).
    emit(toErrorEvent('console', error, view.viewId, redactUrl, redactText(args.map(describe).join(' ').slice(0, MAX_MESSAGE))));
  });
  addEventListener('error', onError);
  addEventListener('unhandledrejection', onRejection);
  return {
    /** console.error(...args), called by the console collection's hook. */
    onConsoleError,
    /** openobserveRum.addError(error, context). */
    addError(error: unknown, context?: Record<string, JsonValue>) {
      const event = toErrorEvent('custom', error, view.viewId, redactUrl);
      const json = toJsonObject(context);
      if (json) event.context = json;
      emit(event);
    },
    stop() {
      removeEventListener('error', onError);
      removeEventListener('unhandledrejection', onRejection);
    },
  };
}
