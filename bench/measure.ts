/**
 * Main-thread CPU and heap of one page, through CDP on that page's target.
 *
 * CPU: `Performance.getMetrics` with the threadTicks time domain (CPU time of the renderer's main
 * thread, not wall time). ScriptDuration is time in JavaScript on that thread (the page's own, an
 * SDK's, and the extension's isolated-world content scripts, which run on the same thread);
 * TaskDuration is all the thread's task time (script, style, layout, parsing, GC, messages).
 * The counters keep accumulating across same-tab navigations, so a window is the difference of two
 * samples taken on the same CDP session.
 *
 * Heap: `HeapProfiler.collectGarbage` (twice), then `Runtime.getHeapUsage`: used bytes of the whole V8
 * isolate, which holds the page's main world and the extension's isolated world alike.
 */
import { heapSummary } from './heapSummary';
import type { CDPSession, Page } from 'playwright-core';

export interface CpuSample {
  /** ms of JavaScript on the main thread. */
  scriptMs: number;
  /** ms of all main-thread tasks. */
  taskMs: number;
  layoutMs: number;
  styleMs: number;
}

export interface Meter {
  sample(): Promise<CpuSample>;
  /** Used JS heap bytes after a forced full GC. */
  heapAfterGc(): Promise<number>;
  /** Where the heap goes (bench/heapSummary.ts): largest node types and constructors. */
  heapSummary(): Promise<string>;
  close(): Promise<void>;
}

export async function openMeter(page: Page): Promise<Meter> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  return {
    async sample() {
      const { metrics } = await cdp.send('Performance.getMetrics');
      const value = (name: string) => {
        const metric = metrics.find((m) => m.name === name);
        if (!metric) throw new Error(`CDP Performance metric ${name} missing`);
        return metric.value * 1000;
      };
      return {
        scriptMs: value('ScriptDuration'),
        taskMs: value('TaskDuration'),
        layoutMs: value('LayoutDuration'),
        styleMs: value('RecalcStyleDuration'),
      };
    },
    async heapAfterGc() {
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      return usedSize;
    },
    heapSummary: () => heapSummary(cdp),
    async close() {
      await cdp.detach().catch(() => {});
    },
  };
}

export const cpuDelta = (from: CpuSample, to: CpuSample): CpuSample => ({
  scriptMs: to.scriptMs - from.scriptMs,
  taskMs: to.taskMs - from.taskMs,
  layoutMs: to.layoutMs - from.layoutMs,
  styleMs: to.styleMs - from.styleMs,
});

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function summarize(values: number[]): Summary {
  if (!values.length) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, n: sorted.length };
}

/** Polls `read` until it returns the same value `stableReads` times in a row (or `timeoutMs` passes). */
export async function waitStable(read: () => Promise<number>, { intervalMs = 250, stableReads = 3, timeoutMs = 8000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  let same = 0;
  while (Date.now() < deadline && same < stableReads) {
    await new Promise((ok) => setTimeout(ok, intervalMs));
    const next = await read();
    same = next === last ? same + 1 : 0;
    last = next;
  }
  return last;
}
