/**
 * Nothing is lost when the page goes away: loops of each way a user leaves a page right after acting on it,
 * in both browsers, counting every click and every page view stored (exactly once each).
 * RUMSCOPE_EXIT_LOOPS sets the iterations per kind (default 20; `npm run soak` runs hundreds).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BROWSERS, launchDriver, type Driver, type DriverPage } from './support/driver';
import { startDemoServer, type DemoServer } from '../../demo/server';

const LOOPS = Math.max(1, Number(process.env.RUMSCOPE_EXIT_LOOPS) || 20);

let demo: DemoServer;
beforeAll(async () => {
  demo = await startDemoServer();
});
afterAll(async () => {
  await demo?.close();
});

type Kind = 'link' | 'goto' | 'tabclose' | 'windowclose' | 'reload' | 'early';
const pause = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
/** The user acts 150–400 ms after the load event, as in the measurements. */
const userDelay = () => pause(150 + Math.random() * 250);
const pageUrl = (kind: Kind, i: number, extra = '') => `${demo.origin}/fixtures/exit.html?k=${kind}&i=${i}${extra}`;
/** Half the clicks get no reaction from the page (the SDK keeps them pending), half a late one. */
const button = (i: number) => (i % 2 ? '#react' : '#quiet');

/**
 * Clicks a button and returns once the page has seen the click (the fixture counts them). A driver's click can
 * resolve before the page handled it, and a tab closed at once then never had the click at all.
 */
async function clickSeen(page: DriverPage, selector: string) {
  await page.click(selector);
  const end = Date.now() + 5_000;
  while (!(await page.evaluate(() => document.body.dataset.clicks === '1'))) {
    if (Date.now() > end) throw new Error(`the page never saw the click on ${selector}`);
    await pause(5);
  }
}

async function loaded(page: DriverPage, part: string) {
  const end = Date.now() + 15_000;
  for (;;) {
    const ok = await page
      .evaluate((p) => location.href.includes(p) && document.readyState === 'complete', part)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${part}`);
    await pause(20);
  }
}

interface Count {
  expected: number;
  stored: number;
  lost: number;
  duplicated: number;
  /** The first few lost, to look for them. */
  missing?: string[];
}
interface Tally {
  clicks: Count;
  views: Count;
}

/** Counts what was stored for one kind against what each iteration should have left. */
async function tally(driver: Driver, kind: Kind, expectedClicks: string[], expectedViews: string[]): Promise<Tally> {
  const read = async () => {
    const events = (await driver.readStore('events')).filter((e) => e.frameId === 0);
    const clicks = new Map<string, number>();
    const views = new Map<string, number>();
    for (const e of events) {
      // Buttons and links are named "<word> <kind> <index>" by the fixture.
      if (e.type === 'action' && e.action === 'click' && String(e.name).split(' ')[1] === kind) clicks.set(e.name, (clicks.get(e.name) ?? 0) + 1);
      if (e.type === 'view') {
        const params = new URL(e.url).searchParams;
        if (params.get('k') !== kind) continue;
        const key = `${params.get('i')}${params.has('to') ? ' to' : ''}${e.navigation === 'reload' ? ' reload' : ''}`;
        views.set(key, (views.get(key) ?? 0) + 1);
      }
    }
    return { clicks, views };
  };
  const count = (wanted: string[], got: Map<string, number>): Count => {
    const missing = wanted.filter((w) => !got.has(w));
    return {
      expected: wanted.length,
      stored: [...got.values()].reduce((a, b) => a + b, 0),
      lost: missing.length,
      duplicated: [...got.values()].reduce((a, b) => a + Math.max(0, b - 1), 0),
      ...(missing.length ? { missing: missing.slice(0, 10) } : {}),
    };
  };
  // Wait until everything arrived, or until nothing more arrives for a while.
  let last = '';
  let stableSince = Date.now();
  const end = Date.now() + 20_000;
  for (;;) {
    const got = await read();
    const result = { clicks: count(expectedClicks, got.clicks), views: count(expectedViews, got.views) };
    if (!result.clicks.lost && !result.views.lost) {
      await pause(500); // give a duplicate the time to show up
      const again = await read();
      return { clicks: count(expectedClicks, again.clicks), views: count(expectedViews, again.views) };
    }
    const key = JSON.stringify(result);
    if (key !== last) {
      last = key;
      stableSince = Date.now();
    }
    if (Date.now() - stableSince > 5_000 || Date.now() > end) return result;
    await pause(250);
  }
}

function report(browser: string, kind: Kind, t: Tally) {
  console.log(
    `[page-exit] ${browser} ${kind} x${LOOPS}: clicks ${t.clicks.stored}/${t.clicks.expected} lost ${t.clicks.lost} duplicated ${t.clicks.duplicated}; ` +
      `views ${t.views.stored}/${t.views.expected} lost ${t.views.lost} duplicated ${t.views.duplicated}` +
      (t.clicks.missing || t.views.missing ? ` (missing: ${[...(t.clicks.missing ?? []), ...(t.views.missing ?? [])].join(', ')})` : ''),
  );
}

describe.each(BROWSERS)('page exit in %s', (browser) => {
  let driver: Driver;
  beforeAll(async () => {
    driver = await launchDriver(browser);
  });
  afterAll(async () => {
    await driver?.close();
  });

  const check = async (kind: Kind, clicks: string[], views: string[]) => {
    const t = await tally(driver, kind, clicks, views);
    report(browser, kind, t);
    expect(t).toEqual({
      clicks: { expected: clicks.length, stored: clicks.length, lost: 0, duplicated: 0 },
      views: { expected: views.length, stored: views.length, lost: 0, duplicated: 0 },
    });
  };
  const timeout = 60_000 + LOOPS * 15_000;

  test('a click on a link that navigates', async () => {
    const page = await driver.openPage(`${demo.origin}/fixtures/exit.html`);
    const clicks: string[] = [];
    const views: string[] = [];
    for (let i = 0; i < LOOPS; i++) {
      await page.goto(pageUrl('link', i));
      await userDelay();
      await page.click('#next');
      await loaded(page, 'to=1');
      clicks.push(`Next link ${i}`);
      views.push(`${i}`, `${i} to`);
    }
    await page.goto(`${demo.origin}/fixtures/exit.html`);
    await check('link', clicks, views);
    await page.close();
  }, timeout);

  test('a click, then the browser navigates elsewhere (a typed address)', async () => {
    const page = await driver.openPage(`${demo.origin}/fixtures/exit.html`);
    const clicks: string[] = [];
    const views: string[] = [];
    for (let i = 0; i < LOOPS; i++) {
      await page.goto(pageUrl('goto', i));
      await userDelay();
      await clickSeen(page, button(i));
      await page.goto(pageUrl('goto', i, '&to=1'));
      clicks.push(`${i % 2 ? 'React' : 'Quiet'} goto ${i}`);
      views.push(`${i}`, `${i} to`);
    }
    await page.goto(`${demo.origin}/fixtures/exit.html`);
    await check('goto', clicks, views);
    await page.close();
  }, timeout);

  test('a click, then the tab is closed', async () => {
    const clicks: string[] = [];
    const views: string[] = [];
    for (let i = 0; i < LOOPS; i++) {
      const page = await driver.openPage(pageUrl('tabclose', i));
      await userDelay();
      await clickSeen(page, button(i));
      await page.close();
      clicks.push(`${i % 2 ? 'React' : 'Quiet'} tabclose ${i}`);
      views.push(`${i}`);
    }
    await check('tabclose', clicks, views);
  }, timeout);

  test('a click, then the window is closed', async () => {
    const clicks: string[] = [];
    const views: string[] = [];
    for (let i = 0; i < LOOPS; i++) {
      const url = pageUrl('windowclose', i);
      const windowId = await driver.evaluateInExtension(async (u: string) => {
        const api = (globalThis as unknown as { browser?: typeof chrome }).browser ?? chrome;
        return (await api.windows.create({ url: u }))?.id ?? -1;
      }, url);
      const page = await driver.findPage(url);
      await userDelay();
      await clickSeen(page, button(i));
      await driver.evaluateInExtension(async (id: number) => {
        const api = (globalThis as unknown as { browser?: typeof chrome }).browser ?? chrome;
        await api.windows.remove(id);
      }, windowId);
      clicks.push(`${i % 2 ? 'React' : 'Quiet'} windowclose ${i}`);
      views.push(`${i}`);
    }
    await check('windowclose', clicks, views);
  }, timeout);

  test('a click, then the page is reloaded at once', async () => {
    const page = await driver.openPage(`${demo.origin}/fixtures/exit.html`);
    const clicks: string[] = [];
    const views: string[] = [];
    for (let i = 0; i < LOOPS; i++) {
      await page.goto(pageUrl('reload', i));
      await userDelay();
      await clickSeen(page, button(i));
      await page.reload();
      clicks.push(`${i % 2 ? 'React' : 'Quiet'} reload ${i}`);
      views.push(`${i}`, `${i} reload`);
    }
    await page.goto(`${demo.origin}/fixtures/exit.html`);
    await check('reload', clicks, views);
    await page.close();
  }, timeout);

  test('a page left within 50 ms of its load event', async () => {
    const page = await driver.openPage(`${demo.origin}/fixtures/exit.html`);
    const views: string[] = [];
    for (let i = 0; i < LOOPS; i++) {
      await page.goto(pageUrl('early', i, `&leave=${Math.floor(Math.random() * 50)}`));
      await loaded(page, 'to=1');
      views.push(`${i}`, `${i} to`);
    }
    await page.goto(`${demo.origin}/fixtures/exit.html`);
    await check('early', [], views);
    await page.close();
  }, timeout);
});
