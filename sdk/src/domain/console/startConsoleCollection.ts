import { CONSOLE_LIMITS, type ConsoleEvent, type ConsoleLevel } from '../../../schema';
import type { LifeCycle } from '../../lifeCycle';
import { createRateLimiter } from '../../tools/createRateLimiter';
import { eventBase } from '../../tools/eventBase';
import type { Guard } from '../../tools/guard';
import { instrumentMethod } from '../../tools/instrumentMethod';
import { redactStack } from '../../tools/redactUrl';
import { redactText } from '../../tools/redactText';
import { DEFAULT_SERIALIZE_LIMITS, formatConsoleMessage, serializeValue } from '../../tools/serializeValue';
import type { ViewState } from '../view/startViewCollection';

/** Identical consecutive calls within this window are one event (with a count). */
export const CONSOLE_GROUP_MS = 1000;
/** Console events per second (a burst allowed) before they are dropped and counted; repeats cost nothing. */
export const CONSOLE_EVENTS_PER_SECOND = 100;
export const CONSOLE_BURST = 500;

const HOOKED = ['log', 'info', 'warn', 'error', 'debug', 'assert', 'trace', 'table'] as const;
type Hooked = (typeof HOOKED)[number];

/** Where console.trace / console.assert were called: the caller's frames, without the SDK's wrapper. */
function callerStack(): string | undefined {
  try {
    const stack = new Error().stack;
    if (typeof stack !== 'string') return undefined;
    const lines = stack.split('\n');
    if (/^\w*Error\b/.test(lines[0] ?? '')) lines.shift(); // Chromium's "Error" header line
    lines.splice(0, 2); // this function and the wrapper (console.trace as the SDK replaced it)
    return redactStack(lines.slice(0, 30).join('\n')).slice(0, 16 * 1024) || undefined;
  } catch {
    return undefined;
  }
}

export function toConsoleEvent(level: ConsoleLevel, args: unknown[], viewId: string, stack?: string): ConsoleEvent {
  const kept = args.slice(0, CONSOLE_LIMITS.maxArgs);
  const serialized = kept.map((arg) => serializeValue(arg, DEFAULT_SERIALIZE_LIMITS));
  let message = formatConsoleMessage(serialized, CONSOLE_LIMITS.maxMessageChars);
  if (level === 'assert') message = `Assertion failed${message ? `: ${message}` : ''}`;
  if (level === 'trace' && !message) message = 'console.trace()';
  message = redactText(message).slice(0, CONSOLE_LIMITS.maxMessageChars);
  const event: ConsoleEvent = { type: 'console', ...eventBase(viewId), level, message, args: serialized, count: 1 };
  if (stack) event.stack = stack;
  return event;
}

/**
 * The SDK's one console hook. log, info, warn, debug, assert (when it fails), trace and table become console
 * events; console.error stays an error event (source 'console', counted in the session's errors) and makes no
 * console event, so a logged error is never counted or shown twice. The page's console gets the same call with
 * the same arguments and return value.
 */
export function startConsoleCollection(lifeCycle: LifeCycle, guard: Guard, view: ViewState, onConsoleError: (args: unknown[]) => void) {
  const limiter = createRateLimiter(CONSOLE_EVENTS_PER_SECOND, CONSOLE_BURST);
  let dropped = 0;
  let pending: { event: ConsoleEvent; key: string; timer: ReturnType<typeof setTimeout> } | null = null;
  let busy = false;

  const flush = guard(() => {
    if (!pending) return;
    const { event, timer } = pending;
    pending = null;
    clearTimeout(timer);
    lifeCycle.notify('rawEvent', event);
  });

  const record = guard((level: Hooked, args: unknown[], stack: string | undefined) => {
    // A Proxy trap or a page getter that logs while the SDK serializes: not recorded again.
    if (busy) return;
    busy = true;
    try {
      if (level === 'error') {
        flush();
        onConsoleError(args);
        return;
      }
      if (level === 'assert') {
        if (args[0]) return;
        args = args.slice(1);
      }
      const event = toConsoleEvent(level, args, view.viewId, stack);
      const key = `${level}\u0000${event.viewId}\u0000${event.message}\u0000${event.stack ?? ''}`;
      if (pending?.key === key) {
        pending.event.count++;
        return;
      }
      flush();
      if (!limiter.take()) {
        dropped++;
        return;
      }
      pending = { event, key, timer: setTimeout(flush, CONSOLE_GROUP_MS) };
    } finally {
      busy = false;
    }
  });

  const hooks = HOOKED.map((level) =>
    instrumentMethod(console, level, (original) =>
      function (this: Console, ...args: unknown[]) {
        const failedAssert = level === 'assert' && !args[0];
        record(level, args, level === 'trace' || failedAssert ? callerStack() : undefined);
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } as Console[typeof level],
    ),
  );
  // What was logged in a view belongs to it (sent before its view_end), and nothing waits past the page's exit.
  const unsubscribers = [lifeCycle.subscribe('beforeViewEnd', () => flush()), lifeCycle.subscribe('pageHide', () => flush())];

  return {
    /** Console events dropped by the per-second cap (reported in telemetry). */
    dropped: () => dropped,
    stop() {
      flush();
      hooks.forEach((hook) => hook.stop());
      unsubscribers.forEach((unsubscribe) => unsubscribe());
    },
  };
}
