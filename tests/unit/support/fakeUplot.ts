/** uPlot's stand-in for jsdom specs (no canvas there): `vi.mock('uplot', () => import(<this file>))`; each chart's options and data are kept in `charts`. */
export interface FakeChart {
  opts: { height: number; series: { label?: string }[] };
  data: unknown[];
  destroyed: boolean;
  setData(data: unknown[]): void;
}

export const charts: FakeChart[] = [];

export default class FakeUplot implements FakeChart {
  opts: FakeChart['opts'];
  data: unknown[];
  destroyed = false;
  constructor(opts: never, data: unknown[], el: HTMLElement) {
    this.opts = opts;
    this.data = data;
    el.append(document.createElement('canvas'));
    charts.push(this);
  }
  setData(data: unknown[]) {
    this.data = data;
  }
  setSize() {}
  destroy() {
    this.destroyed = true;
  }
}
