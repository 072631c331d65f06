// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount, type Component } from 'svelte';
import type { FacetCounts, KpiDay, SessionFilter } from '../../../sdk/schema';
import { charts } from '../../../tests/unit/support/fakeUplot';
import { makeSession } from '../../../tests/unit/support/sessionFixtures';
import { events } from '../../../tests/unit/support/detailFixtures';
import { waterfallRows } from '../detail/waterfall';
import { facetCounts } from '../filter';
import { comparison, computeKpis } from '../kpis';
import { createSearchIndex } from '../searchIndex';
import FilterBar from './FilterBar.svelte';
import KpiCards from './KpiCards.svelte';
import SearchBox from './SearchBox.svelte';
import TrendChart from './TrendChart.svelte';
import Waterfall from './Waterfall.svelte';

vi.mock('uplot', () => import('../../../tests/unit/support/fakeUplot'));

let mounted: ReturnType<typeof mount>[] = [];
afterEach(() => {
  for (const m of mounted) unmount(m);
  mounted = [];
  document.body.innerHTML = '';
  charts.length = 0;
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function render<P extends Record<string, any>>(component: Component<P>, props: P) {
  const target = document.createElement('div');
  document.body.append(target);
  mounted.push(mount(component, { target, props }));
  flushSync();
  return target;
}

const NOW = Date.UTC(2025, 11, 5, 13);
const sessions = [
  makeSession({ id: 'a', startedAt: NOW - 60_000, lastEventAt: NOW }),
  makeSession({ id: 'b', startedAt: NOW - 120_000, lastEventAt: NOW, browser: { name: 'Firefox', version: '140' } }),
  makeSession({ id: 'c', startedAt: NOW - 3 * 3_600_000, lastEventAt: NOW, geo: { country: 'France', city: 'Paris', region: null } }),
];

describe('FilterBar', () => {
  function bar(filter: SessionFilter, counts: FacetCounts = facetCounts(sessions, filter, NOW)) {
    const changes: SessionFilter[] = [];
    const target = render(FilterBar, { filter, counts, onchange: (f: SessionFilter) => changes.push(f), views: [{ id: 'short', label: 'Short sessions (< 1 min)', filter: { duration: { preset: 'short' } } }] });
    return { target, changes };
  }
  const change = (el: Element, value: string) => {
    (el as HTMLInputElement).value = value;
    el.dispatchEvent(new Event('change', { bubbles: true }));
  };

  it('shows each widget with the values present and their counts', () => {
    const { target } = bar({});
    const options = (name: string) => [...target.querySelectorAll(`[data-filter="${name}"] option`)].map((o) => o.textContent);
    expect(options('time')).toEqual(['All time', 'Past 15 minutes (2)', 'Past hour (2)', 'Past 6 hours (3)', 'Past 24 hours (3)', 'Past 7 days (3)', 'Past 30 days (3)', 'Custom range…']);
    expect(options('errors')).toEqual(['Any', 'No errors (= 0) (3)', 'With errors (> 0) (0)', 'Many errors (> 5) (0)', 'More than 10 (> 10) (0)', 'Custom…']);
    expect(options('duration')).toEqual(['Any', 'Short (< 1 min) (0)', 'Medium (1–10 min) (2)', 'Long (> 10 min) (1)', 'Custom…']);
    const facet = (key: string) => [...target.querySelectorAll(`[data-facet="${key}"] li label`)].map((l) => l.textContent?.replace(/\s+/g, ' ').trim());
    expect(facet('country')).toEqual(['India 2', 'France 1']);
    expect(facet('browser')).toEqual(['Chrome 2', 'Firefox 1']);
    expect(target.querySelector('[data-testid="filter-total"]')?.textContent).toBe('3 sessions');
    expect(target.querySelector('.clear')).toBeNull();
  });

  it('lists the 50 most frequent values of a facet and the selected ones, and all of them on "Show all"', () => {
    const emails = Array.from({ length: 120 }, (_, i) => ({ value: `user${String(i).padStart(3, '0')}@shop.test`, count: 200 - i }));
    const base = facetCounts(sessions, {}, NOW);
    const counts = { ...base, facets: { ...base.facets, userEmail: emails } };
    const { target } = bar({ userEmail: ['user110@shop.test'] }, counts);
    const listed = () => [...target.querySelectorAll('[data-facet="userEmail"] li input')].map((i) => (i as HTMLInputElement).value);
    expect(listed()).toEqual([...emails.slice(0, 50).map((e) => e.value), 'user110@shop.test']);
    const more = target.querySelector('[data-facet="userEmail"] [data-testid="facet-show-all"]') as HTMLButtonElement;
    expect(more.textContent?.trim()).toBe('Show all (69 more)');
    more.click();
    flushSync();
    expect(listed()).toEqual(emails.map((e) => e.value));
    expect(target.querySelector('[data-facet="userEmail"] [data-testid="facet-show-all"]')).toBeNull();
    // A short facet has no button.
    expect(target.querySelector('[data-facet="country"] [data-testid="facet-show-all"]')).toBeNull();
  });

  it.each<[string, (t: HTMLElement) => void, SessionFilter]>([
    ['a time preset', (t) => change(t.querySelector('[data-filter="time"]')!, '1h'), { country: ['India'], time: { preset: '1h' } }],
    ['an error preset', (t) => change(t.querySelector('[data-filter="errors"]')!, 'many'), { country: ['India'], errors: { preset: 'many' } }],
    ['a duration preset', (t) => change(t.querySelector('[data-filter="duration"]')!, 'long'), { country: ['India'], duration: { preset: 'long' } }],
    ['an email', (t) => change(t.querySelector('[data-filter="email"]')!, ' root@ '), { country: ['India'], userEmailContains: 'root@' }],
    ['a second country', (t) => (t.querySelector('[data-facet="country"] input[value="France"]') as HTMLInputElement).click(), { country: ['India', 'France'] }],
    ['unticking the country', (t) => (t.querySelector('[data-facet="country"] input[value="India"]') as HTMLInputElement).click(), {}],
    ['a browser', (t) => (t.querySelector('[data-facet="browser"] input[value="Firefox"]') as HTMLInputElement).click(), { country: ['India'], browser: ['Firefox'] }],
    ['clear', (t) => (t.querySelector('.clear') as HTMLButtonElement).click(), {}],
    ['a quality view', (t) => (t.querySelector('[data-view="short"]') as HTMLButtonElement).click(), { duration: { preset: 'short' } }],
  ])('reports %s as a whole new filter', (_, act, expected) => {
    const { target, changes } = bar({ country: ['India'] });
    act(target);
    expect(changes).toEqual([expected]);
  });

  it('edits custom ranges', () => {
    const { target, changes } = bar({ errors: { preset: 'custom', min: 1, max: null }, duration: { preset: 'custom', minMs: null, maxMs: null } });
    change(target.querySelector('[data-filter="errors-max"]')!, '4');
    change(target.querySelector('[data-filter="duration-min"]')!, '2');
    expect(changes).toEqual([
      { errors: { preset: 'custom', min: 1, max: 4 }, duration: { preset: 'custom', minMs: null, maxMs: null } },
      { errors: { preset: 'custom', min: 1, max: null }, duration: { preset: 'custom', minMs: 120_000, maxMs: null } },
    ]);
  });

  it('keeps a selected value listed when no session has it', () => {
    const { target } = bar({ country: ['Peru'] });
    const labels = [...target.querySelectorAll('[data-facet="country"] li label')].map((l) => l.textContent?.replace(/\s+/g, ' ').trim());
    expect(labels).toContain('Peru 0');
    expect(target.querySelector('[data-facet="country"] summary')?.textContent).toBe('Country: Peru');
  });
});

describe('KpiCards', () => {
  it('shows the KPIs with their spec bands and the change against the previous period', () => {
    const current = computeKpis(
      [makeSession({ id: 'x', counts: { ...makeSession().counts, errors: 1, views: 3 } }), makeSession({ id: 'y', counts: { ...makeSession().counts, views: 1 } })],
      () => ({ LCP: 2600 }),
    );
    const previous = computeKpis([makeSession({ id: 'z', counts: { ...makeSession().counts, views: 1 } })]);
    const { delta } = comparison(current, previous, { from: 0, to: 1, previousFrom: -1, previousTo: 0 });
    const target = render(KpiCards, { kpis: current, delta });
    const card = (id: string) => target.querySelector(`[data-kpi="${id}"]`)!;
    const text = (id: string) => card(id).textContent?.replace(/\s+/g, ' ').trim();
    expect(text('sessions')).toBe('Total sessions 2 +1 vs previous period');
    expect(text('duration')).toBe('Average session duration 5.18 min High engagement ±0 s vs previous period');
    expect(text('errorRate')).toBe('Error rate 50 % Critical issues +50.0 pts vs previous period');
    expect(card('errorRate').classList.contains('bad')).toBe(true);
    expect(card('errorRate').querySelector('.delta')!.classList.contains('worse')).toBe(true);
    expect(text('pages')).toBe('Pages per session 2.0 Normal browsing +1.0 vs previous period');
    expect(card('pages').classList.contains('good')).toBe(true);
    expect(target.querySelector('[data-vital="LCP"]')?.textContent?.replace(/\s+/g, ' ').trim()).toBe('LCP p75 2,600 ms Needs improvement');
    expect(target.querySelector('[data-vital="CLS"]')).toBeNull();
  });

  it('shows dashes over no sessions', () => {
    const target = render(KpiCards, { kpis: computeKpis([]) });
    expect(target.querySelector('[data-kpi="errorRate"] .value')?.textContent).toBe('—');
    expect(target.querySelector('[data-kpi="errorRate"] .band')).toBeNull();
    expect(target.querySelector('.delta')).toBeNull();
  });
});

describe('TrendChart', () => {
  const days: KpiDay[] = [
    { dayStart: Date.UTC(2025, 11, 1), sessions: 4, errorSessions: 1, avgDurationMs: 60_000, pagesPerSession: 2, errorRate: 0.25 },
    { dayStart: Date.UTC(2025, 11, 2), sessions: 2, errorSessions: 0, avgDurationMs: 30_000, pagesPerSession: 1, errorRate: 0 },
  ];

  it('draws the metric per day with the chart library, with the figures as a table', async () => {
    const target = render(TrendChart, { days, metric: 'errorRate' });
    await vi.waitFor(() => expect(charts).toHaveLength(1));
    expect(charts[0]!.data).toEqual([[days[0]!.dayStart / 1000, days[1]!.dayStart / 1000], [0.25, 0]]);
    expect(charts[0]!.opts.series[1]!.label).toBe('Error rate');
    expect(target.querySelector('canvas')).not.toBeNull();
    expect([...target.querySelectorAll('.figures tbody tr')].map((r) => r.textContent)).toEqual(['Dec 1' + '25 %', 'Dec 2' + '0 %']);
  });

  it('destroys the chart when unmounted', async () => {
    render(TrendChart, { days });
    await vi.waitFor(() => expect(charts).toHaveLength(1));
    unmount(mounted.pop()!);
    expect(charts[0]!.destroyed).toBe(true);
  });
});

describe('Waterfall', () => {
  it('draws a row per entry with timing columns and phase bars, and offers cURL for API calls', () => {
    const copied: string[] = [];
    const w = waterfallRows(events);
    const target = render(Waterfall, { waterfall: w, oncopycurl: (key: string) => copied.push(key) });
    const rows = [...target.querySelectorAll('tbody tr[data-row]')];
    expect(rows).toHaveLength(3);
    const cells = (r: Element) => [...r.querySelectorAll('td')].slice(0, 10).map((c) => c.textContent?.trim());
    expect(cells(rows[0]!)).toEqual(['http://127.0.0.1:5173/app.js', 'script', '', '2.05 KB', '1 ms', '2 ms', '0 ms', '30 ms', '7 ms', '50 ms']);
    expect(cells(rows[1]!).slice(4, 9)).toEqual(['—', '—', '—', '—', '—']);
    expect(rows[2]!.classList.contains('failed')).toBe(true);
    expect([...rows[2]!.querySelectorAll('[data-phase]')].map((p) => p.getAttribute('data-phase'))).toEqual(['queue', 'dns', 'connect', 'tls', 'request', 'response']);
    const bar = rows[2]!.querySelector<HTMLElement>('[data-phase="queue"]')!;
    expect(parseFloat(bar.style.left)).toBeCloseTo((4_800 / w.span) * 100, 3);
    expect(rows[0]!.querySelector('button')).toBeNull();
    rows[2]!.querySelector('button')!.click();
    expect(copied).toEqual([w.rows[2]!.key]);
  });

  it('says when there is nothing', () => {
    const target = render(Waterfall, { waterfall: waterfallRows([]) });
    expect(target.querySelector('tbody')?.textContent?.trim()).toBe('No resources or API calls recorded.');
  });
});

describe('SearchBox', () => {
  it('searches at once, then at most once per interval while typing (the last text always), at once on Enter, and shows hits with highlighted snippets', async () => {
    vi.useFakeTimers();
    try {
      const index = createSearchIndex();
      index.addEvents('s1', events);
      const asked: string[] = [];
      const selected: string[] = [];
      const target = render(SearchBox, {
        value: 'declined',
        hits: index.search('cannot read'),
        onsearch: (text: string) => asked.push(text),
        onselect: (id: string) => selected.push(id),
        intervalMs: 100,
      });
      const input = target.querySelector('input')!;
      const type = (text: string) => {
        input.value = text;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      };
      // A paste or the first key after a pause: asked at once, not after a delay.
      type('c');
      expect(asked).toEqual(['c']);
      type('ca');
      type('car');
      vi.advanceTimersByTime(99);
      expect(asked).toEqual(['c']);
      vi.advanceTimersByTime(1);
      expect(asked).toEqual(['c', 'car']);
      // Nothing typed meanwhile: nothing more is asked, and the next key after the pause is asked at once.
      vi.advanceTimersByTime(500);
      expect(asked).toEqual(['c', 'car']);
      type('cart');
      expect(asked).toEqual(['c', 'car', 'cart']);
      // Enter asks at once, and what was held back is not asked after it.
      type('carte');
      input.value = 'card';
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      vi.advanceTimersByTime(500);
      expect(asked).toEqual(['c', 'car', 'cart', 'card']);
      expect(target.querySelector('[data-testid="search-count"]')?.textContent).toBe('1 session');
      expect([...target.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['Cannot', 'read', 'reading']);
      (target.querySelector('[data-session-id="s1"]') as HTMLButtonElement).click();
      expect(selected).toEqual(['s1']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('counts the hits it was given, and says "+" when they reach the most asked for (more sessions match)', () => {
    const hits = (n: number) => Array.from({ length: n }, (_, i) => ({ sessionId: `s${i}`, score: n - i, snippets: [] }));
    const count = (n: number, limit?: number) =>
      render(SearchBox, { value: 'cart', hits: hits(n), onsearch: () => {}, ...(limit && { limit }) }).querySelector('[data-testid="search-count"]')?.textContent;
    expect(count(999, 1_000)).toBe('999 sessions');
    expect(count(1_000, 1_000)).toBe('1,000+ sessions');
    expect(count(1_000)).toBe('1,000 sessions');
    expect(count(1, 1_000)).toBe('1 session');
  });
});
