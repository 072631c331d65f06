import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLOCK_REFRESH_MS, live, sameValue, type Visibility } from './live';
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

describe('live reads of one source share a clock', () => {
  it('runs the reads a change concerns together and applies their answers together, once all have come', async () => {
    const h = harness();
    const applied: string[] = [];
    const slow = vi.fn(() => new Promise<string>((ok) => setTimeout(() => ok(`slow${slow.mock.calls.length}`), 300)));
    const fast = vi.fn(async () => `fast${fast.mock.calls.length}`);
    live(h.source, fast, (v) => applied.push(v), { visibility: h.visibility, concerns: (c) => !!c.sessions });
    live(h.source, slow, (v) => applied.push(v), { visibility: h.visibility, concerns: (c) => !!c.sessions });
    await vi.advanceTimersByTimeAsync(300);
    expect(applied).toEqual(['fast1', 'slow1']); // the first reads answer at once, each on its own

    h.emit({ sessions: ['a'] });
    await vi.advanceTimersByTimeAsync(700); // the refresh is due 1 s after the first reads
    expect(fast).toHaveBeenCalledTimes(2);
    expect(slow).toHaveBeenCalledTimes(2);
    expect(applied).toEqual(['fast1', 'slow1']); // the fast answer waits for the slow one
    await vi.advanceTimersByTimeAsync(300);
    expect(applied).toEqual(['fast1', 'slow1', 'fast2', 'slow2']);
  });

  it('refreshes at most once per interval however many reads and changes, and not while hidden', async () => {
    const h = harness();
    const reads = [vi.fn(async () => 1), vi.fn(async () => 2), vi.fn(async () => 3)];
    for (const read of reads) live(h.source, read, () => {}, { visibility: h.visibility });
    await vi.advanceTimersByTimeAsync(0);
    const ticks: number[] = [];
    const onTick = () => ticks.push(Date.now());
    reads[0]!.mockImplementation(async () => (onTick(), 1));
    for (let i = 0; i < 30; i++) {
      h.emit({ sessions: [`s${i}`] });
      await vi.advanceTimersByTimeAsync(100);
    }
    // 3 s of changes every 100 ms: a refresh a second, each reading all three.
    expect(ticks).toHaveLength(3);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]! - ticks[i - 1]!).toBeGreaterThanOrEqual(1000);
    expect(reads.map((r) => r.mock.calls.length)).toEqual([4, 4, 4]);
    h.setShown(false);
    for (let i = 0; i < 30; i++) {
      h.emit({ sessions: ['a'] });
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(reads.map((r) => r.mock.calls.length)).toEqual([4, 4, 4]);
  });

  it('a failing read is reported without holding back the others; a stopped read applies nothing', async () => {
    const h = harness();
    const errors: unknown[] = [];
    const values: number[] = [];
    let fail = false;
    live(h.source, async () => {
      if (fail) throw new Error('gone');
      return 0;
    }, () => {}, { visibility: h.visibility, onError: (e) => errors.push(e) });
    const stop = live(h.source, async () => 7, (v) => values.push(v), { visibility: h.visibility });
    live(h.source, async () => 8, (v) => values.push(v), { visibility: h.visibility });
    await vi.advanceTimersByTimeAsync(0);
    expect(values).toEqual([7, 8]);
    fail = true;
    h.emit({ sessions: ['a'] });
    stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(errors).toHaveLength(1);
    expect(values).toEqual([7, 8, 8]);
  });
});

describe('reads that follow the clock (a relative time range)', () => {
  it('are read again every CLOCK_REFRESH_MS with nothing changed, never while hidden, once when shown again', async () => {
    const h = harness();
    const moving = vi.fn(async () => Date.now());
    const still = vi.fn(async () => 0);
    live(h.source, moving, () => {}, { visibility: h.visibility, followsClock: true });
    live(h.source, still, () => {}, { visibility: h.visibility });
    await vi.advanceTimersByTimeAsync(CLOCK_REFRESH_MS - 1);
    expect(moving).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(moving).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(3 * CLOCK_REFRESH_MS);
    expect(moving).toHaveBeenCalledTimes(5);
    expect(still).toHaveBeenCalledTimes(1); // its answer does not move with the clock

    h.setShown(false);
    await vi.advanceTimersByTimeAsync(10 * CLOCK_REFRESH_MS);
    expect(moving).toHaveBeenCalledTimes(5);
    h.setShown(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(moving).toHaveBeenCalledTimes(6); // the time that passed while hidden: one catch-up
    await vi.advanceTimersByTimeAsync(CLOCK_REFRESH_MS - 1);
    expect(moving).toHaveBeenCalledTimes(6);
  });

  it('are read together: a change that concerns one reads all of them (answers of the same moment), at the refresh rate, not at the clock\'s', async () => {
    const h = harness();
    const start = Date.now();
    const at: Record<string, number[]> = { list: [], count: [], kpis: [], other: [] };
    const read = (name: string) => async () => void at[name]!.push(Date.now() - start);
    // The count is not concerned by a write to a row on screen; the list and the KPIs are.
    live(h.source, read('list'), () => {}, { visibility: h.visibility, followsClock: true, concerns: (c) => !!c.sessions });
    live(h.source, read('count'), () => {}, { visibility: h.visibility, followsClock: true, concerns: (c) => !!c.tabs });
    live(h.source, read('kpis'), () => {}, { visibility: h.visibility, followsClock: true, concerns: (c) => !!c.sessions });
    live(h.source, read('other'), () => {}, { visibility: h.visibility, concerns: (c) => !!c.storage });
    await vi.advanceTimersByTimeAsync(2_000);
    h.emit({ sessions: ['on-screen'] });
    await vi.advanceTimersByTimeAsync(0);
    // Read at once (the last refresh was over a second ago), well before the clock's next refresh, and together.
    expect(at.list).toEqual([0, 2_000]);
    expect(at.count).toEqual([0, 2_000]);
    expect(at.kpis).toEqual([0, 2_000]);
    expect(at.other).toEqual([0]);
    // The clock's refresh counts from the last time they were read.
    await vi.advanceTimersByTimeAsync(CLOCK_REFRESH_MS - 1);
    expect(at.count).toEqual([0, 2_000]);
    await vi.advanceTimersByTimeAsync(1);
    expect(at.list).toEqual([0, 2_000, 2_000 + CLOCK_REFRESH_MS]);
    expect(at.count).toEqual([0, 2_000, 2_000 + CLOCK_REFRESH_MS]);
    expect(at.kpis).toEqual([0, 2_000, 2_000 + CLOCK_REFRESH_MS]);
    expect(at.other).toEqual([0]);
  });
});

describe('sameValue', () => {
  it('compares plain values deeply', () => {
    expect(sameValue({ a: [1, { b: null }], c: 'x' }, { c: 'x', a: [1, { b: null }] })).toBe(true);
    expect(sameValue({ a: [1, 2] }, { a: [1, 3] })).toBe(false);
    expect(sameValue({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameValue([1], { 0: 1 })).toBe(false);
    expect(sameValue(null, {})).toBe(false);
    expect(sameValue(NaN, NaN)).toBe(true);
  });
});
