/**
 * The page's globals the capture calls, taken when it starts (document_start, before any page script) and
 * called so that nothing ever throws into the page: a page that later replaces addEventListener, setTimeout
 * & co. with throwing versions (or removes them) changes nothing for the capture, and a callback the capture
 * schedules never escapes as an uncaught error. The capture build also gives these to web-vitals in place
 * of the globals it looks up (scripts/safeGlobalsPlugin.ts), since it calls them lazily, outside the guard.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyFn = (...args: any[]) => any;
/** Any listener: typed events (MouseEvent, ErrorEvent…) as the DOM's own overloads allow. */
type Listener = ((event: any) => unknown) | EventListenerObject;

const g = globalThis as any;
const target: any = typeof window !== 'undefined' ? window : g;
const proto: any = typeof EventTarget !== 'undefined' ? EventTarget.prototype : null;
const nativeAdd: AnyFn | undefined = proto?.addEventListener ?? target.addEventListener;
const nativeRemove: AnyFn | undefined = proto?.removeEventListener ?? target.removeEventListener;
const timers = {
  setTimeout: g.setTimeout as AnyFn | undefined,
  clearTimeout: g.clearTimeout as AnyFn | undefined,
  setInterval: g.setInterval as AnyFn | undefined,
  clearInterval: g.clearInterval as AnyFn | undefined,
  requestAnimationFrame: g.requestAnimationFrame as AnyFn | undefined,
  requestIdleCallback: g.requestIdleCallback as AnyFn | undefined,
  cancelIdleCallback: g.cancelIdleCallback as AnyFn | undefined,
  queueMicrotask: g.queueMicrotask as AnyFn | undefined,
};

const shields = new WeakMap<AnyFn, AnyFn>();
/** The same function, except that what it throws stays here. One shield per function (so it can be removed again). */
function shield<F>(fn: F): F {
  if (typeof fn !== 'function') return fn;
  let shielded = shields.get(fn as AnyFn);
  if (!shielded) {
    shielded = function (this: unknown, ...args: unknown[]) {
      try {
        return (fn as AnyFn).apply(this, args);
      } catch {
        return undefined; // never into the page
      }
    };
    shields.set(fn as AnyFn, shielded);
  }
  return shielded as F;
}

function call<R>(fn: AnyFn | undefined, self: unknown, args: unknown[], fallback: R): R {
  if (!fn) return fallback;
  try {
    return fn.apply(self, args) as R;
  } catch {
    return fallback;
  }
}

/** EventTarget#addEventListener on any target, as the browser made it. */
export function listen(on: EventTarget, type: string, listener: Listener, options?: boolean | AddEventListenerOptions): void {
  call(nativeAdd, on, [type, shield(listener), options], undefined);
}
export function unlisten(on: EventTarget, type: string, listener: Listener, options?: boolean | EventListenerOptions): void {
  call(nativeRemove, on, [type, shield(listener), options], undefined);
}

// Window-level versions with the globals' own signatures (what web-vitals is given).
export function addEventListener(type: string, listener: Listener, options?: boolean | AddEventListenerOptions): void {
  listen(target, type, listener, options);
}
export function removeEventListener(type: string, listener: Listener, options?: boolean | EventListenerOptions): void {
  unlisten(target, type, listener, options);
}
export function setTimeout(callback: AnyFn, ms?: number, ...args: unknown[]): ReturnType<typeof globalThis.setTimeout> {
  return call(timers.setTimeout, target, [shield(callback), ms, ...args], 0 as never);
}
export function clearTimeout(id: ReturnType<typeof globalThis.setTimeout> | undefined): void {
  call(timers.clearTimeout, target, [id], undefined);
}
export function setInterval(callback: AnyFn, ms?: number, ...args: unknown[]): ReturnType<typeof globalThis.setInterval> {
  return call(timers.setInterval, target, [shield(callback), ms, ...args], 0 as never);
}
export function clearInterval(id: ReturnType<typeof globalThis.setInterval> | undefined): void {
  call(timers.clearInterval, target, [id], undefined);
}
export function requestAnimationFrame(callback: FrameRequestCallback): number {
  if (!timers.requestAnimationFrame) return setTimeout(callback, 16) as unknown as number;
  return call(timers.requestAnimationFrame, target, [shield(callback)], 0);
}
/** requestIdleCallback where the browser has it, else a timeout (Safari). */
export function requestIdleCallback(callback: AnyFn, options?: { timeout?: number }): number {
  if (!timers.requestIdleCallback) return setTimeout(callback, 0) as unknown as number;
  return call(timers.requestIdleCallback, target, [shield(callback), options], 0);
}
export function cancelIdleCallback(id: number): void {
  if (!timers.cancelIdleCallback) return clearTimeout(id as never);
  call(timers.cancelIdleCallback, target, [id], undefined);
}
export function queueMicrotask(callback: () => void): void {
  if (!timers.queueMicrotask) return void Promise.resolve().then(shield(callback));
  call(timers.queueMicrotask, target, [shield(callback)], undefined);
}
