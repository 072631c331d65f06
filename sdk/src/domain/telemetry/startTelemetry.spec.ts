import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RumEvent, TelemetryEvent } from '../../../schema';
import { createLifeCycle } from '../../lifeCycle';
import { createGuard } from '../../tools/guard';
import { startTelemetry, TELEMETRY_INTERVAL_MS } from './startTelemetry';

let clock = 0;
beforeEach(() => {
  vi.useFakeTimers();
  clock = 0;
});
afterEach(() => vi.useRealTimers());

function setup() {
  const guard = createGuard(() => {}, () => clock);
  const lifeCycle = createLifeCycle(() => {});
  const out: RumEvent[] = [];
  lifeCycle.subscribe('rawEvent', (e) => out.push(e));
  let dropped = 0;
  const telemetry = startTelemetry(lifeCycle, guard, { viewId: 'v', url: '', referrer: '' }, () => dropped);
  const work = (ms: number) => guard(() => void (clock += ms))();
  return { lifeCycle, out: () => out as TelemetryEvent[], work, drop: (n: number) => (dropped += n), stop: telemetry.stop };
}

describe('telemetry: the SDK reports its own cost', () => {
  it('reports main-thread ms and drops as increments, only when something changed', () => {
    const t = setup();
    t.work(12.34);
    vi.advanceTimersByTime(TELEMETRY_INTERVAL_MS);
    expect(t.out()).toMatchObject([{ type: 'telemetry', overheadMs: 12.3, dropped: 0 }]);
    vi.advanceTimersByTime(TELEMETRY_INTERVAL_MS); // idle: nothing new, nothing sent
    expect(t.out()).toHaveLength(1);
    t.work(0.5);
    t.drop(7);
    vi.advanceTimersByTime(TELEMETRY_INTERVAL_MS);
    expect(t.out()[1]).toMatchObject({ overheadMs: 0.5, dropped: 7 });
    // The sum of the increments is what was measured (the background adds them up).
    expect(t.out().reduce((sum, e) => sum + e.overheadMs, 0)).toBeCloseTo(12.8, 1);
    t.stop();
  });

  it('reports what is left when the page is hidden, however small', () => {
    const t = setup();
    t.work(0.3);
    t.lifeCycle.notify('pageHide', { persisted: false });
    expect(t.out()).toMatchObject([{ overheadMs: 0.3 }]);
    t.stop();
  });
});
