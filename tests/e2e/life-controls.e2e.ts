import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium, readStore, tabIdOf, type ChromiumWithExtension } from './support/chromium';
import { patchSettings, setTestHooks } from './support/life';
import { startDemoServer, type DemoServer } from '../../demo/server';

const POLL = { timeout: 10_000 };
let ext: ChromiumWithExtension;
let demo: DemoServer;
let other: DemoServer;

beforeAll(async () => {
  [ext, demo, other] = await Promise.all([launchChromium(), startDemoServer(), startDemoServer(0, '127.0.0.2')]);
});
afterAll(async () => {
  await ext?.close();
  await Promise.all([demo?.close(), other?.close()]);
});

const extUrl = (path: string) => `chrome-extension://${ext.extensionId}/${path}`;
const sessionsOf = async (site: string) => (await readStore(ext, 'sessions')).filter((s) => s.site === site);

async function openPopup(tabId: number): Promise<Page> {
  const popup = await ext.context.newPage();
  await popup.goto(extUrl(`extension/popup/index.html?tabId=${tabId}`));
  return popup;
}

describe('popup, panel and options (Chromium)', () => {
  test('popup: switch a site on, reload to record it, see its counts, end the session, open the Sessions panel', async () => {
    const page = await ext.context.newPage();
    await page.goto(other.origin + '/');
    const tabId = await tabIdOf(ext, page.url());
    const popup = await openPopup(tabId);
    await expect.poll(() => popup.getByTestId('recording').innerText(), POLL).toBe('Not recording: this site is not allowed yet.');
    await expect.poll(() => popup.getByTestId('site').innerText()).toBe(other.origin);

    await popup.getByTestId('site-switch').check();
    await expect.poll(() => popup.getByTestId('recording').innerText(), POLL).toContain('Recording this site.');
    const sw = await ext.worker();
    expect(((await sw.evaluate(() => chrome.storage.local.get('rumscope.settings'))) as any)['rumscope.settings'].siteAccess.allow).toContain(other.origin);

    await popup.getByTestId('reload').click();
    await page.waitForLoadState('load');
    await page.click('#add-tea');
    await page.click('#add-coffee');
    await expect.poll(() => popup.getByTestId('count-actions').innerText(), POLL).toBe('2');
    await expect.poll(() => popup.getByTestId('count-views').innerText()).toBe('1');

    const [first] = await sessionsOf(other.origin);
    await popup.getByTestId('end-session').click();
    await expect.poll(() => popup.getByTestId('notice').innerText(), POLL).toContain('Session ended');
    await expect.poll(async () => (await sessionsOf(other.origin)).find((s) => s.id === first.id)?.endReason, POLL).toBe('user');
    await page.click('#add-cake');
    await expect.poll(async () => (await sessionsOf(other.origin)).length, POLL).toBe(2);
    await expect.poll(() => popup.getByTestId('count-actions').innerText(), POLL).toBe('1');

    const [panel] = await Promise.all([ext.context.waitForEvent('page'), popup.getByTestId('open-sessions').click()]);
    await panel.waitForLoadState();
    expect(panel.url()).toBe(extUrl(`panel/index.html?tabId=${tabId}`));
    await expect.poll(() => panel.locator('tbody tr.current').count(), POLL).toBe(1);

    // Off again: the popup says so and the page's next events are not stored.
    await popup.getByTestId('site-switch').uncheck();
    await expect.poll(() => popup.getByTestId('recording').innerText(), POLL).toBe('Not recording: this site is not allowed yet.');
    await Promise.all([popup.close(), panel.close(), page.close()]);
  });

  test('panel: pin, end, export all (one JSON bundle), delete picked, delete all; storage used and the quota warning', async () => {
    const pages = await Promise.all(['/?one', '/?two'].map(async (path) => {
      const page = await ext.context.newPage();
      await page.goto(demo.origin + path);
      await page.click('#add-tea');
      return page;
    }));
    const tabId = await tabIdOf(ext, pages[1]!.url());
    const panel = await ext.context.newPage();
    await panel.goto(ext.panelUrl(tabId));
    const rows = panel.locator('tbody tr[data-session-id]');
    await expect.poll(() => rows.count(), POLL).toBeGreaterThanOrEqual(2);
    const headers = await panel.locator('thead th').allInnerTexts();
    expect(headers.slice(0, 5)).toEqual(['Timestamp', 'User Email', 'Time Spent', 'Error Count', 'Location']);
    await expect.poll(() => panel.getByTestId('storage-used').innerText(), POLL).toMatch(/^[\d.]+ [KM]?B of 500 MB used$/);

    // Pin the tab's session from its row.
    const current = panel.locator('tbody tr.current');
    const currentId = await current.getAttribute('data-session-id');
    await current.locator('td.pin button').click();
    await expect.poll(async () => (await readStore(ext, 'sessions')).find((s) => s.id === currentId)?.pinned, POLL).toBe(1);
    await expect.poll(() => current.locator('td.pin button').getAttribute('aria-pressed')).toBe('true');

    // End the tab's session.
    await panel.getByTestId('end-session').click();
    await expect.poll(async () => (await readStore(ext, 'sessions')).find((s) => s.id === currentId)?.endReason, POLL).toBe('user');

    // Export all: one JSON bundle with every session and its events.
    const stored = await readStore(ext, 'sessions');
    const [download] = await Promise.all([panel.waitForEvent('download'), panel.getByTestId('export-all').click()]);
    expect(download.suggestedFilename()).toMatch(/^rumscope-sessions-.*\.json$/);
    const bundle = JSON.parse(await readFile((await download.path())!, 'utf8'));
    expect(bundle).toMatchObject({ format: 'rumscope.sessions', version: 1 });
    expect(bundle.sessions.map((s: any) => s.session.id).sort()).toEqual(stored.map((s) => s.id).sort());
    const eventCount = (await readStore(ext, 'events')).length;
    expect(bundle.sessions.reduce((n: number, s: any) => n + s.events.length, 0)).toBeLessThanOrEqual(eventCount);
    expect(bundle.sessions.find((s: any) => s.session.id === currentId).events.length).toBeGreaterThan(0);

    // Delete the picked (unpinned) sessions.
    const unpinned = stored.filter((s) => s.id !== currentId).map((s) => s.id);
    for (const id of unpinned) await panel.locator(`tbody tr[data-session-id="${id}"] td.pick input`).check();
    await panel.getByTestId('delete-picked').click();
    await expect.poll(async () => (await readStore(ext, 'sessions')).map((s) => s.id), POLL).toEqual([currentId]);
    await expect.poll(() => panel.getByTestId('notice').innerText()).toBe(`Deleted ${unpinned.length} session${unpinned.length === 1 ? '' : 's'}.`);

    // A refused write shows the warning; dismissing it hides it.
    await setTestHooks(ext, { failWrites: { count: 1, kind: 'abort' } });
    await pages[0]!.click('#add-coffee');
    await expect.poll(() => panel.getByTestId('storage-warning').count(), POLL).toBe(1);
    await panel.getByTestId('storage-warning').getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => panel.getByTestId('storage-warning').count(), POLL).toBe(0);

    // Delete all (after confirming), pinned ones too.
    await panel.getByTestId('delete-all').click();
    await panel.getByTestId('confirm-delete-all').click();
    await expect.poll(async () => (await readStore(ext, 'sessions')).length, POLL).toBe(0);
    await expect.poll(() => rows.count(), POLL).toBe(0);
    // The open pages go on recording, in new sessions.
    await pages[1]!.click('#add-cake');
    await expect.poll(async () => (await readStore(ext, 'sessions')).length, POLL).toBe(1);
    await Promise.all([panel.close(), ...pages.map((p) => p.close())]);
  });

  test('options: invalid values are refused field by field; valid ones are saved and shown', async () => {
    await patchSettings(ext, { siteAccess: { allow: ['http://127.0.0.1:*', 'http://localhost:*', 'http://[::1]:*'], block: [] } });
    const options = await ext.context.newPage();
    await options.goto(extUrl('extension/options/index.html'));
    await expect.poll(() => options.locator('#allow').inputValue(), POLL).toBe('http://127.0.0.1:*\nhttp://localhost:*\nhttp://[::1]:*');
    await expect.poll(() => options.getByTestId('storage-used').innerText(), POLL).toMatch(/^Stored: /);

    await options.locator('#allow').fill('https://shop.example.com\nnot a pattern');
    await options.locator('#testerEmail').fill('nope');
    await options.locator('#retentionDays').fill('7');
    await options.getByTestId('save').click();
    await expect.poll(() => options.getByTestId('message').innerText(), POLL).toContain('Not saved');
    expect(await options.locator('.issue[data-for="siteAccess.allow"]').innerText()).toContain('not a site pattern: not a pattern');
    expect(await options.locator('.issue[data-for="tester"]').innerText()).toContain('not an email address');
    const sw = await ext.worker();
    const stored = async (): Promise<any> => ((await sw.evaluate(() => chrome.storage.local.get('rumscope.settings'))) as any)['rumscope.settings'];
    expect((await stored()).retention.days).toBe(30);

    await options.locator('#allow').fill('https://shop.example.com\n*.example.org\nhttp://127.0.0.1:*');
    await options.locator('#testerEmail').fill('qa@example.com');
    await options.locator('#environment').fill('Staging');
    await options.getByTestId('save').click();
    await expect.poll(() => options.getByTestId('message').innerText(), POLL).toContain('Saved');
    expect(await stored()).toMatchObject({
      siteAccess: { allow: ['https://shop.example.com', '*.example.org', 'http://127.0.0.1:*'] },
      tester: { email: 'qa@example.com' },
      environment: 'Staging',
      retention: { days: 7 },
    });
    await options.close();
  });
});
