import type uPlot from 'uplot';

export interface LazyPlot {
  setData(data: uPlot.AlignedData): void;
  destroy(): void;
}

/**
 * A uPlot chart in `el`, the library loaded on first use (not in the panel's first paint), as wide as its box
 * and following its width. `options` gets the loaded library (for its path builders); `data` is read once the
 * library is there. `onFail` is told when the library cannot load (the charts then show their figures' table).
 */
export function lazyPlot(
  el: HTMLElement,
  height: number,
  options: (lib: typeof uPlot) => Omit<uPlot.Options, 'width' | 'height'>,
  data: () => uPlot.AlignedData,
  onFail: () => void,
): LazyPlot {
  let cancelled = false;
  let chart: uPlot | null = null;
  let observer: ResizeObserver | null = null;
  import('uplot')
    .then(({ default: UPlot }) => {
      if (cancelled) return;
      chart = new UPlot({ width: Math.max(200, el.clientWidth || 600), height, ...options(UPlot) }, data(), el);
      if (typeof ResizeObserver === 'function') {
        observer = new ResizeObserver(() => chart?.setSize({ width: Math.max(200, el.clientWidth), height }));
        observer.observe(el);
      }
    })
    .catch(onFail);
  return {
    setData: (next) => chart?.setData(next),
    destroy() {
      cancelled = true;
      observer?.disconnect();
      chart?.destroy();
      chart = null;
    },
  };
}
