/** Extension life in Chromium and Firefox ESR through the shared driver: site access, and a full disk. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BROWSERS, launchDriver, type Driver } from './support/driver';
import { patchSettingsVia, refusedLoads, storageSet } from './support/lifeDriver';
import { startDemoServer, type DemoServer } from '../../demo/server';
import { DEFAULT_ALLOW_PATTERNS } from '../../sdk/schema';

const POLL = { timeout: 15_000 };
let demo: DemoServer;
let other: DemoServer;
beforeAll(async () => {
  [demo, other] = await Promise.all([startDemoServer(), startDemoServer(0, '127.0.0.2')]);
});
afterAll(async () => {
  await Promise.all([demo?.close(), other?.close()]);
});

describe.each(BROWSERS)('extension life in %s', (kind) => {
  let driver: Driver;
  beforeAll(async () => {
    driver = await launchDriver(kind);
  });
  afterAll(async () => {
    await driver?.close();
  });

  const sessionsOf = async (site: string) => (await driver.readStore('sessions')).filter((s) => s.site === site);

  test('a site is recorded only while it is allowed', async () => {
    const page = await driver.openPage(other.origin + '/');
    await page.click('#add-tea');
    // Not allowed: Rumscope is not even injected (no window.rumscope, nothing for the relay to send), nothing stored.
    expect(await page.evaluate(() => 'rumscope' in window)).toBe(false);
    await new Promise((ok) => setTimeout(ok, 500));
    expect(await sessionsOf(other.origin)).toEqual([]);
    expect((await driver.readStore('loads')).filter((l) => l.site === other.origin)).toEqual([]);

    await patchSettingsVia(driver, { siteAccess: { allow: [...DEFAULT_ALLOW_PATTERNS, other.origin], block: [] } });
    await page.goto(other.origin + '/?allowed');
    expect(await page.evaluate(() => 'rumscope' in window)).toBe(true);
    await page.click('#add-tea');
    await page.click('#add-coffee');
    await expect.poll(async () => (await sessionsOf(other.origin))[0]?.counts.actions ?? 0, POLL).toBe(2);

    await patchSettingsVia(driver, { siteAccess: { allow: [...DEFAULT_ALLOW_PATTERNS], block: [other.origin] } });
    const refusedBefore = Object.keys(await refusedLoads(driver)).length;
    await page.click('#add-cake');
    await expect.poll(async () => Object.keys(await refusedLoads(driver)).length, POLL).toBe(refusedBefore + 1);
    expect((await sessionsOf(other.origin))[0].counts.actions).toBe(2);
    await page.close();
  });

  test('writes refused for lack of space evict old sessions and recording goes on', async () => {
    const page = await driver.openPage(demo.origin + '/?quota');
    await page.click('#add-tea');
    const actions = async () => {
      const load = (await driver.readStore('loads')).find((l) => l.url.endsWith('?quota'));
      return (await driver.readStore('events')).filter((e) => e.loadId === load?.id && e.type === 'action');
    };
    await expect.poll(async () => (await actions()).length, POLL).toBe(1);
    await storageSet(driver, 'local', 'rumscope.testHooks', { failWrites: { count: 2, kind: 'abort' } });
    await page.click('#add-coffee');
    await page.click('#add-cake');
    await expect.poll(async () => (await actions()).map((e) => e.name), POLL).toEqual(['Add tea to cart', 'Add coffee to cart', 'Add cake to cart']);
    // Each refused write evicted an old unpinned session (the first test's) or, with none left, waited for the retry.
    const warning = (await driver.readStore('meta')).find((m) => m.key === 'storageWarning')?.value;
    expect(warning?.refusedWrites).toBe(2);
    await page.close();
  });
});
