/**
 * The panel's parts that its first list paint does not need, each its own chunk, loaded when first shown: the
 * session detail (timeline, waterfall, HAR / cURL / bug report / Playwright exports), the replay player (rrweb's
 * Replayer, the largest), the cohorts view. The list, the filters, the search box and the KPI cards load with
 * the page. A failed load is not kept: showing the part again loads it again.
 */
import type { ReplayWindowQuery } from '../sdk/schema';

/** What the player reads before its first frame: the segment of the recording's first full snapshot, nothing more. */
export const FIRST_FRAME: ReplayWindowQuery = { at: 0, spanMs: 0 };

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let kept: Promise<T> | null = null;
  return () => {
    if (kept) return kept;
    const loading = load();
    kept = loading;
    loading.catch(() => kept === loading && (kept = null));
    return loading;
  };
}

export const loadSessionDetail = once(() => import('./components/SessionDetail.svelte'));
export const loadReplayPlayer = once(() => import('./components/ReplayPlayer.svelte'));
export const loadCohortsView = once(() => import('./dashboard/components/CohortsView.svelte'));
