import { describe, expect, it, vi } from 'vitest';
import { createGuard } from './guard';

describe('createGuard', () => {
  it('never throws into the caller and reports the error instead', () => {
    const report = vi.fn();
    const guard = createGuard(report);
    const failing = guard(() => {
      throw new TypeError('boom');
    });
    expect(() => failing()).not.toThrow();
    expect(failing()).toBeUndefined();
    expect(report).toHaveBeenCalledTimes(2);
    expect(report.mock.calls[0]![0]).toBeInstanceOf(TypeError);
  });

  it('survives a report that throws, and stops reporting a broken handler after 20 failures', () => {
    const report = vi.fn(() => {
      throw new Error('report failed too');
    });
    const guard = createGuard(report);
    const failing = guard(() => {
      throw new Error('boom');
    });
    for (let i = 0; i < 50; i++) expect(() => failing()).not.toThrow();
    expect(report).toHaveBeenCalledTimes(20);
  });

  it('passes arguments, this and results through', () => {
    const guard = createGuard(() => {});
    const add = guard(function (this: { base: number }, a: number) {
      return this.base + a;
    });
    expect(add.call({ base: 40 }, 2)).toBe(42);
  });

  it('counts main-thread time once for nested guarded calls', () => {
    let clock = 0;
    const guard = createGuard(() => {}, () => clock);
    const inner = guard(() => {
      clock += 5;
    });
    const outer = guard(() => {
      clock += 1;
      inner();
      clock += 1;
    });
    outer();
    expect(guard.overheadMs).toBe(7);
    inner();
    expect(guard.overheadMs).toBe(12);
  });

  it('counts the time of a call that threw', () => {
    let clock = 0;
    const guard = createGuard(() => {}, () => clock);
    guard(() => {
      clock += 3;
      throw new Error('x');
    })();
    expect(guard.overheadMs).toBe(3);
  });
});
