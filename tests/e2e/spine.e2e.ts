/** The spine's visit test, run in Chromium and in Firefox ESR through the shared driver. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BROWSERS, textsOf, useDriver } from './support/driver';
import { startDemoServer, type DemoServer } from '../../demo/server';

let demo: DemoServer;
beforeAll(async () => {
  demo = await startDemoServer();
});
afterAll(async () => {
  await demo?.close();
});

describe.each(BROWSERS)('spine in %s', (kind) => {
  const driver = useDriver(kind);

  test('a visit with two page loads, three clicks and one thrown error is one session with Error Count 1', async () => {
    const page = await driver.openPage(demo.origin + '/');
    await page.click('#add-tea');
    await page.click('#add-coffee');
    await page.goto(demo.origin + '/checkout.html');
    await page.goto(demo.origin + '/');
    await page.click('#throw');
    const events = async () => (await driver.readStore('events')).sort((a, b) => a.time - b.time);
    // The last page's view is sent after its load event and may reach storage after the error: wait for both.
    await expect
      .poll(async () => (await events()).filter((e) => e.type === 'error' || e.type === 'view').map((e) => e.type).sort(), { timeout: 10_000 })
      .toEqual(['error', 'view', 'view', 'view']);
    const tabId = await driver.tabIdOf(page.url());
    expect(tabId).toBeGreaterThanOrEqual(0);

    const panel = await driver.openPanel(tabId);
    const cells = () => textsOf(panel, 'tbody tr[data-session-id] td');
    await expect.poll(async () => (await textsOf(panel, 'tbody tr[data-session-id]')).length, { timeout: 10_000 }).toBe(1);
    const headers = await textsOf(panel, 'table.sessions thead th');
    expect(headers.slice(0, 5)).toEqual(['Timestamp', 'User Email', 'Time Spent', 'Error Count', 'Location']);

    const sessions = await driver.readStore('sessions');
    const stored = await events();
    expect(sessions).toHaveLength(1);
    const views = stored.filter((e) => e.type === 'view');
    const clicks = stored.filter((e) => e.type === 'action' && e.action === 'click');
    const errors = stored.filter((e) => e.type === 'error');
    expect(views).toHaveLength(3);
    expect(clicks.map((c) => c.name)).toEqual(['Add tea to cart', 'Add coffee to cart', 'Throw an error']);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain('Demo failure: cart is undefined');
    expect(sessions[0].counts.errors).toBe(1);
    await expect.poll(async () => (await cells())[3]).toBe('1');
    await expect.poll(async () => (await cells())[4]).toMatch(new RegExp(`^[^·]+ - [^·]+ · ${driver.browserName} · Linux$`));
    expect(await panel.evaluate(() => document.querySelector('tbody tr[data-session-id]')!.className)).toContain('current');

    // Live: a second error in the page shows up in the open panel without a reload.
    await page.click('#throw');
    await expect.poll(async () => (await cells())[3], { timeout: 10_000 }).toBe('2');
    await panel.close();
    await page.close();
  });
});
