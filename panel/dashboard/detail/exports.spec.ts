import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../../sdk/schema';
import { mdCode, mdText, toBugReport } from './bugReport';
import { shellQuote, toCurl } from './curl';
import { events, payCall, session } from '../../../tests/unit/support/detailFixtures';
import { networkDetail } from './networkDetail';
import { placeholderName, toPlaywrightTest } from './playwright';
import { CLOCK_SKEW_MS, sessionSteps } from './steps';
import { waterfallRows } from './waterfall';

const get: ApiEvent = { ...payCall, method: 'GET', url: 'http://x.test/a', timing: null, detail: undefined } as ApiEvent;

describe('Copy as cURL', () => {
  it.each([
    ['GET without detail', get, "curl 'http://x.test/a'"],
    ['DELETE without detail', { ...get, method: 'delete' }, "curl 'http://x.test/a' \\\n  -X 'DELETE'"],
    [
      'POST with headers and body, secrets redacted, quotes escaped',
      payCall,
      [
        "curl 'http://127.0.0.1:5173/api/pay?token=REDACTED&cart=7'",
        "-X 'POST'",
        "-H 'Content-Type: application/json'",
        "-H 'Authorization: REDACTED'",
        "-H 'X-Trace: it'\\''s'",
        `--data-raw '{"amount":"12.50"}'`,
      ].join(' \\\n  '),
    ],
  ])('%s', (_, event, expected) => expect(toCurl(event as ApiEvent)).toBe(expected));

  it.each([
    ['plain', "'plain'"],
    ["it's", "'it'\\''s'"],
    ['$(rm -rf /) `x` "y"', `'$(rm -rf /) \`x\` "y"'`],
  ])('quotes %s for the shell', (text, quoted) => expect(shellQuote(text)).toBe(quoted));

  it.each([
    ['no detail', undefined, null],
    ['headers as {name, value} list and bodies as {text}', { request: { headers: [{ name: 'Cookie', value: 'a=1' }], body: { text: 'x' } }, response: { body: 'y', mimeType: 'text/plain' } }, {
      requestHeaders: [{ name: 'Cookie', value: 'REDACTED' }],
      responseHeaders: [],
      requestBody: 'x',
      responseBody: 'y',
      mimeType: 'text/plain',
    }],
  ])('reads network detail: %s', (_, detail, expected) => {
    expect(networkDetail({ ...get, detail } as ApiEvent)).toEqual(expected);
  });
});

describe('steps to reproduce', () => {
  it('turns views and actions into steps, folding repeated fills and a click-driven submit', () => {
    expect(sessionSteps(events).map((s) => [s.kind, 'url' in s ? s.url : 'selector' in s ? s.selector : s.name])).toEqual([
      ['open', 'http://127.0.0.1:5173/'],
      ['click', 'a#checkout'],
      ['navigated', 'http://127.0.0.1:5173/checkout'],
      ['input', '#email'],
      ['input', 'input[name="card"]'],
      ['click', 'button[type="submit"]'],
      ['reload', 'http://127.0.0.1:5173/checkout'],
    ]);
  });

  it.each([
    ['initial long after a click: opened anew', 5_000, 'open'],
    ['initial right after a click: the click navigated', 500, 'navigated'],
  ])('%s', (_, gap, kind) => {
    const [first, click] = events;
    const view = { ...events[0]!, time: click!.time + 0, viewId: 'v9', seq: 999 };
    const later = { ...view, time: events[3]!.time + gap, url: 'http://127.0.0.1:5173/next' } as typeof view;
    expect(sessionSteps([first!, events[3]!, later]).at(-1)!.kind).toBe(kind);
  });

  it("puts a new page's view after the click that opened it, though its own clock stamped it a few ms before", () => {
    const first = events[0]!;
    const click = events.find((e) => e.type === 'action' && e.action === 'click')!;
    // The checkout page, a new load, stamped 8 ms before the click on its link in the page before.
    const opened = { ...first!, loadId: 'load-2', seq: 0, viewId: 'v9', url: 'http://127.0.0.1:5173/checkout.html', time: click!.time - 8 };
    const steps = sessionSteps([first!, click!, opened]).map((s) => s.kind);
    expect(steps).toEqual(['open', 'click', 'navigated']);
    // A view of the same load (an SPA route), or one well before the click, keeps its own time.
    expect(sessionSteps([first!, click!, { ...opened, loadId: click!.loadId, navigation: 'push' } as typeof opened]).map((s) => s.kind)).toEqual(['open', 'navigated', 'click']);
    expect(sessionSteps([first!, click!, { ...opened, time: click!.time - CLOCK_SKEW_MS - 1 }]).map((s) => s.kind)).toEqual(['open', 'open', 'click']);
  });
});

describe('bug report', () => {
  const report = toBugReport(session, events, { timeZone: 'Asia/Kolkata' });

  it.each([
    ['title from the first page error', "## TypeError: Cannot read properties of undefined (reading 'id')"],
    ['session id', '- **Session:** `sess-1` on http://127.0.0.1:5173, started Dec 5, 2025 17:42:20 +05:30, 5.18 min'],
    ['link placeholders', '- **Session link:** _(add a link to the session)_'],
    ['replay placeholder', '- **Replay:** _(add a link to the replay)_'],
    ['browser', '| Browser | Chrome 131.0 |'],
    ['os', '| OS | Mac OS X 14.5 |'],
    ['device and viewport', '| Device | Desktop, screen 1920 × 1080, viewport 1280 × 800 |'],
    ['app version', '| Application | shop 2.3.1 (staging) |'],
    ['user', '| User | qa@example.com |'],
    ['first step', '1. Open http://127.0.0.1:5173/ — 17:42:20'],
    ['click step', '2. Click "Checkout" (`a#checkout`) — 17:42:21'],
    ['fill step, never a value', '4. Fill in "Email address" (`#email`) — 17:42:22'],
    ['reload step', '7. Reload the page (http://127.0.0.1:5173/checkout) — 17:42:29'],
    ['errors count', '### Errors (2)'],
    ['error line', "- **TypeError** (uncaught, 17:42:25): Cannot read properties of undefined (reading 'id')"],
    ['stack, fenced', '      at pay (http://127.0.0.1:5173/app.js:10:5)'],
    ['failing request', '| 17:42:25 | POST | http://127.0.0.1:5173/api/pay?token=REDACTED&cart=7 | 500 | 120 ms |'],
  ])('has the %s', (_, line) => expect(report.split('\n')).toContain(line));

  it('says when there is nothing, and keeps the last steps of a long session', () => {
    const empty = toBugReport({ ...session, replay: false, user: null }, [], { sessionLink: 'https://team.test/s/1' });
    expect(empty).toContain('_No page view or action was recorded._');
    expect(empty).toContain('- **Session link:** https://team.test/s/1');
    expect(empty).toContain('- **Replay:** _(not recorded)_');
    expect(empty).toContain('## Session sess-1');
    expect(empty).not.toContain('| User |');
    const cut = toBugReport(session, events, { maxSteps: 2, timeZone: 'UTC' });
    expect(cut).toContain('_(5 earlier steps left out)_');
    expect(cut).toContain('2. Reload the page');
  });

  it.each([
    ['a|b', 'a\\|b'],
    ['*bold* _x_ <b>', '\\*bold\\* \\_x\\_ \\<b\\>'],
    ['two\nlines', 'two lines'],
  ])('escapes %j in text', (text, md) => expect(mdText(text)).toBe(md));

  it.each([
    ['a', '`a`'],
    ['a`b', '`` a`b ``'],
  ])('puts %j in inline code', (text, md) => expect(mdCode(text)).toBe(md));
});

describe('Playwright export', () => {
  const script = toPlaywrightTest(session, events);

  it.each([
    ["import { test, expect } from '@playwright/test';"],
    ["  emailAddress: process.env.RUMSCOPE_INPUT_EMAIL_ADDRESS ?? '', // \"Email address\" #email"],
    ["  cardNumber: process.env.RUMSCOPE_INPUT_CARD_NUMBER ?? '', // \"Card number\" input[name=\"card\"]"],
    ['test("session sess-1", async ({ page }) => {'],
    ['  await page.goto("http://127.0.0.1:5173/");'],
    ['  await page.locator("a#checkout").click();'],
    ['  await expect(page).toHaveURL("http://127.0.0.1:5173/checkout");'],
    ['  await page.locator("#email").fill(inputs.emailAddress);'],
    ['  await page.locator("input[name=\\"card\\"]").fill(inputs.cardNumber);'],
    ['  await page.locator("button[type=\\"submit\\"]").click();'],
    ['  await page.reload();'],
    ['    expect.stringContaining("Cannot read properties of undefined (reading \'id\')"),'],
    ['  // Also recorded (not visible to the page as an error): network: POST http://127.0.0.1:5173/api/pay failed with status 500'],
  ])('has %s', (line) => expect(script.split('\n')).toContain(line));

  it('lists the steps in order, with no recorded value and one placeholder per field', () => {
    const lines = script.split('\n').map((l) => l.trim());
    const order = ['await page.goto(', 'await page.locator("a#checkout")', 'toHaveURL("http://127.0.0.1:5173/checkout")', '#email', 'card', 'submit', 'page.reload()'];
    const at = order.map((needle) => lines.findIndex((l) => l.startsWith('await') && l.includes(needle)));
    expect(at.every((i, k) => i >= 0 && (k === 0 || i > at[k - 1]!))).toBe(true);
    expect(script.match(/fill\(inputs\.emailAddress\)/g)).toHaveLength(1);
    expect(script).not.toContain('12.50');
  });

  it('uses text and label locators without selectors, origin+path for redacted URLs, and asserts no error when none', () => {
    const bare = [
      { ...events[0]!, url: 'http://127.0.0.1:5173/?code=REDACTED' },
      { ...events[3]!, selector: null, name: 'Buy now' },
      { ...events[5]!, selector: null, name: '2nd line' },
    ] as typeof events;
    const out = toPlaywrightTest(session, bare);
    expect(out).toContain('await expect(page).toHaveURL(/^http:\\/\\/127\\.0\\.0\\.1:5173\\//);');
    expect(out).toContain('await page.getByText("Buy now").first().click();');
    expect(out).toContain('await page.getByLabel("2nd line").fill(inputs.field);');
    expect(out).toContain('expect(pageErrors).toEqual([]);');
  });

  it('chooses an option in a select field instead of typing into it', () => {
    const fields = [
      { ...events[5]!, selector: 'select#country', name: 'Country' },
      { ...events[5]!, selector: '#checkout > select:nth-of-type(2)', name: 'Size' },
      { ...events[5]!, selector: '#selection', name: 'Selection' },
    ] as typeof events;
    const out = toPlaywrightTest(session, fields);
    expect(out).toContain('await page.locator("select#country").selectOption(inputs.country);');
    expect(out).toContain('await page.locator("#checkout > select:nth-of-type(2)").selectOption(inputs.size);');
    expect(out).toContain('await page.locator("#selection").fill(inputs.selection);');
  });

  it.each([
    ['Email address', 'emailAddress'],
    ['e-mail', 'eMail'],
    ['', 'field'],
    ['2 factor code', 'field'],
    ['Prénom', 'prenom'],
  ])('names the placeholder of %j %s', (label, name) => expect(placeholderName(label, 'field')).toBe(name));
});

describe('waterfall', () => {
  it('lays the network entries out from the first start, with phases and the timing columns', () => {
    const w = waterfallRows(events);
    expect(w.span).toBe(5_000 + 120 - 200);
    expect(w.rows.map((r) => [r.kind, r.label, r.offset, r.duration, r.type, r.status])).toEqual([
      ['resource', 'http://127.0.0.1:5173/app.js', 0, 50, 'script', null],
      ['resource', 'https://cdn.test/font.woff2', 100, 40, 'font', null],
      ['api', `POST ${payCall.url}`, 4_800, 120, 'fetch', 500],
    ]);
    expect(w.rows[0]!.phases.map((p) => p.name)).toEqual(['queue', 'dns', 'connect', 'request', 'response']);
    expect(w.rows[1]!.timing).toEqual({ dns: null, connect: null, tls: null, request: null, response: null });
    expect(waterfallRows(events, ['api']).rows).toHaveLength(1);
    expect(waterfallRows([])).toEqual({ rows: [], span: 0, start: 0 });
  });
});
