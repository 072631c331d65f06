import { describe, expect, test } from 'vitest';
import { createStormGuard, gapMark } from './startRecorder';

const mutation = (adds: number) => ({ type: 3, data: { source: 0, adds: new Array(adds).fill({}), removes: [], texts: [], attributes: [] } });

describe('the mutation storm guard', () => {
  test('trips once mutated nodes in one second pass the limit, and counts per second', () => {
    const guard = createStormGuard(100);
    expect(guard.count(mutation(60), 1000)).toBe(false);
    expect(guard.count({ type: 3, data: { source: 1 } }, 1100)).toBe(false); // mouse moves do not count
    expect(guard.count(mutation(30), 1500)).toBe(false);
    expect(guard.count(mutation(60), 2100)).toBe(false); // a new second
    expect(guard.count(mutation(50), 2200)).toBe(true);
  });

  test('the gap is marked with rrweb custom records', () => {
    expect(gapMark('paused', 5)).toEqual({ type: 5, timestamp: 5, data: { tag: 'rumscope:paused', payload: { reason: 'mutation storm' } } });
  });
});
