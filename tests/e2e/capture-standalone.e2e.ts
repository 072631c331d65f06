/**
 * The standalone build (<dist>/sdk/rumscope.mjs, built by scripts/buildSdk.ts) in an app, in Chromium without
 * the extension: the same API as openobserveRum, the session in localStorage shared by tabs and reloads.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDemoServer, type DemoServer } from '../../demo/server';
import { CHROMIUM_FLAGS, distDir } from './support/chromium';
import { findBrowser } from './support/findBrowser';

let demo: DemoServer;
let browser: Browser;
let sdk: string;

beforeAll(async () => {
  sdk = await readFile(resolve(distDir('chrome'), '../sdk/rumscope.mjs'), 'utf8');
  demo = await startDemoServer();
  browser = await chromium.launch({ executablePath: findBrowser('chromium'), headless: true, args: CHROMIUM_FLAGS });
});
afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

/** Opens a demo page in `context` and starts the app's SDK from the built module, keeping batches in window.__batches. */
async function openApp(page: Page, url: string) {
  // The module and the chunks it imports (a package's files, as an app's bundler would serve them).
  await page.route('**/sdk/*.*js', async (route) => {
    const name = basename(new URL(route.request().url()).pathname);
    const body = name === 'rumscope.mjs' ? sdk : await readFile(resolve(distDir('chrome'), '../sdk', name), 'utf8');
    await route.fulfill({ body, contentType: 'text/javascript' });
  });
  await page.goto(url);
  await page.addScriptTag({
    type: 'module',
    content: `
      import { openobserveRum } from '/sdk/rumscope.mjs';
      window.__batches = [];
      openobserveRum.init({ service: 'demo-app', env: 'test', version: '1.0.0', transport: (b) => window.__batches.push(b) });
      openobserveRum.setUser({ id: 'u7', email: 'tester@example.com' });
      window.__ready = true;`,
  });
  await page.waitForFunction(() => (window as any).__ready === true);
}

const batches = (page: Page) => page.evaluate(() => (window as any).__batches as { sessionId: string; events: { type: string; name?: string }[] }[]);

describe('standalone SDK in Chromium (no extension)', () => {
  test('one session in localStorage for two tabs and a reload; events reach the transport hook', async () => {
    const context = await browser.newContext();
    const a = await context.newPage();
    await openApp(a, `${demo.origin}/?standalone=a`);
    await a.click('#add-tea');
    await expect.poll(async () => (await batches(a)).flatMap((b) => b.events).some((e) => e.type === 'action' && e.name === 'Add tea to cart')).toBe(true);
    const stored = await a.evaluate(() => localStorage.getItem('rumscope_session'));
    expect(stored).toMatch(/^id=[\w-]+&created=\d+&expire=\d+&rum=1&replay=0$/);
    const sessionId = new URLSearchParams(stored!).get('id');
    expect(new Set((await batches(a)).map((b) => b.sessionId))).toEqual(new Set([sessionId]));
    expect(await a.evaluate(() => [typeof (window as any).openobserveRum, (window as any).openobserveRum === (window as any).rumscope])).toEqual(['object', true]);

    const b = await context.newPage();
    await openApp(b, `${demo.origin}/checkout.html?standalone=b`);
    expect(await b.evaluate(() => (window as any).openobserveRum.getInternalContext().session_id)).toBe(sessionId);
    await openApp(a, `${demo.origin}/?standalone=a-reloaded`);
    expect(await a.evaluate(() => (window as any).openobserveRum.getInternalContext().session_id)).toBe(sessionId);
    const types = new Set((await batches(b)).flatMap((x) => x.events.map((e) => e.type)));
    for (const type of ['view', 'context', 'resource', 'vital']) expect(types, type).toContain(type);
    await context.close();
  });
});
