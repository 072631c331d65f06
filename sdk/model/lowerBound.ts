/**
 * The first index of sorted `list` (ascending) whose value is >= `value`, or > `value` when `after`; `list.length` when
 * none is. For numbers and strings (compared with `<`, the order IndexedDB and a numeric sort give them).
 */
export function lowerBound<T extends number | string>(list: ArrayLike<T>, value: T, after = false): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < value || (after && list[mid] === value)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
