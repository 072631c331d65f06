/**
 * Runs the compaction of the search postings (storage/compactPostings.ts), in the background only (the panel and
 * its search Worker only read): a few seconds after writes stop (captured batches, imports), and once at start
 * after retention. Each transaction is bounded and the loop yields between them, stops when writes resume and
 * spends a bounded time per pass; what is left is taken by a later pass (scheduled at once when a pass ran out of
 * time, and anyway after the next writes or the next start). A failure is logged and never reaches the write path:
 * its transaction moved nothing, and the next trigger tries again.
 */
import type { RumscopeDb } from '../storage/db';
import { compactAllPostings, COMPACT_ROWS } from '../storage/compactPostings';

/** After a write, wait this long for more before compacting. */
export const COMPACT_AFTER_WRITES_MS = 5_000;
/** At most this long per pass (a Chrome service worker may be stopped in a long one; a stopped pass loses nothing). */
const PASS_BUDGET_MS = 10_000;

export interface CompactionDeps {
  db: RumscopeDb;
  delayMs?: number;
  budgetMs?: number;
  maxRows?: number;
}

export function startCompaction(deps: CompactionDeps) {
  const { db, delayMs = COMPACT_AFTER_WRITES_MS, budgetMs = PASS_BUDGET_MS, maxRows = COMPACT_ROWS } = deps;
  let running: Promise<unknown> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Set by a write, cleared when the writes have stopped for `delayMs`: a pass in progress gives way to them. */
  let writing = false;

  /** One pass after any pass in progress (passes never overlap). */
  const pass = (options: { budgetMs: number; yieldToWrites: boolean }) => {
    const next = running
      .catch(() => {})
      .then(() => compactAllPostings(db, { maxRows, budgetMs: options.budgetMs, ...(options.yieldToWrites ? { stop: () => writing } : {}) }));
    running = next;
    return next;
  };

  const schedule = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      writing = false;
      void run();
    }, delayMs);
  };

  /** A bounded pass now; never rejects. */
  const run = async (): Promise<void> => {
    try {
      const { done } = await pass({ budgetMs, yieldToWrites: true });
      if (!done && timer === undefined) schedule();
    } catch (error) {
      console.warn('[rumscope] could not compact the search postings; tried again after the next writes', error);
    }
  };

  return {
    run,
    /** A pass once the writes have stopped for a moment (each write puts it off). */
    afterWrite() {
      writing = true;
      schedule();
    },
    /** Test builds (the test-only command): compacts everything now, whatever the time; rejects on a failure. */
    runToEnd: () => pass({ budgetMs: Infinity, yieldToWrites: false }),
    stop() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
