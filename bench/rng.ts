/** Deterministic pseudo-random numbers (mulberry32) for the benchmarks' synthetic data, and a picker over them. */
export function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const picker = (rand: () => number) => <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
