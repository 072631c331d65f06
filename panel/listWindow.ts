/**
 * The rows of a virtualized list to put on screen: from the scroll position, which rows are visible (with a margin
 * of rows above and below), where the first of them sits and how tall the whole list is.
 *
 * A list taller than `maxHeight` pixels (browsers cap an element's height: Firefox near 17.9 million pixels, i.e.
 * ~700,000 rows of 25 px) is drawn `maxHeight` tall and the scroll position maps onto it proportionally: one pixel
 * of scroll then moves more than one pixel of rows, and the first row and the last are still reached exactly.
 */
export interface ListWindowInput {
  /** Rows in the whole list. */
  total: number;
  rowHeight: number;
  /** Pixels scrolled past the first row's top. */
  scrollTop: number;
  /** Pixels of rows on screen. */
  viewportHeight: number;
  /** Rows kept above and below the visible ones (keyboard moves and small scrolls need no new render). */
  overscan: number;
  maxHeight: number;
}

export interface ListWindow {
  /** First row to render, and one past the last. */
  first: number;
  end: number;
  /** Pixels from the list's top to the top of row `first`. */
  top: number;
  /** The list's drawn height. */
  height: number;
}

export const LIST_MAX_HEIGHT = 8_000_000;

export function listWindow({ total, rowHeight, scrollTop, viewportHeight, overscan, maxHeight }: ListWindowInput): ListWindow {
  if (total <= 0 || rowHeight <= 0) return { first: 0, end: 0, top: 0, height: 0 };
  const full = total * rowHeight;
  const height = Math.min(full, maxHeight);
  const viewport = Math.max(0, viewportHeight);
  const scroll = Math.max(0, Math.min(scrollTop, Math.max(0, height - viewport)));
  // Where the viewport's top is in the full list: the same at both ends, proportional between them.
  const range = height - viewport;
  const at = range > 0 ? (scroll / range) * Math.max(0, full - viewport) : 0;
  const visibleFirst = Math.min(total - 1, Math.floor(at / rowHeight));
  const visibleEnd = Math.min(total, Math.ceil((at + viewport) / rowHeight));
  const first = Math.max(0, visibleFirst - overscan);
  const end = Math.min(total, Math.max(visibleEnd, visibleFirst + 1) + overscan);
  // Row `visibleFirst` is drawn where the viewport shows it, the rows before it just above.
  const visibleTop = scroll - (at - visibleFirst * rowHeight);
  const top = Math.max(0, visibleTop - (visibleFirst - first) * rowHeight);
  return { first, end, top: Math.min(top, Math.max(0, height - (end - first) * rowHeight)), height };
}

/**
 * The rows to read for a window: the rows read already when they hold the window, else `limit` rows around it
 * (the window in their middle), within the list.
 */
export function pageFor(window: { first: number; end: number }, loaded: { offset: number; count: number }, limit: number, total: number): number {
  const covered = window.first >= loaded.offset && window.end <= loaded.offset + loaded.count;
  // The loaded rows reach the list's end: nothing more to read below them.
  const atEnd = loaded.offset + loaded.count >= total && window.first >= loaded.offset;
  if (covered || (atEnd && loaded.count > 0)) return loaded.offset;
  const spare = Math.max(0, limit - (window.end - window.first));
  return Math.max(0, Math.min(window.first - Math.floor(spare / 2), total - limit));
}
