// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import App from '../../panel/App.svelte';
import { RumscopeDb } from '../storage/db';
import { createDexieSessionSource } from './dexieSessionSource';
import { CLOCK_REFRESH_MS } from '../../panel/source/live';
import { base, makeLoad, makeSession, stored } from '../../tests/unit/support/sessionFixtures';

/** The panel loads its session detail and cohorts on demand (a chunk each): on a loaded machine that import alone can take more than vi.waitFor's default second. */
const waitFor = <T>(check: () => T) => vi.waitFor(check, { timeout: 10_000, interval: 20 });

let app: ReturnType<typeof mount> | null = null;
let dbs: RumscopeDb[] = [];

afterEach(async () => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
  for (const db of dbs) db.close();
  for (const db of dbs) await RumscopeDb.delete(db.name);
  dbs = [];
});

async function render(name: string, tabId: number | null, pageSize?: number) {
  const writer = new RumscopeDb(name);
  const reader = new RumscopeDb(name);
  dbs = [writer, reader];
  const target = document.createElement('div');
  document.body.append(target);
  const source = createDexieSessionSource(reader);
  app = mount(App, { target, props: { source, refreshMs: 50, tabId, timeZone: 'Asia/Kolkata', pageSize } });
  return { writer, target, source };
}

const rows = (target: HTMLElement) => [...target.querySelectorAll<HTMLTableRowElement>('tbody tr[data-session-id]')];

describe('Sessions panel', () => {
  it('lists sessions with the spec columns, marks the tab session, follows the database', async () => {
    const { writer, target } = await render('app-list', 7);
    expect([...target.querySelectorAll('section.list thead th')].map((th) => th.textContent?.trim())).toEqual([
      'Timestamp',
      'User Email',
      'Time Spent',
      'Error Count',
      'Location',
      '▶',
    ]);

    await writer.sessions.bulkPut([
      makeSession({ id: 's1', user: { email: 'root@example.com' }, counts: { ...makeSession().counts, errors: 4 } }),
      makeSession({ id: 's0', startedAt: Date.UTC(2025, 11, 4), lastEventAt: Date.UTC(2025, 11, 4) + 42_000 }),
    ]);
    await writer.loads.put(makeLoad({ sessionId: 's1' }));
    await writer.tabStats.put({ tabId: 7, dropped: 3, reasons: { forged: 3 }, updatedAt: 1 });

    await waitFor(() => expect(rows(target).map((r) => r.dataset.sessionId)).toEqual(['s1', 's0']));
    await waitFor(() => expect(rows(target)[0]!.classList.contains('current')).toBe(true));
    const first = [...rows(target)[0]!.cells].map((c) => c.textContent?.trim());
    expect(first.slice(0, 5)).toEqual(['Dec 5, 2025 17:42:20 +05:30 ● this tab', 'root@example.com', '5.18 min', '4', '🇮🇳 India - Unknown · Chrome · Mac OS X']);
    expect(rows(target)[1]!.classList.contains('current')).toBe(false);
    expect(rows(target)[1]!.cells[2]!.textContent).toBe('42 s');
    await waitFor(() =>
      expect(target.querySelector('[data-testid="dropped-count"]')?.textContent?.trim()).toBe('Blocked messages from this tab: 3'),
    );

    await writer.sessions.put(makeSession({ id: 's2', startedAt: Date.UTC(2025, 11, 6) }));
    await waitFor(() => expect(rows(target).map((r) => r.dataset.sessionId)).toEqual(['s2', 's1', 's0']));
  });

  it('opens a session detail with overhead, vitals and a live timeline', async () => {
    const { writer, target } = await render('app-detail', null);
    await writer.sessions.put(makeSession({ overheadMs: 12, counts: { ...makeSession().counts, views: 1, errors: 1 } }));
    await writer.events.bulkPut([
      stored({ ...base(1_000), type: 'view', url: 'http://127.0.0.1:5173/cart', referrer: '', title: 'Cart', navigation: 'initial', loadingTime: 300 }),
      stored({ ...base(2_000), type: 'vital', name: 'FID', value: null, supported: false, rating: null }),
      stored({ ...base(3_000), type: 'api', via: 'fetch', method: 'POST', url: '/api/pay', status: 500, duration: 87, requestSize: null, responseSize: null, timing: null }),
    ]);
    expect(target.querySelector('[data-testid="dropped-count"]')).toBeNull();

    await waitFor(() => expect(rows(target)).toHaveLength(1));
    rows(target)[0]!.click();
    flushSync();
    await waitFor(() => expect(target.querySelector('[data-testid="overhead"]')?.textContent).toBe('Rumscope overhead: 12 ms'));
    expect(rows(target)[0]!.classList.contains('selected')).toBe(true);

    const detail = target.querySelector('.session-detail')!;
    expect(detail.textContent).toContain('s1');
    expect(detail.querySelector('[data-vital="FID"]')?.textContent).toBe('not supported');
    await waitFor(() => expect(detail.querySelectorAll('.timeline li')).toHaveLength(3));
    expect(detail.querySelector('.timeline .view')?.textContent).toContain('http://127.0.0.1:5173/cart');
    expect(detail.querySelector('.timeline .api')?.textContent).toContain('500');

    await writer.events.put(
      stored({ ...base(1_500), type: 'error', source: 'uncaught', errorType: 'TypeError', message: 'boom', stack: 'TypeError: boom\n  at pay (app.js:1:2)', frames: [] }),
    );
    await waitFor(() => expect(detail.querySelectorAll('.timeline li')).toHaveLength(4));
    expect([...detail.querySelectorAll('.timeline li')].map((li) => li.classList[1])).toEqual(['view', 'error', 'vital', 'api']);
    expect(detail.querySelector('.timeline .error pre')?.textContent).toContain('at pay');

    (target.querySelector('.close') as HTMLButtonElement).click();
    flushSync();
    expect(target.querySelector('.session-detail')).toBeNull();
  });

  it('sorts by a column header, moves between rows with the arrow keys; a screenful wider than a read is read whole', async () => {
    // Reads of 2 rows asked: the list reads at least the rows it shows.
    const { writer, target } = await render('app-pages', null, 2);
    const errors = (n: number) => ({ ...makeSession().counts, errors: n });
    await writer.sessions.bulkPut([
      makeSession({ id: 'a', startedAt: 1_000, counts: errors(5) }),
      makeSession({ id: 'b', startedAt: 2_000, counts: errors(0) }),
      makeSession({ id: 'c', startedAt: 3_000, counts: errors(9) }),
    ]);
    const ids = () => rows(target).map((r) => r.dataset.sessionId);
    await waitFor(() => expect(ids()).toEqual(['c', 'b', 'a']));
    expect(rows(target).map((r) => r.dataset.index)).toEqual(['0', '1', '2']);
    expect(target.querySelector('[data-testid="session-count"]')?.textContent).toBe('3 stored');
    // No pages: the list scrolls (its window of rows is checked in real browsers, tests/e2e/session-list-scroll.e2e.ts).
    expect(target.querySelector('[data-testid="page-older"]')).toBeNull();

    const header = (key: string) => target.querySelector<HTMLElement>(`thead th[data-sort-key="${key}"]`)!;
    expect(header('startedAt').getAttribute('aria-sort')).toBe('descending');
    header('errors').querySelector('button')!.click();
    await waitFor(() => expect(ids()).toEqual(['c', 'a', 'b'])); // most errors first
    expect(header('errors').getAttribute('aria-sort')).toBe('descending');
    header('errors').querySelector('button')!.click();
    await waitFor(() => expect(ids()).toEqual(['b', 'a', 'c']));
    expect(header('errors').getAttribute('aria-sort')).toBe('ascending');

    rows(target)[0]!.focus();
    rows(target)[0]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    expect(document.activeElement).toBe(rows(target)[1]);
    rows(target)[1]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }));
    await waitFor(() => expect(document.activeElement).toBe(rows(target)[2]));
    rows(target)[2]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true }));
    await waitFor(() => expect(document.activeElement).toBe(rows(target)[0]));
    rows(target)[0]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    rows(target)[1]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    flushSync();
    await waitFor(() => expect(target.querySelector('.session-detail')?.getAttribute('data-session-id')).toBe('a'));
  });

  it('reads in proportion to what changed: a row on screen is re-read alone, the window and count only for a new session', async () => {
    const writer = new RumscopeDb('app-proportional');
    const reader = new RumscopeDb('app-proportional');
    dbs = [writer, reader];
    await writer.sessions.bulkPut([makeSession({ id: 'a', startedAt: 1_000 }), makeSession({ id: 'b', startedAt: 2_000 })]);
    const source = createDexieSessionSource(reader);
    const list = vi.spyOn(source, 'listSessions');
    const count = vi.spyOn(source, 'countSessions');
    const get = vi.spyOn(source, 'getSession');
    const target = document.createElement('div');
    document.body.append(target);
    app = mount(App, { target, props: { source, refreshMs: 20, tabId: null, timeZone: 'UTC' } });
    await waitFor(() => expect(rows(target)).toHaveLength(2));
    await waitFor(() => expect(target.querySelector('[data-testid="session-count"]')?.textContent).toBe('2 stored'));
    const [lists, counts] = [list.mock.calls.length, count.mock.calls.length];

    for (let i = 1; i <= 3; i++) {
      await writer.sessions.update('b', { 'counts.errors': i });
      await waitFor(() => expect(rows(target)[0]!.querySelector('td.errors')?.textContent).toBe(String(i)));
    }
    expect(list.mock.calls.length).toBe(lists);
    expect(count.mock.calls.length).toBe(counts);
    expect(get.mock.calls.every(([id]) => id === 'b')).toBe(true);

    await writer.sessions.put(makeSession({ id: 'c', startedAt: 3_000 }));
    await waitFor(() => expect(rows(target).map((r) => r.dataset.sessionId)).toEqual(['c', 'b', 'a']));
    await waitFor(() => expect(target.querySelector('[data-testid="session-count"]')?.textContent).toBe('3 stored'));
    expect(list.mock.calls.length).toBeGreaterThan(lists);

    // Hidden: nothing is read, however much changes; shown again: one catch-up.
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
    const reads = list.mock.calls.length + count.mock.calls.length + get.mock.calls.length;
    await writer.sessions.put(makeSession({ id: 'd', startedAt: 4_000 }));
    await writer.sessions.update('c', { 'counts.errors': 3 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(list.mock.calls.length + count.mock.calls.length + get.mock.calls.length).toBe(reads);
    expect(rows(target)).toHaveLength(3);
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    document.dispatchEvent(new Event('visibilitychange'));
    await waitFor(() => expect(rows(target).map((r) => r.dataset.sessionId)).toEqual(['d', 'c', 'b', 'a']));
    delete (document as { visibilityState?: unknown }).visibilityState;
  });

  it('a relative time range follows the clock with nothing written: the count, the KPI total and the facet counts move together', async () => {
    const start = Date.UTC(2026, 0, 10, 12);
    // setImmediate stays real: fake-indexeddb answers on it.
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], now: start });
    try {
      // The list reads the newest 100 rows, which a session leaving the range at its old edge (the 144th) does not
      // change (as at 100,000).
      const { writer, target, source } = await render('app-moving-range', null, 10);
      // A session every 25 s over the last 2 hours, one in three with errors (the bench's 100,000 over 29 days, in small).
      const sessions = Array.from({ length: 300 }, (_, i) =>
        makeSession({ id: `s-${String(i).padStart(3, '0')}`, startedAt: start - 10_000 - i * 25_000, counts: { ...makeSession().counts, errors: i % 3 ? 0 : 2 } }),
      );
      await writer.sessions.bulkPut(sessions);
      await waitFor(() => expect(rows(target).length).toBeGreaterThan(10));
      const select = target.querySelector<HTMLSelectElement>('select[data-filter="time"]')!;
      select.value = '1h';
      select.dispatchEvent(new Event('change', { bubbles: true }));

      const text = (selector: string) => target.querySelector(selector)?.textContent?.trim();
      const shown = () => ({
        count: text('[data-testid="session-count"]'),
        kpi: text('[data-kpi="sessions"] .value'),
        pastHour: text('select[data-filter="time"] option[value="1h"]'),
        withErrors: text('select[data-filter="errors"] option[value="some"]')?.replace(/.*\(/, '('),
      });
      // Counted here from the records, as the list's filter reads: started in [now - 1 hour, now].
      const expected = () => {
        const inRange = sessions.filter((s) => s.startedAt >= Date.now() - 60 * 60_000 && s.startedAt <= Date.now());
        const n = inRange.length;
        return { count: `${n} stored`, kpi: String(n), pastHour: `Past hour (${n})`, withErrors: `(${inRange.filter((s) => s.counts.errors > 0).length})` };
      };
      await waitFor(() => expect(shown()).toEqual(expected()));
      const first = shown();

      // 3 minutes pass, nothing is written: 7 sessions leave the window at its old edge.
      await vi.advanceTimersByTimeAsync(3 * 60_000);
      await waitFor(() => expect(shown()).toEqual(expected()));
      expect(shown().count).not.toBe(first.count);

      // The bench's case: right after a session left the window, between two of the clock's refreshes, the newest
      // session (a row on screen) is written, as a recording page does. That re-reads its row and the KPIs, not the
      // count (no session off screen changed): the count is read with them all the same, at the same moment.
      const counted = vi.spyOn(source, 'countSessions');
      const leaves = () => Math.min(...sessions.map((s) => s.startedAt + 60 * 60_000 + 1).filter((at) => at > Date.now()));
      let refreshed = 0;
      for (let i = 0; i < 2_000 && !(counted.mock.calls.length > refreshed && leaves() - Date.now() < CLOCK_REFRESH_MS / 2); i++) {
        refreshed = counted.mock.calls.length;
        await vi.advanceTimersByTimeAsync(100);
      }
      const lastRefresh = Date.now();
      await vi.advanceTimersByTimeAsync(leaves() - Date.now());
      const before = shown();
      expect(before.count).not.toBe(expected().count); // the window moved since the last refresh
      await writer.sessions.update(sessions[0]!.id, { 'counts.actions': 3 });
      // Small steps of the fake clock (the write reaches the panel in a few real turns): well before the next refresh.
      for (let i = 0; i < 1_000 && shown().kpi === before.kpi; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        await vi.advanceTimersByTimeAsync(5);
      }
      expect(shown()).toEqual(expected());
      expect(Date.now() - lastRefresh).toBeLessThan(CLOCK_REFRESH_MS);
    } finally {
      vi.useRealTimers();
    }
  });
});
