/**
 * Replaces obj[name] with a wrapper built around the original (fetch, XHR, history, console).
 * stop() restores the original only if nobody wrapped it again on top of ours.
 */
export function instrumentMethod<T extends object, K extends keyof T>(
  obj: T,
  name: K,
  wrap: (original: T[K]) => T[K],
): { stop(): void } {
  try {
    const original = obj[name];
    if (typeof original !== 'function') return { stop() {} };
    const wrapper = wrap(original);
    obj[name] = wrapper;
    return {
      stop() {
        try {
          if (obj[name] === wrapper) obj[name] = original;
        } catch {
          // a page that made it read-only or a throwing accessor meanwhile: leave it
        }
      },
    };
  } catch {
    // Not writable, or an accessor that throws: not instrumented, and the page is left as it was.
    return { stop() {} };
  }
}
