/**
 * "Export as Playwright test" over a visit recorded through the real capture path, in Chromium and Firefox ESR:
 * the fields the visit filled are stored as input actions (label and selector, never the value), and the script
 * the session detail exports runs green with @playwright/test (Playwright's runner, in Chromium from PATH)
 * against the demo app, its masked values given through the environment.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDemoServer, type DemoServer } from '../../demo/server';
import { BROWSERS, useDriver } from './support/driver';
import { CHROMIUM_FLAGS } from './support/chromium';
import { findBrowser } from './support/findBrowser';
import { rowIds } from './support/panelPage';

const require = createRequire(import.meta.url);
const playwrightCli = join(dirname(require.resolve('@playwright/test/package.json')), 'cli.js');

const POLL = { timeout: 15_000, interval: 100 };
const EMAIL = 'CANARY-tea-lover@example.com';
const PASSWORD = 'CANARY-s3cret-pass';

let shop: DemoServer;
beforeAll(async () => {
  shop = await startDemoServer();
});
afterAll(async () => {
  await shop?.close();
});

/** Runs one exported script with Playwright's own runner; resolves with its exit code and output. */
async function runExported(kind: string, script: string, env: Record<string, string>) {
  // Inside the repository, so that the script's `@playwright/test` import resolves to this project's copy.
  const dir = join(process.cwd(), '.tmp', `playwright-export-${kind}-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'session.spec.ts'), script);
  const config = {
    testDir: '.',
    outputDir: join(dir, 'test-results'),
    reporter: 'line',
    workers: 1,
    timeout: 60_000,
    use: { browserName: 'chromium', headless: true, launchOptions: { executablePath: findBrowser('chromium'), args: CHROMIUM_FLAGS } },
  };
  await writeFile(join(dir, 'playwright.config.mjs'), `export default ${JSON.stringify(config, null, 2)};\n`);
  try {
    return await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(process.execPath, [playwrightCli, 'test', '--config', 'playwright.config.mjs'], { cwd: dir, env: { ...process.env, ...env, CI: '1' } }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}\n${stderr}` }),
      );
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe.each(BROWSERS)('Export as Playwright test in %s', (kind) => {
  const driver = useDriver(kind);

  test('a recorded visit that fills a form is exported as a Playwright test that runs green against the demo app', async () => {
    // The visit: a click, an uncaught error, a link to the checkout, two fields filled, the form submitted.
    const page = await driver.openPage(shop.origin + '/');
    await page.click('#add-tea');
    await page.click('#throw');
    await page.click('a[href="/checkout.html"]');
    await expect.poll(() => page.url(), POLL).toBe(shop.origin + '/checkout.html');
    await page.fill('input[name="email"]', EMAIL);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button[type="submit"]');
    await expect.poll(() => page.evaluate(() => document.getElementById('status')?.textContent), POLL).toBe('Thank you!');

    // Stored: each field change as an input action by label and selector; neither value anywhere.
    const inputs = async () =>
      (await driver.readStore('events')).filter((e) => e.type === 'action' && e.action === 'input').map((e) => [e.name, e.selector]);
    await expect.poll(inputs, POLL).toEqual([
      ['Email', '#checkout > label:nth-of-type(1) > input'],
      ['Password', '#checkout > label:nth-of-type(2) > input'],
    ]);
    await expect.poll(async () => (await driver.readStore('events')).some((e) => e.type === 'action' && e.action === 'submit'), POLL).toBe(true);
    const stored = JSON.stringify(await driver.readStore('events'));
    expect(stored).not.toContain('CANARY');
    const [session] = await driver.readStore('sessions');

    // The session detail exports the script: the fills read named placeholders, never a recorded value.
    const panel = await driver.openPanel(await driver.tabIdOf(page.url()));
    await expect.poll(() => rowIds(panel), POLL).toEqual([session!.id]);
    await panel.click(`tr[data-session-id="${session!.id}"]`);
    await expect.poll(() => panel.evaluate(() => document.querySelector<HTMLButtonElement>('[data-testid="export-playwright"]')?.disabled), POLL).toBe(false);
    const exported = await panel.download(() => panel.click('[data-testid="export-playwright"]'));
    expect(exported.fileName).toBe(`rumscope-session-${session!.id}.spec.ts`);
    expect(exported.text).not.toContain('CANARY');
    expect(exported.text).toContain('await page.locator("#checkout > label:nth-of-type(1) > input").fill(inputs.email);');
    expect(exported.text).toContain('Demo failure: cart is undefined');

    // Playwright's runner plays it against the demo app: every step, URL and the error the session saw.
    const run = await runExported(kind, exported.text, { RUMSCOPE_INPUT_EMAIL: 'someone@example.com', RUMSCOPE_INPUT_PASSWORD: 'any password' });
    expect(run.output).toMatch(/1 passed/);
    expect(run.code, run.output).toBe(0);

    await Promise.all([panel.close(), page.close()]);
  });
});
