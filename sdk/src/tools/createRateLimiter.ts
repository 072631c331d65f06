/** A token bucket: `perSecond` refill, `burst` capacity. take() says whether one more may pass. */
export function createRateLimiter(perSecond: number, burst: number, now: () => number = () => performance.now()) {
  let tokens = burst;
  let at = now();
  return {
    take(): boolean {
      const t = now();
      tokens = Math.min(burst, tokens + ((t - at) / 1000) * perSecond);
      at = t;
      if (tokens < 1) return false;
      tokens--;
      return true;
    },
  };
}
