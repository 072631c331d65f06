/** The popup, Sessions panel and Options controls, in Chromium and Firefox ESR (extension pages opened as tabs). */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BROWSERS, type DriverPage, useDriver } from './support/driver';
import { byTestId, patchSettingsVia, setTestHooksVia, storageGet, textOf } from './support/lifeDriver';
import { startDemoServer, type DemoServer } from '../../demo/server';
import { readSettings } from '../../sdk/schema/validateSettings';

const POLL = { timeout: 10_000 };
let demo: DemoServer;
let other: DemoServer;

beforeAll(async () => {
  [demo, other] = await Promise.all([startDemoServer(), startDemoServer(0, '127.0.0.2')]);
});
afterAll(async () => {
  await Promise.all([demo?.close(), other?.close()]);
});

const text = (page: DriverPage, testId: string) => textOf(page, byTestId(testId));
const count = (page: DriverPage, selector: string) => page.evaluate((s) => document.querySelectorAll(s).length, selector);
const checked = (page: DriverPage, selector: string) => page.evaluate((s) => document.querySelector<HTMLInputElement>(s)!.checked, selector);
const attribute = (page: DriverPage, selector: string, name: string) =>
  page.evaluate(({ selector, name }) => document.querySelector(selector)?.getAttribute(name) ?? null, { selector, name });
const value = (page: DriverPage, selector: string) => page.evaluate((s) => document.querySelector<HTMLInputElement>(s)!.value, selector);

describe.each(BROWSERS)('popup, panel and options in %s', (kind) => {
  const driver = useDriver(kind);
  const sessionsOf = async (site: string) => (await driver.readStore('sessions')).filter((s) => s.site === site);

  test('popup: switch a site on, the open tab is recorded at once, see its counts, end the session, open the Sessions panel', async () => {
    const page = await driver.openPage(other.origin + '/');
    const tabId = await driver.tabIdOf(page.url());
    const popup = await driver.openExtensionPage(`extension/popup/index.html?tabId=${tabId}`, byTestId('recording'));
    await expect.poll(() => text(popup, 'recording'), POLL).toBe('Not recording: this site is not allowed yet.');
    await expect.poll(() => text(popup, 'site')).toBe(other.origin);

    await popup.click(byTestId('site-switch'));
    expect(await checked(popup, byTestId('site-switch'))).toBe(true);
    await expect.poll(() => text(popup, 'recording'), POLL).toContain('Recording this site.');
    expect((await storageGet(driver, 'local', 'rumscope.settings')).siteAccess.allow).toContain(other.origin);

    const loadsBefore = (await driver.readStore('loads')).length;
    // The open tab is recorded at once, without a reload (injected into the page that is already there).
    await expect.poll(() => text(popup, 'recording-since'), POLL).toMatch(/^Recording since \d\d:\d\d:\d\d$/);
    await expect.poll(() => page.evaluate(() => document.readyState === 'complete' && 'rumscope' in window).catch(() => false), POLL).toBe(true);
    await expect.poll(async () => (await driver.readStore('loads')).length, POLL).toBeGreaterThan(loadsBefore);
    await page.click('#add-tea');
    await page.click('#add-coffee');
    await expect.poll(() => text(popup, 'count-actions'), POLL).toBe('2');
    await expect.poll(() => text(popup, 'count-views')).toBe('1');

    const [first] = await sessionsOf(other.origin);
    await popup.click(byTestId('end-session'));
    await expect.poll(() => text(popup, 'notice'), POLL).toContain('Session ended');
    await expect.poll(async () => (await sessionsOf(other.origin)).find((s) => s.id === first.id)?.endReason, POLL).toBe('user');
    await page.click('#add-cake');
    await expect.poll(async () => (await sessionsOf(other.origin)).length, POLL).toBe(2);
    await expect.poll(() => text(popup, 'count-actions'), POLL).toBe('1');

    await popup.click(byTestId('open-sessions'));
    const panel = await driver.findPage(driver.extensionUrl(`extension/panelHost/index.html?tabId=${tabId}`));
    await expect.poll(() => count(panel, 'tbody tr.current'), POLL).toBe(1);

    // Off again: the popup says so and the setting no longer allows the site.
    await popup.click(byTestId('site-switch'));
    expect(await checked(popup, byTestId('site-switch'))).toBe(false);
    await expect.poll(() => text(popup, 'recording'), POLL).toBe('Not recording: this site is not allowed yet.');
    await Promise.all([popup.close(), panel.close(), page.close()]);
  });

  test('panel: pin, end, export all (one JSON bundle), delete picked, delete all; storage used and the quota warning', async () => {
    const pages = await Promise.all(
      ['/?one', '/?two'].map(async (path) => {
        const page = await driver.openPage(demo.origin + path);
        await page.click('#add-tea');
        return page;
      }),
    );
    // Both clicks stored before the session ends (Firefox may send a background tab's batch a second later).
    await expect.poll(async () => (await sessionsOf(demo.origin)).reduce((n, s) => n + s.counts.actions, 0), POLL).toBe(2);
    const tabId = await driver.tabIdOf(pages[1]!.url());
    const panel = await driver.openPanel(tabId);
    const rows = 'tbody tr[data-session-id]';
    await expect.poll(() => count(panel, rows), POLL).toBeGreaterThanOrEqual(2);
    const headers = await panel.evaluate(() => [...document.querySelectorAll<HTMLElement>('table.sessions thead th')].map((th) => th.innerText.trim()));
    expect(headers.slice(0, 5)).toEqual(['Timestamp', 'User Email', 'Time Spent', 'Error Count', 'Location']);
    await expect.poll(() => text(panel, 'storage-used'), POLL).toMatch(/^[\d.]+ [KM]?B of 500 MB used$/);

    // Pin the tab's session from its row.
    await expect.poll(() => count(panel, 'tbody tr.current'), POLL).toBe(1);
    const currentId = (await attribute(panel, 'tbody tr.current', 'data-session-id'))!;
    await panel.click('tbody tr.current td.pin button');
    await expect.poll(async () => (await driver.readStore('sessions')).find((s) => s.id === currentId)?.pinned, POLL).toBe(1);
    await expect.poll(() => attribute(panel, 'tbody tr.current td.pin button', 'aria-pressed')).toBe('true');

    // End the tab's session (the button is enabled once the panel has read the tab's running session).
    await expect.poll(() => attribute(panel, byTestId('end-session'), 'disabled'), POLL).toBeNull();
    await panel.click(byTestId('end-session'));
    await expect.poll(async () => (await driver.readStore('sessions')).find((s) => s.id === currentId)?.endReason, POLL).toBe('user');

    // Export all: one JSON bundle with every session and its events, saved as a download.
    const stored = await driver.readStore('sessions');
    const download = await panel.download(() => panel.click(byTestId('export-all')));
    expect(download.fileName).toMatch(/^rumscope-sessions-.*\.json$/);
    const bundle = JSON.parse(download.text);
    expect(bundle).toMatchObject({ format: 'rumscope.sessions', version: 1 });
    expect(bundle.sessions.map((s: any) => s.session.id).sort()).toEqual(stored.map((s) => s.id).sort());
    const eventCount = (await driver.readStore('events')).length;
    expect(bundle.sessions.reduce((n: number, s: any) => n + s.events.length, 0)).toBeLessThanOrEqual(eventCount);
    expect(bundle.sessions.find((s: any) => s.session.id === currentId).events.length).toBeGreaterThan(0);

    // Delete the picked (unpinned) sessions.
    const unpinned = stored.filter((s) => s.id !== currentId).map((s) => s.id);
    for (const id of unpinned) {
      // Clicked on the element itself: the dashboard above the list (KPI and cohort charts) may still be laying out,
      // and a click by coordinates (Firefox over BiDi) would land on whatever moved under it.
      await panel.evaluate((selector) => document.querySelector<HTMLInputElement>(selector)!.click(), `tbody tr[data-session-id="${id}"] td.pick input`);
      await expect.poll(() => checked(panel, `tbody tr[data-session-id="${id}"] td.pick input`), POLL).toBe(true);
    }
    await panel.click(byTestId('delete-picked'));
    await expect.poll(async () => (await driver.readStore('sessions')).map((s) => s.id), POLL).toEqual([currentId]);
    await expect.poll(() => text(panel, 'notice')).toBe(`Deleted ${unpinned.length} session${unpinned.length === 1 ? '' : 's'}.`);

    // A refused write shows the warning; dismissing it hides it.
    await setTestHooksVia(driver, { failWrites: { count: 1, kind: 'abort' } });
    await pages[0]!.click('#add-coffee');
    await expect.poll(() => count(panel, byTestId('storage-warning')), POLL).toBe(1);
    await panel.evaluate((s) => {
      const dismiss = [...document.querySelectorAll<HTMLButtonElement>(`${s} button`)].filter((b) => b.innerText.trim() === 'Dismiss');
      if (dismiss.length !== 1) throw new Error(`expected one Dismiss button, found ${dismiss.length}`);
      dismiss[0]!.click();
    }, byTestId('storage-warning'));
    await expect.poll(() => count(panel, byTestId('storage-warning')), POLL).toBe(0);

    // Delete all (after confirming), pinned ones too.
    await panel.click(byTestId('delete-all'));
    await panel.click(byTestId('confirm-delete-all'));
    await expect.poll(async () => (await driver.readStore('sessions')).length, POLL).toBe(0);
    await expect.poll(() => count(panel, rows), POLL).toBe(0);
    // The open pages go on recording, in new sessions.
    await pages[1]!.click('#add-cake');
    await expect.poll(async () => (await driver.readStore('sessions')).length, POLL).toBe(1);
    await Promise.all([panel.close(), ...pages.map((p) => p.close())]);
  });

  test('options: invalid values are refused field by field; valid ones are saved and shown', async () => {
    await patchSettingsVia(driver, { siteAccess: { allow: ['http://127.0.0.1:*', 'http://localhost:*', 'http://[::1]:*'], block: [] } });
    const options = await driver.openExtensionPage('extension/options/index.html', '#allow');
    await expect.poll(() => value(options, '#allow'), POLL).toBe('http://127.0.0.1:*\nhttp://localhost:*\nhttp://[::1]:*');
    await expect.poll(() => text(options, 'storage-used'), POLL).toMatch(/^Stored: /);

    await options.fill('#allow', 'https://shop.example.com\nnot a pattern');
    await options.fill('#testerEmail', 'nope');
    await options.fill('#retentionDays', '7');
    // A sync server reached by plain http:// on another machine would get the upload token in the clear: refused.
    await options.fill('#syncUrl', 'http://rum.example.com');
    await options.fill('#syncToken', 'rs_token_never_sent');
    await options.click(byTestId('save'));
    await expect.poll(() => text(options, 'message'), POLL).toContain('Not saved');
    expect(await textOf(options, '.issue[data-for="siteAccess.allow"]')).toContain('not a site pattern: not a pattern');
    expect(await textOf(options, '.issue[data-for="tester"]')).toContain('not an email address');
    expect(await textOf(options, '.issue[data-for="sync.url"]')).toContain('refusing to send the upload token over plain http:// to rum.example.com: use https://');
    // The settings in force: what is stored, over the defaults for what was never saved.
    const stored = async () => readSettings(await storageGet(driver, 'local', 'rumscope.settings')).settings;
    expect((await stored()).retention.days).toBe(30);
    expect((await stored()).sync.url).toBe('');
    await options.fill('#syncUrl', '');
    await options.fill('#syncToken', '');

    await options.fill('#allow', 'https://shop.example.com\n*.example.org\nhttp://127.0.0.1:*');
    await options.fill('#testerEmail', 'qa@example.com');
    await options.fill('#environment', 'Staging');
    await options.click(byTestId('save'));
    await expect.poll(() => text(options, 'message'), POLL).toContain('Saved');
    expect(await stored()).toMatchObject({
      siteAccess: { allow: ['https://shop.example.com', '*.example.org', 'http://127.0.0.1:*'] },
      tester: { email: 'qa@example.com' },
      environment: 'Staging',
      retention: { days: 7 },
      sync: { url: '' },
    });
    await options.close();
  });
});
