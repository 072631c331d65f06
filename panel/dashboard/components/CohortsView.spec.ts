// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import type { CohortReport, SessionRecord } from '../../../sdk/schema';
import { charts } from '../../../tests/unit/support/fakeUplot';
import { makeSession } from '../../../tests/unit/support/sessionFixtures';
import { cohortsOver } from '../answerOver';
import CohortsView from './CohortsView.svelte';

vi.mock('uplot', () => import('../../../tests/unit/support/fakeUplot'));

let mounted: ReturnType<typeof mount> | null = null;
afterEach(() => {
  if (mounted) unmount(mounted);
  mounted = null;
  document.body.innerHTML = '';
  charts.length = 0;
});

const DAY = 24 * 3_600_000;
const MON = Date.UTC(2025, 11, 1, 12);
const s = (id: string, at: number, o: Partial<SessionRecord> & { errors?: number } = {}): SessionRecord => {
  const { errors = 0, ...rest } = o;
  const x = makeSession({ id, startedAt: at, lastEventAt: at + 120_000, ...rest });
  return { ...x, counts: { ...x.counts, errors, views: 2 } };
};
const sessions = [
  s('a', MON, { visitorId: 'v1', vitals: { LCP: { value: 1800, time: MON } } }),
  s('b', MON + DAY, { visitorId: 'v1', errors: 3, geo: { country: 'France', city: null, region: null }, vitals: { LCP: { value: 4200, time: MON } } }),
  s('c', MON + 5 * DAY, { visitorId: 'v2' }),
];

async function view(props: Partial<{ dimension: 'version' | 'weekday' | 'userType' | 'feature'; segment: 'country' | 'deviceType' | 'browser' | 'connection' }> = {}) {
  const report: CohortReport = await cohortsOver(sessions, {}, {}, MON + 6 * DAY);
  const calls: string[] = [];
  const target = document.createElement('div');
  document.body.append(target);
  mounted = mount(CohortsView, {
    target,
    props: {
      report,
      dimension: props.dimension ?? 'userType',
      ondimension: (d: string) => calls.push(`dimension:${d}`),
      feature: '',
      onfeature: (t: string) => calls.push(`feature:${t}`),
      segment: props.segment ?? 'country',
      onsegment: (d: string) => calls.push(`segment:${d}`),
    },
  });
  flushSync();
  await Promise.resolve();
  const cells = (selector: string) => [...target.querySelectorAll(selector)].map((e) => e.textContent!.trim());
  return { target, cells, calls };
}

describe('CohortsView', () => {
  it('shows new vs returning users side by side, and Web Vitals p75 and error rate by country with their ratings', async () => {
    const { target, cells } = await view();
    expect(cells('.cohort-table thead th')).toEqual(['Metric', 'New users', 'Returning users']);
    expect(cells('.cohort-table tr[data-metric="sessions"] td')).toEqual(['2', '1']);
    expect(cells('.cohort-table tr[data-metric="errorRate"] td')).toEqual(['0 %', '100 %']);
    expect(cells('.segment-table tbody th')).toEqual(['India', 'France']);
    expect(cells('.segment-table tr[data-segment="France"] td')).toEqual(['1', '100 %', '4,200 ms', '—', '—', '—', '—', '—']);
    expect(target.querySelector('.segment-table tr[data-segment="France"] td[data-col="LCP"]')!.className).toContain('poor');
    expect(cells('.segment-table tr[data-segment="India"] td[data-col="LCP"]')).toEqual(['1,800 ms']);
  });

  it('asks for another dimension, segment or feature as the user picks them', async () => {
    const { target, calls, cells } = await view({ dimension: 'feature' });
    expect(cells('p.muted')[0]).toMatch(/Type a URL/);
    const select = target.querySelector<HTMLSelectElement>('[data-testid="cohort-dimension"]')!;
    select.value = 'weekday';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    const input = target.querySelector<HTMLInputElement>('[data-testid="cohort-feature"]')!;
    input.value = ' checkout ';
    input.dispatchEvent(new Event('change', { bubbles: true }));
    const segment = target.querySelector<HTMLSelectElement>('[data-testid="segment-dimension"]')!;
    segment.value = 'browser';
    segment.dispatchEvent(new Event('change', { bubbles: true }));
    expect(calls).toEqual(['dimension:weekday', 'feature:checkout', 'segment:browser']);
  });
});
