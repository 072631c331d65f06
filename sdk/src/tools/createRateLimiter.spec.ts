import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './createRateLimiter';

describe('createRateLimiter', () => {
  it('lets a burst through, then the per-second rate', () => {
    let now = 0;
    const limiter = createRateLimiter(10, 5, () => now);
    const take = (n: number) => Array.from({ length: n }, () => limiter.take()).filter(Boolean).length;
    expect(take(8)).toBe(5);
    now = 500;
    expect(take(8)).toBe(5);
    now = 600;
    expect(take(8)).toBe(1);
    now = 10_000;
    expect(take(100)).toBe(5); // never more than the burst
  });
});
