import type { Guard } from './guard';

let supported: readonly string[] | undefined;

export const supportsEntryType = (type: string): boolean =>
  (supported ??= (typeof PerformanceObserver !== 'undefined' && PerformanceObserver.supportedEntryTypes) || []).includes(type);

/** A buffered PerformanceObserver for one entry type, guarded; does nothing where the type is unsupported. */
export function observePerformance<E extends PerformanceEntry>(type: string, guard: Guard, callback: (entry: E) => void) {
  if (!supportsEntryType(type)) return { stop() {} };
  const observer = new PerformanceObserver(guard((list: PerformanceObserverEntryList) => list.getEntries().forEach((e) => callback(e as E))));
  observer.observe({ type, buffered: true });
  return { stop: () => observer.disconnect() };
}
