/**
 * Console capture and opt-in network detail in real browsers with the built extension (Chromium and Firefox ESR):
 * every console level with awkward arguments stored bounded; headers and bodies only for a site the user turned
 * network detail on for, always redacted; the page's own console and requests unchanged; the panel shows both.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDemoServer, type DemoServer } from '../../demo/server';
import { eventsOf, waitFor } from './support/capture';
import { BROWSERS, type Driver, type DriverPage, useDriver } from './support/driver';
import { byTestId, patchSettingsVia, storageGet } from './support/lifeDriver';

const POLL = { timeout: 15_000 };
/** Secrets the fixture sends or logs: none may ever be stored, under any setting. */
const CANARIES = [
  'AUTH-CANARY',
  'COOKIE-CANARY',
  'PASSWORD-CANARY',
  'KEY-CANARY',
  'TOKEN-CANARY',
  'LOGIN-CANARY',
  'LOGIN-REPLY-CANARY',
  'REPLY-TOKEN-CANARY',
  'SET-COOKIE-CANARY',
  'SECRET-BEARER-CANARY',
  'SECRET-PASSWORD-CANARY',
];

let demo: DemoServer;
beforeAll(async () => {
  demo = await startDemoServer();
});
afterAll(async () => {
  await demo?.close();
});

/** Opens a session's detail in the panel (its row appears once the panel has read the sessions). */
async function openDetail(panel: DriverPage, sessionId: string) {
  const row = `tbody tr[data-session-id="${sessionId}"]`;
  await expect.poll(() => panel.evaluate((s) => !!document.querySelector(s), row), POLL).toBe(true);
  await panel.click(row);
  await expect.poll(() => panel.evaluate((s) => document.querySelector('.session-detail')?.getAttribute('data-session-id') === s, sessionId), POLL).toBe(true);
}

/** The page knows its session (and so whether network detail is on) once the extension acknowledged it. */
const sessionKnown = (page: DriverPage) =>
  expect.poll(() => page.evaluate(() => !!(window as any).rumscope?.getInternalContext()?.session_id).catch(() => false), POLL).toBe(true);

const pageResults = (page: DriverPage) => page.evaluate(() => (window as any).results);

async function makeRequests(driver: Driver, url: string) {
  const page = await driver.openPage(url);
  await sessionKnown(page);
  await page.click('#requests');
  await expect.poll(() => page.evaluate(() => document.getElementById('status')!.textContent), POLL).toBe('requested');
  const apis = await waitFor(async () => (await eventsOf(driver, url)).filter((e) => e.type === 'api'), (a) => a.length === 4, 'four API calls');
  return { page, apis, results: await pageResults(page) };
}

function expectPageUnaffected(results: any) {
  // The page read its own responses whole (a stream included), whatever the SDK cloned.
  expect(results.fetch).toEqual({ ok: true, item: 'tea', token: 'REPLY-TOKEN-CANARY' });
  expect(results.xhr).toEqual({ ok: true, item: 'coffee', token: 'REPLY-TOKEN-CANARY' });
  expect(results.login).toEqual({ ok: true, access_token: 'LOGIN-REPLY-CANARY' });
  expect(results.streamed).toEqual({ ok: true, item: 'cake', token: 'REPLY-TOKEN-CANARY' });
}

describe.each(BROWSERS)('console and network detail in %s', (kind) => {
  const driver = useDriver(kind);

  test('network detail is off by default: API calls keep no headers or bodies', async () => {
    const url = `${demo.origin}/fixtures/console.html?t=detail-off`;
    const { page, apis, results } = await makeRequests(driver, url);
    expectPageUnaffected(results);
    expect(apis.map((a) => [a.via, a.method, new URL(a.url).pathname, a.status])).toEqual([
      ['fetch', 'POST', '/api/detail', 200],
      ['xhr', 'POST', '/api/detail', 200],
      ['fetch', 'POST', '/api/login', 200],
      ['fetch', 'POST', '/api/detail', 200],
    ]);
    expect(apis.every((a) => !('detail' in a))).toBe(true);
    const stored = JSON.stringify(await driver.readStore('events'));
    for (const canary of CANARIES) expect(stored).not.toContain(canary);
    await page.close();
  });

  test('options: network detail sites and extra redaction names are saved; a bad header name is refused', async () => {
    const options = await driver.openExtensionPage('extension/options/index.html', '#detailSites');
    await expect.poll(() => options.evaluate(() => document.querySelector<HTMLTextAreaElement>('#detailSites')!.value), POLL).toBe('');
    await options.fill('#detailSites', 'https://shop.example.com');
    await options.fill('#detailHeaders', 'X-Tenant\nnot a header');
    await options.click(byTestId('save'));
    await expect.poll(() => options.evaluate(() => document.querySelector('.issue[data-for="networkDetail.redactHeaders"]')?.textContent ?? ''), POLL).toContain('not a header name');
    await options.fill('#detailHeaders', 'X-Tenant');
    await options.fill('#detailFields', 'iban');
    await options.click(byTestId('save'));
    await expect.poll(async () => (await storageGet(driver, 'local', 'rumscope.settings'))?.networkDetail, POLL).toEqual({
      sites: ['https://shop.example.com'],
      redactHeaders: ['X-Tenant'],
      redactFields: ['iban'],
    });
    await options.close();
  });

  test('on for the site: headers and bodies stored, redacted in the page; the panel expands the call', async () => {
    await patchSettingsVia(driver, { networkDetail: { sites: [demo.origin], redactHeaders: ['X-Trace'], redactFields: ['qty'] } });
    const url = `${demo.origin}/fixtures/console.html?t=detail-on`;
    const { page, results } = await makeRequests(driver, url);
    expectPageUnaffected(results);
    const apis = await waitFor(async () => (await eventsOf(driver, url)).filter((e) => e.type === 'api' && e.detail), (a) => a.length === 4, 'four calls with detail');
    const [fetched, xhr, login, streamed] = apis;
    const header = (list: { name: string; value: string }[], name: string) => list.find((h) => h.name.toLowerCase() === name)?.value;

    expect(header(fetched.detail.requestHeaders, 'authorization')).toBe('REDACTED');
    expect(header(fetched.detail.requestHeaders, 'x-trace')).toBe('REDACTED'); // a name the user added
    expect(header(fetched.detail.requestHeaders, 'content-type')).toBe('application/json');
    expect(header(fetched.detail.responseHeaders, 'x-server')).toBe('demo');
    expect(fetched.detail.requestBody).toMatchObject({ mimeType: 'application/json' });
    expect(JSON.parse(fetched.detail.requestBody.text)).toEqual({ item: 'tea', password: 'REDACTED', nested: { api_key: 'REDACTED', qty: 'REDACTED' } });
    expect(JSON.parse(fetched.detail.responseBody.text)).toEqual({ ok: true, item: 'tea', token: 'REDACTED' });
    expect(fetched.detail.responseBody.mimeType).toContain('application/json');

    expect(header(xhr.detail.requestHeaders, 'authorization')).toBe('REDACTED');
    expect(JSON.parse(xhr.detail.requestBody.text)).toEqual({ item: 'coffee', token: 'REDACTED' });
    expect(JSON.parse(xhr.detail.responseBody.text)).toEqual({ ok: true, item: 'coffee', token: 'REDACTED' });
    expect(header(xhr.detail.responseHeaders, 'x-server')).toBe('demo');

    // A login endpoint's bodies are never kept, whatever the settings.
    expect(login.detail.requestBody).toMatchObject({ omitted: 'redacted' });
    expect(login.detail.responseBody).toMatchObject({ omitted: 'redacted' });
    expect(JSON.parse(streamed.detail.responseBody.text)).toMatchObject({ item: 'cake' });

    const stored = JSON.stringify(await driver.readStore('events'));
    for (const canary of CANARIES) expect(stored).not.toContain(canary);

    // The panel: the session's API call row expands to its headers and bodies.
    const tabId = await driver.tabIdOf(page.url());
    const panel = await driver.openPanel(tabId);
    await openDetail(panel, fetched.sessionId);
    await expect.poll(() => panel.evaluate(() => document.querySelectorAll('[data-testid="api-detail"]').length), POLL).toBeGreaterThanOrEqual(4);
    await panel.evaluate(() => document.querySelectorAll<HTMLDetailsElement>('[data-testid="api-detail"]').forEach((d) => (d.open = true)));
    const bodies = await panel.evaluate(() => [...document.querySelectorAll<HTMLElement>('[data-testid="request-body"]')].map((el) => el.innerText));
    expect(bodies.some((text) => text.includes('"password": "REDACTED"') && text.includes('"item": "tea"'))).toBe(true);
    const headers = await panel.evaluate(() => [...document.querySelectorAll<HTMLElement>('[data-testid="request-headers"]')].map((el) => el.innerText));
    expect(headers.some((text) => /authorization\s+REDACTED/i.test(text))).toBe(true);
    await Promise.all([panel.close(), page.close()]);
    await patchSettingsVia(driver, { networkDetail: { sites: [], redactHeaders: [], redactFields: [] } });
  });

  test('every console level with awkward arguments is stored bounded and redacted, and shown in the panel', async () => {
    const url = `${demo.origin}/fixtures/console.html?t=console`;
    const page = await driver.openPage(url);
    await sessionKnown(page);
    await page.click('#log-all');
    // The page's console behaved as without Rumscope: same return values, nothing thrown.
    const results = await pageResults(page);
    expect(results.threw).toEqual([]);
    expect(results.returns.every(([, value]: [string, string]) => value === 'undefined')).toBe(true);
    expect(page.pageErrors()).toEqual([]);

    const consoleEvents = await waitFor(
      async () => (await eventsOf(driver, url)).filter((e) => e.type === 'console'),
      (list) => list.some((e) => e.message === 'fixture repeated'),
      'the grouped console messages',
    );
    const byMessage = (start: string) => consoleEvents.find((e) => e.message.startsWith(start));
    expect(consoleEvents.map((e) => e.level).sort()).toEqual(['assert', 'debug', 'info', 'log', 'log', 'log', 'log', 'log', 'table', 'trace', 'warn']);
    expect(byMessage('fixture log')).toMatchObject({ level: 'log', args: ['fixture log', { cart: 3 }, { name: 'cyclic', self: '[Circular]' }] });
    expect(byMessage('fixture info')).toMatchObject({ level: 'info', message: 'fixture info cart has 3 items' });
    expect(byMessage('fixture warn')).toMatchObject({ level: 'warn', message: 'fixture warn <div id="cart" class="open wide">' });
    expect(byMessage('fixture debug')!.args).toEqual(['fixture debug', { '@type': 'Map', size: 1, entries: [['a', 1]] }, { '@type': 'Set', size: 1, values: [1] }, 'Uint8Array(4) [0, 0, 0, 0]']);
    expect(byMessage('Assertion failed')).toMatchObject({ level: 'assert', message: 'Assertion failed: fixture assert fails' });
    expect(byMessage('fixture trace')!.stack).toContain('console.js');
    expect(byMessage('[{"item":"tea"')).toMatchObject({ level: 'table' });
    const huge = byMessage('fixture huge')!;
    expect(JSON.stringify(huge).length).toBeLessThan(16 * 1024);
    expect(huge.message).toContain(`(${1024 * 1024} chars)`);
    expect(byMessage('fixture hostile')!.args).toEqual(['fixture hostile', { ok: 1, boom: '[Getter]' }, '[Unserializable]']);
    expect(byMessage('fixture secret')!.message).toBe('fixture secret Bearer REDACTED password=REDACTED');
    expect(byMessage('fixture repeated')).toMatchObject({ count: 5 });
    expect(consoleEvents.some((e) => e.message.includes('fixture assert passes'))).toBe(false);

    // console.error stays one error event (counted once), not a console event too.
    const errors = (await eventsOf(driver, url)).filter((e) => e.type === 'error');
    expect(errors.map((e) => [e.source, e.message])).toEqual([['console', 'fixture console error fixture failure']]);
    const stored = JSON.stringify(await driver.readStore('events'));
    for (const canary of CANARIES) expect(stored).not.toContain(canary);

    // The panel's session detail lists them, with level filters and a search.
    const tabId = await driver.tabIdOf(page.url());
    const panel = await driver.openPanel(tabId);
    await openDetail(panel, consoleEvents[0].sessionId);
    const rows = () => panel.evaluate(() => [...document.querySelectorAll<HTMLElement>('.console-row')].map((row) => [row.dataset.level, row.querySelector('.message')!.textContent]));
    await expect.poll(async () => (await rows()).length, POLL).toBe(12);
    expect(await rows()).toContainEqual(['error', 'fixture console error fixture failure']);
    expect(await panel.evaluate(() => [...document.querySelectorAll('.console-row .count')].map((el) => el.textContent))).toEqual(['×5']);
    await panel.click(byTestId('console-level-log'));
    await expect.poll(async () => (await rows()).some(([level]) => level === 'log'), POLL).toBe(false);
    await panel.fill(byTestId('console-search'), 'WARN');
    await expect.poll(rows, POLL).toEqual([['warn', 'fixture warn <div id="cart" class="open wide">']]);
    await Promise.all([panel.close(), page.close()]);
  });
});
