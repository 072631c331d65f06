import type { LoadRecord } from './repository';

const newest = (loads: LoadRecord[]) => loads.reduce<LoadRecord | undefined>((a, b) => (!a || b.startedAt >= a.startedAt ? b : a), undefined);

/**
 * The tab's current load, from the loads of one tab: its newest top-frame load, else (no top page recorded
 * yet) its newest load of any frame. Its `sessionId` is '' when that session was deleted: the tab then has
 * no current session until the page's next activity starts one.
 */
export function currentLoad(loads: LoadRecord[]): LoadRecord | undefined {
  return newest(loads.filter((load) => load.frameId === 0)) ?? newest(loads);
}

/** The tab's current session id, or null (nothing recorded in it, or its session was deleted). */
export function currentSessionId(loads: LoadRecord[]): string | null {
  return currentLoad(loads)?.sessionId || null;
}
