/** Browser restart and the back/forward cache, in Chromium and Firefox ESR. */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BROWSERS, launchDriver, type Driver } from './support/driver';
import { storageGet } from './support/lifeDriver';
import { startDemoServer, type DemoServer } from '../../demo/server';
import { PAGE_SOURCE, PAGE_UNLOAD_EVENT, PROTOCOL_VERSION } from '../../sdk/schema';

const POLL = { timeout: 15_000 };
let demo: DemoServer;
/**
 * The demo app without its `cache-control: no-store` (demo/server.ts): Firefox never keeps a no-store page in
 * the back/forward cache (the Chromium here does), so the bfcache test goes through this proxy in both browsers.
 */
let cacheable: Server;
let cacheableOrigin: string;
beforeAll(async () => {
  demo = await startDemoServer();
  cacheable = createServer((req, res) => {
    const upstream = request(demo.origin + req.url, { method: req.method, headers: req.headers }, (reply) => {
      const { 'cache-control': _dropped, ...headers } = reply.headers;
      res.writeHead(reply.statusCode ?? 502, headers);
      reply.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((ok) => cacheable.listen(0, '127.0.0.1', ok));
  cacheableOrigin = `http://127.0.0.1:${(cacheable.address() as AddressInfo).port}`;
});
afterAll(async () => {
  cacheable?.closeAllConnections();
  await new Promise((ok) => cacheable?.close(ok));
  await demo?.close();
});

/** The events of the load whose URL ends with `suffix`. */
async function loadEvents(driver: Driver, suffix: string) {
  const load = (await driver.readStore('loads')).find((l) => l.url.endsWith(suffix));
  return load ? (await driver.readStore('events')).filter((e) => e.loadId === load.id) : [];
}

/** How many times the background has started since the browser did (extension/background/countBoot.ts). */
const bootCount = async (driver: Driver): Promise<number> => (await storageGet(driver, 'session', 'rumscope.boots')) ?? 0;

describe.each(BROWSERS)('extension lifecycle in %s', (kind) => {
  const opened: Driver[] = [];
  afterAll(async () => {
    for (const driver of opened) await driver.close();
  });
  async function launch(options: Parameters<typeof launchDriver>[1]) {
    const driver = await launchDriver(kind, options);
    opened.push(driver);
    return driver;
  }

  test('sessions left open when the browser closed are ended at its next start; the next visit starts a new session', async () => {
    // Firefox: `restartable` installs the add-on in the profile (as a user has it): a temporary add-on would be
    // uninstalled, with its data, when the browser quits.
    const driver = await launch({ restartable: true });
    const page = await driver.openPage(demo.origin + '/?before-restart');
    await page.click('#add-tea');
    await expect.poll(async () => (await driver.readStore('sessions'))[0]?.counts.actions ?? 0, POLL).toBe(1);
    const [open] = await driver.readStore('sessions');
    expect(open.endedAt).toBeNull();

    await driver.restart();
    expect(await bootCount(driver)).toBe(1);
    await expect.poll(async () => (await driver.readStore('sessions')).find((s) => s.id === open.id)?.endReason, POLL).toBe('browser_closed');
    const ended = (await driver.readStore('sessions')).find((s) => s.id === open.id);
    expect(ended.endedAt).toBe(ended.lastEventAt);
    expect(ended.counts.actions).toBe(1);

    const again = await driver.openPage(demo.origin + '/?after-restart');
    await again.click('#add-coffee');
    const fresh = async () => (await driver.readStore('sessions')).find((s) => s.id !== open.id);
    await expect.poll(async () => (await fresh())?.counts.actions, POLL).toBe(1);
    expect(await fresh()).toMatchObject({ endedAt: null, endReason: null });
    expect(await driver.readStore('sessions')).toHaveLength(2);
    await again.close();
  });

  test('back/forward cache round trips, one with the background stopped meanwhile: every event stored exactly once', async () => {
    const driver = await launch({ backForwardCache: true });
    const page = await driver.openPage(cacheableOrigin + '/?bfcache', {
      initScript: () => {
        const shows: boolean[] = [];
        Object.defineProperty(window, '__shows', { value: shows });
        addEventListener('pageshow', (event) => shows.push(event.persisted));
      },
    });
    const shows = () => page.evaluate(() => (window as any).__shows as boolean[]).catch(() => null);
    const actions = async () => (await loadEvents(driver, '?bfcache')).filter((e) => e.type === 'action');
    /**
     * Away to the checkout page by the page itself (a link would do the same). Not `page.goto`: puppeteer's next
     * goto after Firefox restored a page from the cache waits for a load event that never comes.
     */
    const leave = async () => {
      await page.evaluate((url) => void location.assign(url), cacheableOrigin + '/checkout.html');
      await expect
        .poll(() => page.evaluate(() => location.pathname === '/checkout.html' && document.readyState === 'complete').catch(() => false), POLL)
        .toBe(true);
    };
    await page.click('#add-tea');
    await page.click('#add-tea');
    await expect.poll(async () => (await actions()).length, POLL).toBe(2);

    // Away and back: the page comes back from the cache (its port was closed on the way in), clicks go on.
    await leave();
    await page.goBack();
    await expect.poll(shows, POLL).toEqual([false, true]);
    await page.click('#add-coffee');
    await expect.poll(async () => (await actions()).length, POLL).toBe(3);

    // Away, the background stopped while the page sits in the cache, back, and more clicks.
    await page.click('#add-cake');
    await leave();
    const boots = await bootCount(driver);
    await driver.stopBackground();
    await page.goBack();
    await expect.poll(shows, POLL).toEqual([false, true, true]);
    await page.click('#add-tea');
    await expect.poll(async () => (await actions()).length, POLL).toBe(5);
    expect(await bootCount(driver)).toBeGreaterThan(boots);

    const events = await loadEvents(driver, '?bfcache');
    expect((await actions()).map((e) => e.name)).toEqual(['Add tea to cart', 'Add tea to cart', 'Add coffee to cart', 'Add cake to cart', 'Add tea to cart']);
    const seqs = events.map((e) => e.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(new Set(events.map((e) => e.sessionId)).size).toBe(1);

    // A message the SDK posted and handed over again at a pagehide into the cache (its posted copy is delivered
    // after the restore) is stored once; another message, with its own id, is stored too.
    const { sessionId: _s, loadId: _l, seq: _q, tabId: _t, frameId: _f, schema: _v, ...action } = (await actions())[0]!;
    await page.evaluate(
      ({ base, unload, head }) => {
        const message = (id: string, name: string) => ({ ...head, id, events: [{ ...base, name, time: Date.now() }] });
        dispatchEvent(new CustomEvent(unload, { detail: JSON.stringify(message('copy:1', 'Handed over then posted')) }));
        postMessage(message('copy:1', 'Handed over then posted'), location.origin);
        postMessage(message('copy:2', 'Posted once'), location.origin);
      },
      { base: action, unload: PAGE_UNLOAD_EVENT, head: { source: PAGE_SOURCE, protocol: PROTOCOL_VERSION, kind: 'events' } },
    );
    await expect.poll(async () => (await actions()).length, POLL).toBe(7);
    await new Promise((ok) => setTimeout(ok, 500)); // time for a duplicate to show up
    expect((await actions()).slice(5).map((e) => e.name)).toEqual(['Handed over then posted', 'Posted once']);
    await page.close();
  });
});
