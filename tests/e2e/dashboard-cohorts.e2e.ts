/**
 * The dashboard's Web Vitals p75, cohorts (new vs returning users), performance by segment, the quality views and
 * the custom filter variants, in Chromium and Firefox ESR over sessions recorded through the real capture path.
 * Every figure is checked against the stored records, computed here independently.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BROWSERS, textsOf, type DriverPage, useDriver } from './support/driver';
import { choose, reloadPanel, rowIds } from './support/panelPage';
import { startDemoServer, type DemoServer } from '../../demo/server';

let shop: DemoServer;
beforeAll(async () => {
  shop = await startDemoServer();
});
afterAll(async () => {
  await shop?.close();
});

const POLL = { timeout: 15_000, interval: 100 };

/** Sets an input's value and commits it (change), as a user leaving the field does. */
const commit = (panel: DriverPage, selector: string, value: string) =>
  panel.evaluate(
    ({ selector, value }) => {
      const input = document.querySelector<HTMLInputElement>(selector);
      if (!input) throw new Error(`no ${selector}`);
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    },
    { selector, value },
  );

const param = (panel: DriverPage, name: string) => panel.evaluate((name) => new URLSearchParams(location.search).getAll(name).join(','), name);

const ms = (value: number) => `${Math.round(value).toLocaleString('en-US')} ms`;

describe.each(BROWSERS)('Dashboard cohorts, vitals and custom filters in %s', (kind) => {
  const driver = useDriver(kind);

  test('Web Vitals p75 with ratings, new vs returning users, segments and quality views', async () => {
    const page = await driver.openPage(shop.origin + '/');
    await page.click('#add-tea');
    await expect.poll(async () => (await driver.readStore('sessions'))[0]?.vitals?.FCP?.value, POLL).toBeGreaterThan(0);
    const [first] = await driver.readStore('sessions');
    expect(first.visitorId).toMatch(/^[0-9a-f-]{36}$/);

    const panel = await driver.openPanel(await driver.tabIdOf(page.url()));
    await expect.poll(() => rowIds(panel), POLL).toEqual([first.id]);
    // One session: its p75 is its own value, rated by the web.dev thresholds (FCP good at or below 1,800 ms).
    const fcp = (await driver.readStore('sessions'))[0].vitals.FCP.value as number;
    await expect.poll(() => textsOf(panel, '[data-vital="FCP"] .value'), POLL).toEqual([ms(fcp)]);
    expect(await textsOf(panel, '[data-vital="FCP"] .rating')).toEqual([fcp <= 1800 ? 'Good' : fcp <= 3000 ? 'Needs improvement' : 'Poor']);

    // End the session from the panel; the page's next click starts a second one of the same visitor.
    await expect.poll(() => panel.evaluate(() => document.querySelector('[data-testid="end-session"]')?.hasAttribute('disabled')), POLL).toBe(false);
    await panel.click('[data-testid="end-session"]');
    await expect.poll(async () => (await driver.readStore('sessions')).find((s) => s.id === first.id)?.endReason, POLL).toBe('user');
    await page.click('#add-coffee');
    await page.click('#throw');
    await expect.poll(async () => (await driver.readStore('sessions')).length, POLL).toBe(2);
    const second = (await driver.readStore('sessions')).find((s) => s.id !== first.id)!;
    expect(second.visitorId).toBe(first.visitorId);
    await expect.poll(async () => (await driver.readStore('sessions')).find((s) => s.id === second.id)?.counts.errors, POLL).toBe(1);

    // Cohorts: new vs returning users side by side, the returning one with the error.
    await panel.click('[data-testid="toggle-cohorts"]');
    const version = first.app.version ? `Version ${first.app.version}` : 'Unknown version';
    await expect.poll(() => textsOf(panel, '.cohort-table thead th'), POLL).toEqual(['Metric', version]);
    await choose(panel, '[data-testid="cohort-dimension"]', 'userType');
    await expect.poll(() => textsOf(panel, '.cohort-table thead th'), POLL).toEqual(['Metric', 'New users', 'Returning users']);
    await expect.poll(() => textsOf(panel, '.cohort-table tr[data-metric="sessions"] td'), POLL).toEqual(['1', '1']);
    await expect.poll(() => textsOf(panel, '.cohort-table tr[data-metric="errorRate"] td'), POLL).toEqual(['0 %', '100 %']);
    // By feature: the sessions that visited a URL with "checkout" in it (none yet).
    await choose(panel, '[data-testid="cohort-dimension"]', 'feature');
    await commit(panel, '[data-testid="cohort-feature"]', 'checkout');
    await expect.poll(() => textsOf(panel, '.cohort-table thead th'), POLL).toEqual(['Metric', 'Did not use checkout']);

    // Performance by browser: one row, both sessions, the error rate and FCP p75 of the two.
    await choose(panel, '[data-testid="segment-dimension"]', 'browser');
    const both = (await driver.readStore('sessions')).map((s) => s.vitals?.FCP?.value).filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
    await expect.poll(() => textsOf(panel, '.segment-table tbody th'), POLL).toEqual([driver.browserName]);
    await expect
      .poll(() => textsOf(panel, `.segment-table tr[data-segment="${driver.browserName}"] td[data-col="FCP"]`), POLL)
      .toEqual([ms(both[Math.ceil(both.length * 0.75) - 1]!)]);
    expect(await textsOf(panel, `.segment-table tr[data-segment="${driver.browserName}"] td[data-col="errorRate"]`)).toEqual(['50 %']);
    expect(await panel.evaluate(() => document.querySelectorAll('.segment-chart canvas').length)).toBe(2);

    // A quality view in one click: "High error counts (> 5)" leaves no session; "Short sessions" both.
    await panel.click('[data-view="high-errors"]');
    await expect.poll(() => rowIds(panel), POLL).toEqual([]);
    await expect.poll(() => param(panel, 'errors'), POLL).toBe('many');
    await panel.click('[data-view="short"]');
    await expect.poll(() => rowIds(panel), POLL).toEqual([first.id, second.id].sort());
    await expect.poll(() => param(panel, 'duration'), POLL).toBe('short');
    await expect.poll(() => param(panel, 'errors'), POLL).toBe('');

    await Promise.all([panel.close(), page.close()]);
  });

  test('custom time range, error count and duration: in the widgets, the list and the URL, restored by a reload', async () => {
    const page = await driver.openPage(shop.origin + '/');
    await page.click('#throw');
    await expect.poll(async () => (await driver.readStore('sessions')).some((s) => s.counts.errors > 0 && s.endedAt === null), POLL).toBe(true);
    const sessions = await driver.readStore('sessions');
    const all = sessions.map((s) => s.id).sort();
    const withErrors = sessions.filter((s) => s.counts.errors >= 1).map((s) => s.id).sort();
    const panel = await driver.openPanel(await driver.tabIdOf(page.url()));
    await expect.poll(() => rowIds(panel), POLL).toEqual(all);

    // Custom time range: the from/to fields appear; a range that ends before the first session shows none.
    await choose(panel, 'select[data-filter="time"]', 'custom');
    await expect.poll(() => param(panel, 'range'), POLL).toBe('custom');
    await expect.poll(() => rowIds(panel), POLL).toEqual(all);
    const earliest = Math.min(...sessions.map((s) => s.startedAt));
    const local = (t: number) => {
      const d = new Date(t - new Date(t).getTimezoneOffset() * 60_000);
      return d.toISOString().slice(0, 16);
    };
    await commit(panel, 'input[data-filter="time-to"]', local(earliest - 60_000));
    await commit(panel, 'input[data-filter="time-from"]', local(earliest - 3_600_000));
    await expect.poll(() => rowIds(panel), POLL).toEqual([]);
    // The URL is written after the answer is painted: it holds both ends once the last one is in.
    await expect.poll(async () => new Date(await param(panel, 'to')).getTime(), POLL).toBe(new Date(local(earliest - 60_000)).getTime());
    await expect.poll(async () => new Date(await param(panel, 'from')).getTime(), POLL).toBe(new Date(local(earliest - 3_600_000)).getTime());
    await reloadPanel(panel, POLL);
    await expect.poll(() => panel.evaluate(() => (document.querySelector('input[data-filter="time-to"]') as HTMLInputElement | null)?.value), POLL).toBe(local(earliest - 60_000));
    expect(await rowIds(panel)).toEqual([]);
    await choose(panel, 'select[data-filter="time"]', '');
    await expect.poll(() => rowIds(panel), POLL).toEqual(all);
    await expect.poll(() => param(panel, 'range'), POLL).toBe('');

    // Custom error count: at least 1 (min 1, no max) = the sessions with errors; max 0 = the clean ones.
    await choose(panel, 'select[data-filter="errors"]', 'custom');
    await expect.poll(() => param(panel, 'errors'), POLL).toBe('1-');
    await expect.poll(() => rowIds(panel), POLL).toEqual(withErrors);
    await commit(panel, 'input[data-filter="errors-min"]', '');
    await commit(panel, 'input[data-filter="errors-max"]', '0');
    await expect.poll(() => param(panel, 'errors'), POLL).toBe('-0');
    await expect.poll(() => rowIds(panel), POLL).toEqual(all.filter((id) => !withErrors.includes(id)));
    await choose(panel, 'select[data-filter="errors"]', '');

    // Custom duration: at least 30 minutes = none of these short sessions; reload keeps it.
    await choose(panel, 'select[data-filter="duration"]', 'custom');
    await expect.poll(() => rowIds(panel), POLL).toEqual(all);
    await commit(panel, 'input[data-filter="duration-min"]', '30');
    await expect.poll(() => param(panel, 'duration'), POLL).toBe('1800-');
    await expect.poll(() => rowIds(panel), POLL).toEqual([]);
    await reloadPanel(panel, POLL);
    await expect.poll(() => panel.evaluate(() => (document.querySelector('input[data-filter="duration-min"]') as HTMLInputElement | null)?.value), POLL).toBe('30');
    expect(await rowIds(panel)).toEqual([]);
    expect(await textsOf(panel, '.issue')).toEqual([]);

    await Promise.all([panel.close(), page.close()]);
  });
});
