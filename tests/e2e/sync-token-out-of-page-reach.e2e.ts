/**
 * Sync with a team server, set up in the options page: the upload token is kept in the extension's own database,
 * never in storage.local (which content scripts, so a compromised page renderer, can read), and ended sessions
 * still reach the server (a real one, on an SQLite file, listening on 127.0.0.1).
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BROWSERS, launchDriver, textsOf, type Driver } from './support/driver';
import { sendCommandVia } from './support/lifeDriver';
import { startDemoServer, type DemoServer } from '../../demo/server';
import { countRows, seedAdmin, startTestApp, type TestApp } from '../../server/testing/harness';
import { createTestDatabase, type TestDatabase } from '../../server/testing/testStores';

const POLL = { timeout: 20_000, interval: 200 };

let demo: DemoServer;
let database: TestDatabase;
let server: TestApp;
let serverUrl: string;
let token: string;
beforeAll(async () => {
  demo = await startDemoServer();
  database = await createTestDatabase('sqlite');
  server = await startTestApp(database);
  ({ token } = await seedAdmin(server.store));
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  serverUrl = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await Promise.all([demo?.close(), server?.close()]);
  await database?.drop();
});

describe.each(BROWSERS)('sync token in %s', (kind) => {
  let driver: Driver;
  beforeAll(async () => {
    driver = await launchDriver(kind);
  }, 180_000);
  afterAll(async () => {
    await driver?.close();
  });

  test('saved in the options page, it is not in storage.local, and an ended session reaches the team server', async () => {
    const before = await countRows(server.store, 'sessions');
    const page = await driver.openPage(demo.origin + '/');
    await page.click('#add-tea');
    const tabId = await driver.tabIdOf(page.url());
    await expect.poll(async () => (await driver.readStore('events')).some((e) => e.tabId === tabId && e.type === 'action'), POLL).toBe(true);
    const { sessionId } = await sendCommandVia(driver, 'endTabSession', { tabId });
    expect(sessionId).not.toBeNull();

    const options = await driver.openExtensionPage('extension/options/index.html', '#syncToken');
    await options.fill('#syncUrl', serverUrl);
    await options.fill('#syncToken', token);
    await options.click('[data-testid="save"]');
    await expect.poll(() => textsOf(options, '[data-testid="message"]'), POLL).toEqual(['Saved. New sessions use these settings; nothing needs a reload.']);

    // Everything in storage.local, as a content script reads it: the server URL, never the token.
    const local = await driver.evaluateInExtension(async () => {
      const api = ((globalThis as any).browser ?? (globalThis as any).chrome) as typeof chrome;
      return api.storage.local.get(null);
    });
    expect(JSON.stringify(local)).not.toContain(token);
    expect((local['rumscope.settings'] as { sync: unknown }).sync).toEqual({ url: serverUrl });
    // It is in the extension's database, which only the background and the extension's pages open.
    expect((await driver.readStore('credentials')).map((c) => [c.name, c.token])).toEqual([['sync', token]]);

    // Sync works with it: saving started a pass, and the ended session is on the server.
    await expect
      .poll(async () => (await driver.readStore('meta')).find((m) => m.key === 'sync')?.value, POLL)
      .toMatchObject({ lastError: null, uploaded: { [sessionId!]: expect.any(Number) } });
    expect(await countRows(server.store, 'sessions')).toBe(before + 1);
    const stored = await server.store.db.selectFrom('sessions').select('id').where('id', '=', sessionId!).execute();
    expect(stored).toHaveLength(1);

    // The options page opened again shows the saved token (read from the database).
    await options.close();
    const again = await driver.openExtensionPage('extension/options/index.html', '#syncToken');
    await expect.poll(() => again.evaluate(() => document.querySelector<HTMLInputElement>('#syncToken')?.value), POLL).toBe(token);
    await again.close();
    await page.close();
  });
});
