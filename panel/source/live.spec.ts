import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { live, type Visibility } from './live';
import type { SessionSource, SourceChange } from './SessionSource';

/** A change feed the test drives, and a visibility it switches. */
function harness() {
  const listeners = new Set<(c: SourceChange) => void>();
  let n = 0;
  const source: Pick<SessionSource, 'watchChanges'> = {
    watchChanges(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
  };
  const emit = (change: Omit<SourceChange, 'cursor'>) => listeners.forEach((l) => l({ cursor: String(++n), ...change }));
  let shown = true;
  const onVisibility = new Set<() => void>();
  const visibility: Visibility = {
    visible: () => shown,
    subscribe: (f) => (onVisibility.add(f), () => onVisibility.delete(f)),
  };
  const setShown = (value: boolean) => {
    shown = value;
    onVisibility.forEach((f) => f());
  };
  let reads = 0;
  const read = vi.fn(async () => ++reads);
  return { source, emit, visibility, setShown, read, listeners };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('live', () => {
  it('reads at once, then at most once per interval however many changes arrive', async () => {
    const h = harness();
    const values: number[] = [];
    live(h.source, h.read, (v) => values.push(v), { visibility: h.visibility, minIntervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(0);
    expect(values).toEqual([1]);

    for (let i = 0; i < 10; i++) {
      h.emit({ sessions: ['a'] });
      await vi.advanceTimersByTimeAsync(100);
    }
    // 10 changes within 1 s: one more read (at the end of the interval), not ten.
    expect(values).toEqual([1, 2]);
    h.emit({ sessions: ['a'] });
    await vi.advanceTimersByTimeAsync(999);
    expect(values).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(1);
    expect(values).toEqual([1, 2, 3]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.read).toHaveBeenCalledTimes(3); // nothing changed since: nothing read
  });

  it('ignores changes that do not concern it', async () => {
    const h = harness();
    live(h.source, h.read, () => {}, { visibility: h.visibility, concerns: (c) => !!c.storage });
    await vi.advanceTimersByTimeAsync(0);
    h.emit({ sessions: ['a'], events: ['a'], tabs: true });
    await vi.advanceTimersByTimeAsync(3000);
    expect(h.read).toHaveBeenCalledTimes(1);
    h.emit({ storage: true });
    await vi.advanceTimersByTimeAsync(3000);
    expect(h.read).toHaveBeenCalledTimes(2);
  });

  it('reads nothing while hidden, and catches up once when shown', async () => {
    const h = harness();
    live(h.source, h.read, () => {}, { visibility: h.visibility });
    await vi.advanceTimersByTimeAsync(0);
    h.setShown(false);
    for (let i = 0; i < 50; i++) {
      h.emit({ sessions: ['a'] });
      await vi.advanceTimersByTimeAsync(200);
    }
    expect(h.read).toHaveBeenCalledTimes(1);
    h.setShown(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.read).toHaveBeenCalledTimes(2);
    h.setShown(false);
    h.setShown(true);
    await vi.advanceTimersByTimeAsync(3000);
    expect(h.read).toHaveBeenCalledTimes(2); // shown again with nothing new: no read
  });

  it('stops: no read, no listener after unsubscribe; a failed read is reported and the next change retries', async () => {
    const h = harness();
    const errors: unknown[] = [];
    let fail = true;
    const stop = live(h.source, async () => {
      if (fail) throw new Error('closed');
      return 1;
    }, () => {}, { visibility: h.visibility, onError: (e) => errors.push(e) });
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(1);
    fail = false;
    h.emit({ tabs: true });
    await vi.advanceTimersByTimeAsync(1000);
    expect(errors).toHaveLength(1);
    stop();
    expect(h.listeners.size).toBe(0);
  });
});
