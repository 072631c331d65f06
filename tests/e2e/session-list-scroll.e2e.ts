/**
 * The session list is virtualized, in Chromium and Firefox ESR: over thousands of sessions it renders only the rows
 * on screen (and a few around them), is as tall as all of them, and scrolls to any of them; the keyboard reaches the
 * first and the last; a filter takes the list back to its top. The sessions: one visit recorded through the real
 * capture path, exported, and imported again as 2,000 copies (the panel's own export and import, as a user would).
 * Opened again after the recorded visit threw, the panel answers from the columns it kept and the sessions written since.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SessionExportBundle } from '../../sdk/schema';
import { startDemoServer, type DemoServer } from '../../demo/server';
import { waitFor } from './support/capture';
import { BROWSERS, useDriver, type DriverPage } from './support/driver';
import { choose } from './support/panelPage';

let demo: DemoServer;
beforeAll(async () => {
  demo = await startDemoServer();
});
afterAll(async () => {
  await demo?.close();
});

const COPIES = 2_000;
/** Rows the list renders above and below the visible ones (panel/App.svelte). */
const OVERSCAN = 8;
/** At most: a screenful, the margins, and a row cut at each edge. */
const windowRows = (s: { clientHeight: number; rowHeight: number }) => Math.ceil(s.clientHeight / s.rowHeight) + 2 * OVERSCAN + 2;

/** The rows the list has in the page: their ids and list indexes, and where the list is scrolled. */
const listState = (panel: DriverPage) =>
  panel.evaluate(() => {
    const list = document.querySelector<HTMLElement>('section.list')!;
    const rows = [...document.querySelectorAll<HTMLElement>('tbody tr[data-session-id]')];
    // The header's cells stick to the list's top: the first row whose bottom is below them is the one a user sees on top.
    const head = list.querySelector('thead th')!.getBoundingClientRect().bottom;
    const top = rows.find((r) => r.getBoundingClientRect().bottom > head + 1);
    return {
      topId: top?.dataset.sessionId ?? null,
      scrollTop: list.scrollTop,
      rendered: rows.length,
      rowHeight: rows[0]?.getBoundingClientRect().height ?? 0,
      scrollHeight: list.scrollHeight,
      clientHeight: list.clientHeight,
      focused: (document.activeElement as HTMLElement | null)?.dataset?.sessionId ?? null,
      indexes: rows.map((r) => Number(r.dataset.index)),
      ids: rows.map((r) => r.dataset.sessionId!),
    };
  });

const scrollTo = (panel: DriverPage, top: number) =>
  panel.evaluate((top) => {
    document.querySelector<HTMLElement>('section.list')!.scrollTop = top;
  }, top);

const press = (panel: DriverPage, key: string) =>
  panel.evaluate((key) => {
    const row = document.activeElement as HTMLElement;
    if (!row?.dataset.sessionId) throw new Error('no row has the focus');
    row.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
  }, key);

describe.each(BROWSERS)('Virtualized session list in %s', (kind) => {
  const driver = useDriver(kind);

  test('2,001 sessions: a window of rows is rendered, any row is reached by scrolling or the keyboard, a filter goes back to the top', async () => {
    const page = await driver.openPage(demo.origin + '/');
    await page.click('#add-tea');
    await waitFor(() => driver.readStore('sessions'), (rows) => rows.length === 1, 'the recorded session');
    await page.close();

    const panel = await driver.openPanel(-1);
    await waitFor(() => panel.evaluate(() => !!document.querySelector('[data-testid="export-all"]:not([disabled])')), Boolean, 'Export all');
    const bundle = JSON.parse((await panel.download(() => panel.click('[data-testid="export-all"]'))).text) as SessionExportBundle;
    const [recorded] = bundle.sessions;
    // Copies a minute apart before the recorded one, one in seven with errors (what the filter below keeps).
    const copies = Array.from({ length: COPIES }, (_, i) => {
      const id = `copy-${String(i).padStart(4, '0')}`;
      const shift = -(i + 1) * 60_000;
      const session = { ...recorded!.session, id, startedAt: recorded!.session.startedAt + shift, lastEventAt: recorded!.session.lastEventAt + shift };
      if (session.lastActivityAt !== undefined) session.lastActivityAt += shift;
      if (typeof session.endedAt === 'number') session.endedAt += shift;
      session.counts = { ...session.counts, errors: i % 7 === 0 ? 2 : 0 };
      // An event's key is its load's id and its number: each copy is a load of its own.
      return { session, events: recorded!.events.map((e) => ({ ...e, sessionId: id, loadId: `${e.loadId}-${id}`, time: e.time + shift })) };
    });
    // An import file holds at most 500 sessions: four of them.
    for (let from = 0; from < COPIES; from += 500) {
      await panel.evaluate(
        ({ text, name }) => {
          const input = document.querySelector<HTMLInputElement>('[data-testid="import-file"]')!;
          const files = new DataTransfer();
          files.items.add(new File([text], name, { type: 'application/json' }));
          input.files = files.files;
          input.dispatchEvent(new Event('change', { bubbles: true }));
        },
        { text: JSON.stringify({ ...bundle, sessions: copies.slice(from, from + 500) }), name: `copies-${from}.json` },
      );
      const notice = () => panel.evaluate(() => document.querySelector('[data-testid="notice"]')?.textContent ?? '');
      await waitFor(notice, (t) => t.includes(`Imported 500 sessions from copies-${from}.json`), `import ${from / 500 + 1}`, 60_000);
    }
    // The list's order, computed here from the stored records: newest first (ties: greater id first, as the list).
    const stored = await driver.readStore('sessions');
    expect(stored).toHaveLength(COPIES + 1);
    const order = stored.sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1)).map((s) => s.id);
    await waitFor(() => panel.evaluate(() => document.querySelector('[data-testid="session-count"]')?.textContent), (t) => t === '2,001 stored', 'the count');

    // A window: far fewer rows in the page than sessions, the first of them on top, the list as tall as every row.
    const first = await waitFor(() => listState(panel), (s) => s.topId === order[0], 'the newest row on top');
    expect(first.rendered).toBeGreaterThan(0);
    expect(first.rendered).toBeLessThanOrEqual(windowRows(first));
    expect(first.ids).toEqual(order.slice(0, first.rendered));
    expect(first.scrollHeight).toBeGreaterThanOrEqual((COPIES + 1) * first.rowHeight);

    // Scrolled to row 1,000 (row 0 at the top when scrolled 0): that row is at the top, its neighbours in order.
    await scrollTo(panel, 1_000 * first.rowHeight);
    const middle = await waitFor(() => listState(panel), (s) => s.topId === order[1_000], 'row 1,000 on top');
    expect(middle.rendered).toBeLessThanOrEqual(windowRows(middle));
    expect(middle.ids).toEqual(order.slice(middle.indexes[0], middle.indexes[0]! + middle.rendered));
    expect(middle.indexes).toEqual(middle.indexes.map((_, i) => middle.indexes[0]! + i));

    // The end: the oldest session is the last row.
    await scrollTo(panel, first.scrollHeight);
    const end = await waitFor(() => listState(panel), (s) => s.ids.at(-1) === order.at(-1), 'the oldest row at the end');
    expect(end.indexes.at(-1)).toBe(COPIES);

    // The keyboard: Home reaches the newest row, End the oldest, Down the next.
    await panel.evaluate(() => document.querySelector<HTMLElement>('tbody tr[data-session-id]')!.focus());
    await press(panel, 'Home');
    await waitFor(() => listState(panel), (s) => s.focused === order[0] && s.topId === order[0], 'Home');
    await press(panel, 'ArrowDown');
    await waitFor(() => listState(panel), (s) => s.focused === order[1], 'Down');
    await press(panel, 'End');
    await waitFor(() => listState(panel), (s) => s.focused === order.at(-1), 'End');

    // Scrolled down, a filter: the list is back at its top, with the newest matching sessions.
    await scrollTo(panel, 700 * first.rowHeight);
    await waitFor(() => listState(panel), (s) => s.topId === order[700], 'row 700 on top');
    await choose(panel, 'select[data-filter="errors"]', 'some');
    const withErrors = stored.filter((s) => s.counts.errors > 0).sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1)).map((s) => s.id);
    const filtered = await waitFor(() => listState(panel), (s) => s.topId === withErrors[0], 'the newest session with errors on top');
    expect(filtered.ids).toEqual(withErrors.slice(0, filtered.rendered));
    expect(filtered.scrollHeight).toBeLessThan(first.scrollHeight / 5);

    // The panel keeps the dashboard's columns for its next opening (written a moment after it computed them).
    const kept = await waitFor(() => driver.readStore('derivedCache'), (rows) => rows.length === 1 && rows[0].value?.size === COPIES + 1, 'the kept columns');
    await panel.close();
    // Meanwhile, the recorded visit goes on and throws: its session (already in the kept copy) now has an error.
    const again = await driver.openPage(demo.origin + '/');
    await again.click('#throw');
    await waitFor(() => driver.readStore('sessions'), (rows) => rows.some((s) => s.id === recorded!.session.id && s.counts.errors > 0), 'the error stored');
    await again.close();
    const changes = await driver.readStore('sessionChanges');
    expect(changes.find((c) => c.id === recorded!.session.id)?.rev).toBeGreaterThan(kept[0].rev);

    // Opened again: from the copy and the sessions stamped since, the filter finds the recorded session on top.
    const reopened = await driver.openPanel(-1);
    await waitFor(() => reopened.evaluate(() => !!document.querySelector('select[data-filter="errors"]')), Boolean, 'the filters');
    await choose(reopened, 'select[data-filter="errors"]', 'some');
    const now = await driver.readStore('sessions');
    const withErrorsNow = now.filter((s) => s.counts.errors > 0).sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1)).map((s) => s.id);
    expect(withErrorsNow[0]).toBe(recorded!.session.id);
    const top = await waitFor(() => listState(reopened), (s) => s.topId === withErrorsNow[0], 'the recorded session on top of the filtered list');
    expect(top.ids).toEqual(withErrorsNow.slice(0, top.rendered));
    // The KPIs of the filter: every session with errors, the recorded one included.
    await waitFor(
      () => reopened.evaluate(() => document.querySelector('[data-kpi="sessions"] .value')?.textContent?.trim()),
      (t) => t === withErrorsNow.length.toLocaleString('en-US'),
      'the KPI total of sessions with errors',
    );
  });
});
