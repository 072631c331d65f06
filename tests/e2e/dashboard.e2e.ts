/**
 * The Sessions dashboard in Chromium and Firefox ESR over sessions recorded through the real capture path:
 * KPI cards, the error-count filter (kept in the URL), search by a visited URL, and the session detail's HAR.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BROWSERS, launchDriver, textsOf, type Driver, type DriverPage } from './support/driver';
import { startDemoServer, type DemoServer } from '../../demo/server';

let shop: DemoServer;
let blog: DemoServer;
beforeAll(async () => {
  [shop, blog] = await Promise.all([startDemoServer(), startDemoServer()]);
});
afterAll(async () => {
  await Promise.all([shop?.close(), blog?.close()]);
});

const POLL = { timeout: 10_000, interval: 100 };

const rowIds = (panel: DriverPage) =>
  panel.evaluate(() => [...document.querySelectorAll<HTMLElement>('tbody tr[data-session-id]')].map((r) => r.dataset.sessionId).sort());

const kpi = async (panel: DriverPage, id: string) => (await textsOf(panel, `[data-kpi="${id}"] .value`))[0];

/** Chooses an option of a filter's select as a user would (the browsers' drivers differ in select support). */
const choose = (panel: DriverPage, selector: string, value: string) =>
  panel.evaluate(
    ({ selector, value }) => {
      const select = document.querySelector<HTMLSelectElement>(selector);
      if (!select) throw new Error(`no ${selector}`);
      select.value = value;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    },
    { selector, value },
  );

describe.each(BROWSERS)('Sessions dashboard in %s', (kind) => {
  let driver: Driver;
  beforeAll(async () => {
    driver = await launchDriver(kind);
  });
  afterAll(async () => {
    await driver?.close();
  });

  test('KPIs, the error filter, search by URL and the HAR of a session', async () => {
    // Two sites, two sessions: the shop's calls the API and throws; the blog's visits the checkout page, no error.
    const page = await driver.openPage(shop.origin + '/');
    await page.click('#add-tea');
    await page.click('#fetch-ok');
    await expect.poll(() => textsOf(page, '#status'), POLL).toEqual(['API answered 200']);
    await page.click('#throw');
    const other = await driver.openPage(blog.origin + '/');
    await other.click('#add-coffee');
    await other.goto(blog.origin + '/checkout.html');
    await expect.poll(async () => (await driver.readStore('sessions')).length, POLL).toBe(2);
    const sessions = await driver.readStore('sessions');
    const failing = sessions.find((s) => s.site === shop.origin)!;
    const clean = sessions.find((s) => s.site === blog.origin)!;
    await expect.poll(async () => (await driver.readStore('sessions')).find((s) => s.id === failing.id)?.counts.errors, POLL).toBe(1);
    await expect
      .poll(async () => (await driver.readStore('events')).some((e) => e.sessionId === clean.id && e.type === 'view' && e.url.endsWith('/checkout.html')), POLL)
      .toBe(true);

    const panel = await driver.openPanel(await driver.tabIdOf(page.url()));
    await expect.poll(() => rowIds(panel), POLL).toEqual([failing.id, clean.id].sort());

    // KPI cards, checked against what is stored: 2 sessions, one of them with an error.
    await expect.poll(() => kpi(panel, 'sessions'), POLL).toBe('2');
    expect(await kpi(panel, 'errorRate')).toBe('50 %');
    expect(await textsOf(panel, '[data-kpi="errorRate"] .band')).toEqual(['Critical issues']);
    // The errors filter shows its counts, and "> 0" leaves only the failing session, in the list, the KPIs and the URL.
    expect(await textsOf(panel, 'select[data-filter="errors"] option[value="some"]')).toEqual(['With errors (> 0) (1)']);
    await choose(panel, 'select[data-filter="errors"]', 'some');
    await expect.poll(() => rowIds(panel), POLL).toEqual([failing.id]);
    await expect.poll(() => kpi(panel, 'errorRate'), POLL).toBe('100 %');
    expect(await panel.evaluate(() => new URLSearchParams(location.search).get('errors'))).toBe('some');
    expect(await panel.evaluate(() => new URLSearchParams(location.search).get('tabId'))).not.toBeNull();

    // A reload keeps the filter (it is in the URL).
    // (Reloaded from the page: a driver's reload of an extension page never returns in Firefox.)
    await panel.evaluate(() => {
      (window as { beforeReload?: boolean }).beforeReload = true;
      setTimeout(() => location.reload(), 0);
    });
    await expect.poll(() => panel.evaluate(() => (window as { beforeReload?: boolean }).beforeReload === undefined && document.readyState === 'complete'), POLL).toBe(true);
    await expect.poll(() => rowIds(panel), POLL).toEqual([failing.id]);
    await expect.poll(() => panel.evaluate(() => document.querySelector<HTMLSelectElement>('select[data-filter="errors"]')?.value), POLL).toBe('some');

    // Back to every session, then search a URL only the blog's session visited.
    await choose(panel, 'select[data-filter="errors"]', '');
    await expect.poll(() => rowIds(panel), POLL).toEqual([failing.id, clean.id].sort());
    await panel.fill('input[aria-label="Search sessions"]', 'checkout');
    await expect.poll(() => rowIds(panel), POLL).toEqual([clean.id]);
    await expect.poll(() => textsOf(panel, '[data-testid="search-count"]'), POLL).toEqual(['1 session']);
    expect(await panel.evaluate(() => new URLSearchParams(location.search).get('q'))).toBe('checkout');
    await panel.fill('input[aria-label="Search sessions"]', '');
    await expect.poll(() => rowIds(panel), POLL).toEqual([failing.id, clean.id].sort());

    // The failing session's detail: the waterfall has the API call, and its HAR parses and carries it.
    await panel.click(`tr[data-session-id="${failing.id}"]`);
    await expect.poll(() => textsOf(panel, '.session-detail .waterfall td.name'), POLL).toContain(`GET ${shop.origin}/api/ok`);
    const har = await panel.download(() => panel.click('[data-testid="download-har"]'));
    expect(har.fileName).toBe(`rumscope-session-${failing.id}.har`);
    const log = JSON.parse(har.text).log;
    expect(log.version).toBe('1.2');
    const call = log.entries.find((e: { request: { url: string } }) => e.request.url === `${shop.origin}/api/ok`);
    expect(call).toMatchObject({ request: { method: 'GET' }, response: { status: 200 } });

    await Promise.all([panel.close(), other.close(), page.close()]);
  });
});
