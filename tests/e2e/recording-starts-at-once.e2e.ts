/**
 * Every allowed tab is recorded from the moment it is allowed: a tab open before its site was allowed is recorded
 * without a reload (never twice in one document), and the first page opened as the browser starts is recorded.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BROWSERS, launchDriver, useDriver } from './support/driver';
import { patchSettingsVia as patchSettings } from './support/lifeDriver';
import { startDemoServer, type DemoServer } from '../../demo/server';
import { DEFAULT_ALLOW_PATTERNS } from '../../sdk/schema';

const POLL = { timeout: 15_000 };

/** The demo app on 127.0.0.1 (allowed on a fresh install) and on 127.0.0.2 (not allowed until the test allows it). */
let demo: DemoServer;
let other: DemoServer;
beforeAll(async () => {
  [demo, other] = await Promise.all([startDemoServer(), startDemoServer(0, '127.0.0.2')]);
});
afterAll(async () => {
  await Promise.all([demo?.close(), other?.close()]);
});

describe.each(BROWSERS)('recording starts at once in %s', (kind) => {
  test('the first page opened as the browser starts is recorded', async () => {
    const url = `${demo.origin}/?first`;
    const driver = await launchDriver(kind, { openAtStart: url });
    try {
      const page = await driver.findPage(url);
      await page.click('#add-tea');
      const tabId = await driver.tabIdOf(url);
      const ofTab = async () => (await driver.readStore('events')).filter((e) => e.tabId === tabId && e.frameId === 0);
      await expect.poll(async () => (await ofTab()).filter((e) => e.type === 'action').map((e) => e.name), POLL).toEqual(['Add tea to cart']);
      expect((await ofTab()).filter((e) => e.type === 'view').map((e) => e.url)).toEqual([url]);
    } finally {
      await driver.close();
    }
  });

  describe('a tab open before its site is allowed', () => {
    const driver = useDriver(kind);

    test('is recorded from the moment it is allowed, without a reload, once', async () => {
      const page = await driver.openPage(other.origin + '/');
      await page.click('#add-tea'); // before: not recorded
      expect(await page.evaluate(() => 'rumscope' in window)).toBe(false);
      const tabId = await driver.tabIdOf(page.url());
      const ofTab = async () =>
        (await driver.readStore('events')).filter((e) => e.tabId === tabId && e.frameId === 0).sort((a, b) => a.time - b.time);

      const allowedAt = Date.now();
      await patchSettings(driver, { siteAccess: { allow: [...DEFAULT_ALLOW_PATTERNS, other.origin] } });
      await expect.poll(() => page.evaluate(() => 'rumscope' in window), POLL).toBe(true);
      await expect.poll(async () => (await ofTab()).filter((e) => e.type === 'view').length, POLL).toBe(1);
      const [view] = (await ofTab()).filter((e) => e.type === 'view');
      expect(view.url).toBe(other.origin + '/');
      // Its view starts when recording did, not when the page was loaded.
      expect(view.time).toBeGreaterThanOrEqual(allowedAt - 1000);
      // The popup says since when this tab is recorded.
      const popup = await driver.openExtensionPage(`extension/popup/index.html?tabId=${tabId}`, '[data-testid="recording-since"]');
      expect(await popup.evaluate(() => document.querySelector('[data-testid="recording-since"]')!.textContent!.trim())).toMatch(
        /^Recording since \d\d:\d\d:\d\d$/,
      );
      await popup.close();

      // Another change of the allowed sites injects the open tabs again: this document keeps its one copy.
      await patchSettings(driver, { siteAccess: { allow: [...DEFAULT_ALLOW_PATTERNS, other.origin, 'example.test'] } });
      await new Promise((ok) => setTimeout(ok, 500));
      await page.click('#add-coffee');
      await expect.poll(async () => (await ofTab()).filter((e) => e.type === 'action').map((e) => e.name), POLL).toEqual(['Add coffee to cart']);

      // A reload is a fresh document with the registered scripts: one more view, no event twice.
      await page.reload();
      await page.click('#add-cake');
      await expect.poll(async () => (await ofTab()).filter((e) => e.type === 'action').map((e) => e.name), POLL).toEqual([
        'Add coffee to cart',
        'Add cake to cart',
      ]);
      await expect.poll(async () => (await ofTab()).filter((e) => e.type === 'view').length, POLL).toBe(2);
      const events = await ofTab();
      expect(new Set(events.map((e) => `${e.loadId}/${e.seq}`)).size).toBe(events.length);
      expect(new Set(events.filter((e) => e.type === 'view').map((e) => e.loadId)).size).toBe(2);
      await page.close();
    });
  });
});
