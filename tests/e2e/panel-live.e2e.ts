/**
 * The open Sessions panel follows what is recorded without a reload, in Chromium and Firefox ESR: a new
 * session shows up in the list, and the inspected tab's session (its row and its open detail) follows its events.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BROWSERS, textsOf, useDriver } from './support/driver';
import { startDemoServer, type DemoServer } from '../../demo/server';

let demo: DemoServer;
let second: DemoServer;
/** A site the extension does not record (not a default-allowed loopback host): where a tab waits. */
let unrecorded: DemoServer;
beforeAll(async () => {
  [demo, second, unrecorded] = await Promise.all([startDemoServer(), startDemoServer(), startDemoServer(0, '127.0.0.2')]);
});
afterAll(async () => {
  await Promise.all([demo?.close(), second?.close(), unrecorded?.close()]);
});

/** The panel reads at most once a second: a change stored is on screen within about two. */
const SHOWN_SOON = { timeout: 3_000, interval: 100 };
const POLL = { timeout: 10_000 };

describe.each(BROWSERS)('live Sessions panel in %s', (kind) => {
  const driver = useDriver(kind);

  test('a new session appears in the open list, and the tab session and its detail follow their events', async () => {
    const page = await driver.openPage(demo.origin + '/');
    await page.click('#add-tea');
    // Opened before the panel, so the panel tab is the one in front (a panel in a background tab reads nothing).
    const other = await driver.openPage(unrecorded.origin + '/');
    await expect.poll(async () => (await driver.readStore('sessions')).length, POLL).toBe(1);
    const tabId = await driver.tabIdOf(page.url());
    const panel = await driver.openPanel(tabId);
    const rowIds = () => panel.evaluate(() => [...document.querySelectorAll<HTMLElement>('tbody tr[data-session-id]')].map((r) => r.dataset.sessionId));
    const [first] = await driver.readStore('sessions');
    await expect.poll(rowIds, POLL).toEqual([first.id]);
    await expect.poll(() => panel.evaluate(() => document.querySelector('tbody tr.current') !== null), POLL).toBe(true);

    // The detail of the tab's session, open, follows its events.
    await panel.click(`tr[data-session-id="${first.id}"]`);
    const timeline = () => textsOf(panel, '.session-detail .timeline li .kind');
    await expect.poll(async () => (await timeline()).filter((k) => k === 'Action').length, POLL).toBe(1);
    const errorCell = () => panel.evaluate((id) => document.querySelector(`tr[data-session-id="${id}"] td.errors`)?.textContent ?? '', first.id);
    expect(await errorCell()).toBe('0');

    await page.click('#add-coffee');
    await page.click('#throw');
    const storedErrors = async () => (await driver.readStore('sessions')).find((s) => s.id === first.id)?.counts.errors;
    await expect.poll(storedErrors, POLL).toBe(1);
    await expect.poll(errorCell, SHOWN_SOON).toBe('1');
    await expect.poll(async () => (await timeline()).filter((k) => k === 'Error').length, POLL).toBe(1);
    await expect.poll(async () => (await timeline()).filter((k) => k === 'Action').length, POLL).toBe(3);
    await expect.poll(() => textsOf(panel, '.session-detail .facts dd'), POLL).toContain('1');

    // Another site, in the other tab: a new session, on top of the open list, with the count.
    await other.goto(second.origin + '/');
    await other.click('#add-tea');
    await expect.poll(async () => (await driver.readStore('sessions')).length, POLL).toBe(2);
    const newest = (await driver.readStore('sessions')).find((s) => s.id !== first.id)!;
    await expect.poll(rowIds, SHOWN_SOON).toEqual([newest.id, first.id]);
    await expect.poll(async () => (await textsOf(panel, '[data-testid="session-count"]'))[0], SHOWN_SOON).toBe('2 stored');
    // Still the inspected tab's session that is marked current, not the newest.
    expect(await panel.evaluate(() => (document.querySelector('tbody tr.current') as HTMLElement | null)?.dataset.sessionId)).toBe(first.id);

    await Promise.all([panel.close(), other.close(), page.close()]);
  });
});
