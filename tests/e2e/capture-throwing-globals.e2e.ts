/**
 * The capture never throws into the page (Chromium and Firefox ESR): a page that replaces addEventListener,
 * timers, fetch, XMLHttpRequest, history, console, observers… with throwing versions (after the capture started)
 * sees exactly what it sees without Rumscope, and Rumscope still records what it can.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDemoServer, type DemoServer } from '../../demo/server';
import { eventsOf, waitFor } from './support/capture';
import { BROWSERS, launchDriver, launchPlainBrowser, type DriverPage } from './support/driver';

let demo: DemoServer;
beforeAll(async () => {
  demo = await startDemoServer();
});
afterAll(async () => {
  await demo?.close();
});

const PAGE = '/fixtures/throwing-globals.html';
/** What the page logs of itself (tests/fixtures/throwing-globals.js), with or without Rumscope. */
const EXPECTED_LOG = [
  'globals replaced',
  'ready',
  'clicked 1',
  'clicked 2',
  'fetch threw: hostile fetch',
  'fetch 200',
  'pushState threw: hostile pushState',
  'xhr threw: hostile xhr.open',
  'console.error threw: hostile console.error',
];

const pageLog = (page: DriverPage) => page.evaluate(() => [...((window as unknown as { __log: string[] }).__log ?? [])]);

/** The same visit in any browser: clicks (web-vitals reacts to them later, from idle callbacks), a fetch, a pushState. */
async function visit(page: DriverPage) {
  await waitFor(() => pageLog(page), (log) => log.includes('ready'), 'the page script');
  await page.click('#count');
  await page.click('#count');
  await page.click('#fetch');
  await waitFor(() => pageLog(page), (log) => log.includes('fetch 200'), 'the page fetch');
  await page.click('#push');
  await page.click('#name');
  // Long enough for what web-vitals defers to idle time or the next frame (capped at 1 s) to have run.
  await new Promise((ok) => setTimeout(ok, 2000));
  return { log: await pageLog(page), errors: page.pageErrors() };
}

describe.each(BROWSERS)('a page with throwing globals in %s', (kind) => {
  test('behaves exactly as without Rumscope, and Rumscope still records its view, clicks and API call', { timeout: 300_000 }, async () => {
    const plain = await launchPlainBrowser(kind);
    let without: Awaited<ReturnType<typeof visit>>;
    try {
      without = await visit(await plain.openPage(demo.origin + PAGE));
    } finally {
      await plain.close();
    }
    expect(without).toEqual({ log: EXPECTED_LOG, errors: [] });

    const driver = await launchDriver(kind);
    try {
      const url = demo.origin + PAGE;
      const page = await driver.openPage(url);
      const withRumscope = await visit(page);
      // Nothing of Rumscope's reaches the page: no uncaught error, no unhandled rejection, its own calls unchanged.
      expect(withRumscope).toEqual(without);

      const events = await waitFor(
        () => eventsOf(driver, url),
        (list) => list.some((e) => e.type === 'api') && list.filter((e) => e.type === 'action').length >= 2,
        'the recorded events',
      );
      expect(events.filter((e) => e.type === 'view')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'action').map((e) => e.name).slice(0, 2)).toEqual(['Count', 'Count']);
      expect(events.filter((e) => e.type === 'api').map((e) => [e.method, new URL(e.url).pathname, e.status])).toEqual([['GET', '/api/ok', 200]]);
      // And nothing failed inside the capture either (its guard would have reported an internal error).
      expect(events.filter((e) => e.type === 'error')).toEqual([]);
    } finally {
      await driver.close();
    }
  });
});
