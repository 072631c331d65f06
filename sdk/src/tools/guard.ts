/**
 * Every handler the SDK installs runs inside guard(): a failure inside the SDK is reported as an
 * internal error and never thrown into the page. The time spent inside is the SDK's own overhead.
 */
export interface Guard {
  <A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R | undefined;
  /** Main-thread ms spent inside guarded handlers so far. */
  readonly overheadMs: number;
}

export function createGuard(report: (error: unknown) => void): Guard {
  let overhead = 0;
  let reporting = false;
  const wrap = (<A extends unknown[], R>(fn: (...args: A) => R) =>
    function guarded(this: unknown, ...args: A): R | undefined {
      const start = performance.now();
      try {
        return fn.apply(this, args);
      } catch (error) {
        if (!reporting) {
          reporting = true;
          try {
            report(error);
          } catch {
            // Nothing more can be done without risking the page.
          } finally {
            reporting = false;
          }
        }
        return undefined;
      } finally {
        overhead += performance.now() - start;
      }
    }) as Guard;
  Object.defineProperty(wrap, 'overheadMs', { get: () => overhead });
  return wrap;
}
