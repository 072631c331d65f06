/**
 * Every handler the SDK installs runs inside guard(): a failure inside the SDK is reported as an
 * internal error and never thrown into the page. The time spent inside is the SDK's own overhead.
 * Nested guarded calls are timed once (only the outermost one counts).
 */
export interface Guard {
  <A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R | undefined;
  /** Main-thread ms spent inside guarded handlers so far. */
  readonly overheadMs: number;
}

/** Internal errors reported per page load at most: a broken handler on a hot path must not flood. */
const MAX_REPORTS = 20;

export function createGuard(report: (error: unknown) => void, now: () => number = () => performance.now()): Guard {
  let overhead = 0;
  let depth = 0;
  let reports = 0;
  const wrap = (<A extends unknown[], R>(fn: (...args: A) => R) =>
    function guarded(this: unknown, ...args: A): R | undefined {
      const start = depth++ ? 0 : now();
      try {
        return fn.apply(this, args);
      } catch (error) {
        if (reports++ < MAX_REPORTS) {
          try {
            report(error);
          } catch {
            // Nothing more can be done without risking the page.
          }
        }
        return undefined;
      } finally {
        if (!--depth) overhead += now() - start;
      }
    }) as Guard;
  Object.defineProperty(wrap, 'overheadMs', { get: () => overhead });
  return wrap;
}
