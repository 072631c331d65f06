import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, test } from 'vitest';
import { CHROMIUM_FLAGS, launchChromium, readStore, tabIdOf, type ChromiumWithExtension } from './support/chromium';
import { findBrowser } from './support/findBrowser';
import { DATADOG_USER, startDatadogSite, summarise, type DatadogSite } from './support/datadogSite';

const POLL = { timeout: 20_000 };
let ext: ChromiumWithExtension | undefined;
let plain: BrowserContext | undefined;
const sites: DatadogSite[] = [];

afterAll(async () => {
  await ext?.close();
  await plain?.close();
  await Promise.all(sites.map((s) => s.close()));
});

/** The same visit in any browser context: 2 views, 2 clicks that name things, 1 thrown error, 1 API call, a flush. */
async function visit(context: BrowserContext, site: DatadogSite, before?: (tabUrl: string) => Promise<void>) {
  const page = await context.newPage();
  await page.goto(site.origin + '/');
  await page.click('#buy');
  await page.click('#fetch');
  await page.click('#throw');
  await page.click('#route');
  await before?.(page.url());
  // Leaving the page makes Datadog flush what it holds.
  await page.goto('about:blank');
  await expect.poll(() => summarise(site.events).views.length, POLL).toBe(2);
  await expect.poll(() => summarise(site.events).errors.length, POLL).toBe(1);
  await page.close();
  return summarise(site.events);
}

describe('a page that runs @datadog/browser-rum (Chromium)', () => {
  test('sends its own intake the same views, actions, errors and resources with Rumscope recording; its user becomes the session user', async () => {
    // Without Rumscope: the browser alone.
    const first = await startDatadogSite();
    sites.push(first);
    const browser = await chromium.launch({ executablePath: findBrowser('chromium'), headless: true, args: CHROMIUM_FLAGS });
    plain = await browser.newContext();
    const without = await visit(plain, first);
    await browser.close();
    plain = undefined;

    // With Rumscope recording the same visit (the site is on 127.0.0.1: allowed by default).
    const site = await startDatadogSite();
    sites.push(site);
    ext = await launchChromium();
    const withRumscope = await visit(ext.context, site, async (tabUrl) => {
      // Rumscope recorded the visit, with the page's Datadog user as the session's user.
      const tabId = await tabIdOf(ext!, tabUrl);
      const session = async () => {
        const load = (await readStore(ext!, 'loads')).find((l) => l.tabId === tabId && l.sessionId);
        return (await readStore(ext!, 'sessions')).find((s) => s.id === load?.sessionId);
      };
      await expect.poll(async () => (await session())?.counts.errors, POLL).toBe(1);
      await expect.poll(async () => (await session())?.user, POLL).toMatchObject(DATADOG_USER);
      expect((await session())!.counts.actions).toBeGreaterThanOrEqual(3);
    });
    expect(without.views).toEqual(['/', '/cart']);
    expect(without.errors).toEqual(['source:Datadog page failure']);
    expect(without.actions.length).toBeGreaterThanOrEqual(4);
    expect(without.users).toEqual([JSON.stringify(DATADOG_USER)]);
    expect(withRumscope).toEqual(without);
  });
});
