/**
 * The Sessions dashboard in Chromium and Firefox ESR over sessions recorded through the real capture path:
 * KPI cards, the error-count filter (kept in the URL), search by a visited URL, and the session detail's HAR;
 * search over postings the background compacted into blocks, a deleted session not shown.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BROWSERS, textsOf, type DriverPage, useDriver } from './support/driver';
import { choose, reloadPanel, rowIds } from './support/panelPage';
import { sendCommandVia } from './support/lifeDriver';
import { startDemoServer, type DemoServer } from '../../demo/server';
import { sessionKey } from '../../sdk/model/sessionKey';

let shop: DemoServer;
let blog: DemoServer;
beforeAll(async () => {
  [shop, blog] = await Promise.all([startDemoServer(), startDemoServer()]);
});
afterAll(async () => {
  await Promise.all([shop?.close(), blog?.close()]);
});

const POLL = { timeout: 10_000, interval: 100 };

const kpi = async (panel: DriverPage, id: string) => (await textsOf(panel, `[data-kpi="${id}"] .value`))[0];

describe.each(BROWSERS)('Sessions dashboard in %s', (kind) => {
  const driver = useDriver(kind);

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
    // The URL is written after the answer is painted.
    await expect.poll(() => panel.evaluate(() => new URLSearchParams(location.search).get('errors')), POLL).toBe('some');
    expect(await panel.evaluate(() => new URLSearchParams(location.search).get('tabId'))).not.toBeNull();

    // A reload keeps the filter (it is in the URL).
    await reloadPanel(panel, POLL);
    await expect.poll(() => rowIds(panel), POLL).toEqual([failing.id]);
    await expect.poll(() => panel.evaluate(() => document.querySelector<HTMLSelectElement>('select[data-filter="errors"]')?.value), POLL).toBe('some');

    // Back to every session, then search a URL only the blog's session visited.
    await choose(panel, 'select[data-filter="errors"]', '');
    await expect.poll(() => rowIds(panel), POLL).toEqual([failing.id, clean.id].sort());
    await panel.fill('input[aria-label="Search sessions"]', 'checkout');
    await expect.poll(() => rowIds(panel), POLL).toEqual([clean.id]);
    await expect.poll(() => textsOf(panel, '[data-testid="search-count"]'), POLL).toEqual(['1 session']);
    // The hit's snippets (read after the count), the word marked in each.
    await expect.poll(() => textsOf(panel, `.hits [data-session-id="${clean.id}"] mark`), POLL).toEqual(['checkout', 'Checkout']);
    await expect.poll(() => panel.evaluate(() => new URLSearchParams(location.search).get('q')), POLL).toBe('checkout');
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

describe.each(BROWSERS)('Search over compacted postings in %s', (kind) => {
  // A browser of its own: only this test's sessions are stored.
  const driver = useDriver(kind);

  test('sessions recorded and compacted by the background are found by the panel; a deleted one is not shown', async () => {
    const plain = await startDemoServer();
    try {
      // Two sessions visit the checkout page (shop after its home page, blog at once); a third does not.
      const page = await driver.openPage(shop.origin + '/');
      await page.click('#add-tea');
      await page.goto(shop.origin + '/checkout.html');
      const other = await driver.openPage(blog.origin + '/checkout.html');
      const third = await driver.openPage(plain.origin + '/');
      await third.click('#add-coffee');
      await expect.poll(async () => (await driver.readStore('sessions')).length, POLL).toBe(3);
      const sessions = await driver.readStore('sessions');
      const idOf = (site: DemoServer): string => sessions.find((s) => s.site === site.origin)!.id;
      const [bought, read, browsed] = [idOf(shop), idOf(blog), idOf(plain)];
      const checkoutViews = async () => (await driver.readStore('events')).filter((e) => e.type === 'view' && e.url.endsWith('/checkout.html')).map((e) => e.sessionId);
      await expect.poll(async () => (await checkoutViews()).sort(), POLL).toEqual([bought, read].sort());
      await Promise.all([page.close(), other.close()]);

      // The test-only command runs the background's compaction to the end: the checkout postings are blocks now.
      expect((await sendCommandVia(driver, 'compactSearchPostings', {})).moved).toBeGreaterThan(0);
      // The blocks hold the sessions' keys (sdk/model/sessionKey.ts): read in the extension as plain numbers.
      const keyOf = new Map([bought, read, browsed].map((id) => [sessionKey(id), id]));
      const checkoutIds = async () =>
        (
          await driver.evaluateInExtension(async () => {
            const open = indexedDB.open('rumscope');
            const db: IDBDatabase = await new Promise((ok, ko) => ((open.onsuccess = () => ok(open.result)), (open.onerror = () => ko(open.error))));
            const blocks: { kind: string; term: string; keys: Float64Array }[] = await new Promise((ok, ko) => {
              const request = db.transaction('searchBlocks').objectStore('searchBlocks').getAll();
              request.onsuccess = () => ok(request.result);
              request.onerror = () => ko(request.error);
            });
            db.close();
            return blocks.filter((b) => b.kind === 'url' && b.term === 'checkout').flatMap((b) => Array.from(b.keys));
          })
        )
          .map((key) => keyOf.get(key) ?? `unknown key ${key}`)
          .sort();
      expect(await checkoutIds()).toEqual([bought, read].sort());
      expect((await driver.readStore('searchTerms')).filter((row) => row.term === 'checkout')).toEqual([]);

      const panel = await driver.openPanel(await driver.tabIdOf(third.url()));
      await expect.poll(() => rowIds(panel), POLL).toEqual([bought, read, browsed].sort());
      await panel.fill('input[aria-label="Search sessions"]', 'checkout');
      await expect.poll(() => rowIds(panel), POLL).toEqual([bought, read].sort());
      await expect.poll(() => textsOf(panel, '[data-testid="search-count"]'), POLL).toEqual(['2 sessions']);

      // Deleted: its id stays in its block until its day expires, and the panel shows it nowhere.
      expect(await sendCommandVia(driver, 'deleteSessions', { sessionIds: [bought] })).toEqual({ deleted: 1 });
      await expect.poll(() => rowIds(panel), POLL).toEqual([read]);
      await expect.poll(() => textsOf(panel, '[data-testid="search-count"]'), POLL).toEqual(['1 session']);
      expect(await checkoutIds()).toContain(bought);
      await panel.fill('input[aria-label="Search sessions"]', '');
      await expect.poll(() => rowIds(panel), POLL).toEqual([read, browsed].sort());

      await Promise.all([panel.close(), third.close()]);
    } finally {
      await plain.close();
    }
  });
});
