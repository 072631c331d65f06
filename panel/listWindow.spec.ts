import { describe, expect, it } from 'vitest';
import { LIST_MAX_HEIGHT, listWindow, pageFor } from './listWindow';

const base = { rowHeight: 25, viewportHeight: 250, overscan: 5, maxHeight: LIST_MAX_HEIGHT };

/** Which row is drawn at the viewport's top pixel, as the browser would show the window's rows. */
function rowAtTop(w: ReturnType<typeof listWindow>, scrollTop: number, rowHeight = 25): number {
  return w.first + Math.floor((scrollTop - w.top) / rowHeight);
}

describe('listWindow', () => {
  it('renders the visible rows and the margin, each where the full list would have it', () => {
    expect(listWindow({ ...base, total: 100, scrollTop: 0 })).toEqual({ first: 0, end: 15, top: 0, height: 2500 });
    expect(listWindow({ ...base, total: 100, scrollTop: 1000 })).toEqual({ first: 35, end: 55, top: 875, height: 2500 });
    // The end: the last rows, not past them.
    expect(listWindow({ ...base, total: 100, scrollTop: 2250 })).toEqual({ first: 85, end: 100, top: 2125, height: 2500 });
    // A scroll position beyond the end (the list just got shorter) shows the end.
    expect(listWindow({ ...base, total: 20, scrollTop: 5000 })).toEqual({ first: 5, end: 20, top: 125, height: 500 });
  });

  it('renders nothing for an empty list, all of a short one', () => {
    expect(listWindow({ ...base, total: 0, scrollTop: 0 })).toEqual({ first: 0, end: 0, top: 0, height: 0 });
    expect(listWindow({ ...base, total: 3, scrollTop: 0 })).toEqual({ first: 0, end: 3, top: 0, height: 75 });
  });

  it('keeps a million rows within the height browsers draw, and reaches the first and the last row', () => {
    const total = 1_000_000;
    const top = listWindow({ ...base, total, scrollTop: 0 });
    expect(top.height).toBe(LIST_MAX_HEIGHT);
    expect(rowAtTop(top, 0)).toBe(0);
    const bottomScroll = LIST_MAX_HEIGHT - base.viewportHeight;
    const bottom = listWindow({ ...base, total, scrollTop: bottomScroll });
    expect(bottom.end).toBe(total);
    // The last row ends at the list's drawn end.
    expect(bottom.top + (bottom.end - bottom.first) * base.rowHeight).toBe(LIST_MAX_HEIGHT);
    expect(rowAtTop(bottom, bottomScroll)).toBe(total - base.viewportHeight / base.rowHeight);
    // Half-way down is half-way through the rows, and scrolling down never shows an earlier row.
    let last = -1;
    for (let scroll = 0; scroll <= bottomScroll; scroll += 99_991) {
      const w = listWindow({ ...base, total, scrollTop: scroll });
      expect(w.top).toBeLessThanOrEqual(scroll);
      expect(w.top + (w.end - w.first) * base.rowHeight).toBeGreaterThanOrEqual(scroll + base.viewportHeight);
      const row = rowAtTop(w, scroll);
      expect(row).toBeGreaterThanOrEqual(last);
      last = row;
    }
    const middle = listWindow({ ...base, total, scrollTop: bottomScroll / 2 });
    expect(Math.abs(rowAtTop(middle, bottomScroll / 2) - (total - 10) / 2)).toBeLessThan(2);
  });
});

describe('pageFor', () => {
  it('keeps the rows read while they hold the window, else reads rows around it', () => {
    expect(pageFor({ first: 10, end: 30 }, { offset: 0, count: 100 }, 100, 1000)).toBe(0);
    expect(pageFor({ first: 90, end: 110 }, { offset: 0, count: 100 }, 100, 1000)).toBe(50);
    expect(pageFor({ first: 0, end: 20 }, { offset: 50, count: 100 }, 100, 1000)).toBe(0);
    // Near the end: the last `limit` rows.
    expect(pageFor({ first: 980, end: 1000 }, { offset: 0, count: 100 }, 100, 1000)).toBe(900);
    // The rows read reach the end of the list: they hold it even when the count is not known yet.
    expect(pageFor({ first: 0, end: 15 }, { offset: 0, count: 3 }, 100, 3)).toBe(0);
  });
});
