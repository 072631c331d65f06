/**
 * Unit tests only (vitest.config.ts aliases sdk/src/tools/safeGlobals here): the same API looking the globals
 * up at each call, so that fake timers and jsdom's window, installed after the SDK's modules load, apply.
 * The real module (which keeps the globals as they were at document_start) is tested in the browsers
 * (tests/e2e/capture-hostile-page.e2e.ts).
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
const g = globalThis as any;
type Listener = ((event: any) => unknown) | EventListenerObject;

export const listen = (on: EventTarget, type: string, listener: Listener, options?: boolean | AddEventListenerOptions) => on.addEventListener?.(type, listener as EventListener, options);
export const unlisten = (on: EventTarget, type: string, listener: Listener, options?: boolean | EventListenerOptions) => on.removeEventListener?.(type, listener as EventListener, options);
export const addEventListener = (type: string, listener: Listener, options?: boolean | AddEventListenerOptions) => g.addEventListener(type, listener, options);
export const removeEventListener = (type: string, listener: Listener, options?: boolean | EventListenerOptions) => g.removeEventListener(type, listener, options);
export const setTimeout = (callback: (...args: any[]) => any, ms?: number, ...args: unknown[]) => g.setTimeout(callback, ms, ...args);
export const clearTimeout = (id: unknown) => g.clearTimeout(id);
export const setInterval = (callback: (...args: any[]) => any, ms?: number, ...args: unknown[]) => g.setInterval(callback, ms, ...args);
export const clearInterval = (id: unknown) => g.clearInterval(id);
export const requestAnimationFrame = (callback: FrameRequestCallback) => (g.requestAnimationFrame ?? ((cb: any) => g.setTimeout(cb, 16)))(callback);
export const requestIdleCallback = (callback: (...args: any[]) => any, options?: { timeout?: number }) => (g.requestIdleCallback ?? ((cb: any) => g.setTimeout(cb, 0)))(callback, options);
export const cancelIdleCallback = (id: number) => (g.cancelIdleCallback ?? g.clearTimeout)(id);
export const queueMicrotask = (callback: () => void) => g.queueMicrotask(callback);
