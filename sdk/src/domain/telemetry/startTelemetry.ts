import type { LifeCycle } from '../../lifeCycle';
import { eventBase } from '../../tools/eventBase';
import type { Guard } from '../../tools/guard';
import type { ViewState } from '../view/startViewCollection';
import { setInterval, clearInterval } from '../../tools/safeGlobals';

export const TELEMETRY_INTERVAL_MS = 10_000;

/**
 * The SDK's own cost: main-thread ms spent in its handlers (guard.overheadMs) and events it dropped,
 * as increments since the last report: every 10 s when something changed, and when the page is hidden.
 */
export function startTelemetry(lifeCycle: LifeCycle, guard: Guard, view: ViewState, dropped: () => number) {
  let reportedOverhead = 0;
  let reportedDrops = 0;
  const report = guard((force: boolean) => {
    // Measured before this report's own cost, which lands in the next one.
    const overhead = guard.overheadMs;
    const drops = dropped();
    const overheadMs = Math.round((overhead - reportedOverhead) * 10) / 10;
    if (drops === reportedDrops && (overheadMs < 1 && !(force && overheadMs > 0))) return;
    reportedOverhead += overheadMs;
    lifeCycle.notify('rawEvent', { type: 'telemetry', ...eventBase(view.viewId), overheadMs, dropped: drops - reportedDrops });
    reportedDrops = drops;
  });
  const interval = setInterval(() => report(false), TELEMETRY_INTERVAL_MS);
  const unsubscribe = lifeCycle.subscribe('pageHide', () => report(true));
  return {
    stop() {
      clearInterval(interval);
      unsubscribe();
    },
  };
}
