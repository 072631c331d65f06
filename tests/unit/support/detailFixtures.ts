/** A recorded visit for the detail exports' specs: a page, a click, a fill, a failing payment, an error. */
import type { ApiEvent, RumEvent, StoredEvent } from '../../../sdk/schema';
import { makeSession, stored } from './sessionFixtures';

export const T = Date.UTC(2025, 11, 5, 12, 12, 20);
const at = (ms: number, viewId = 'v1') => ({ time: T + ms, tz: 330, viewId });

export const session = makeSession({
  id: 'sess-1',
  user: { email: 'qa@example.com' },
  app: { service: 'shop', env: 'staging', version: '2.3.1' },
  replay: true,
});

export const payCall: ApiEvent = {
  ...at(5_000),
  type: 'api',
  via: 'fetch',
  method: 'POST',
  url: 'http://127.0.0.1:5173/api/pay?token=REDACTED&cart=7',
  status: 500,
  duration: 120,
  requestSize: 18,
  responseSize: 27,
  timing: { dns: 2, connect: 10, tls: 4, request: 80, response: 8 },
  // The stored shape (sdk/schema ApiDetail). The exports redact secret headers again whatever the page did.
  detail: {
    requestHeaders: [
      { name: 'Content-Type', value: 'application/json' },
      { name: 'Authorization', value: 'Bearer sekret' },
      { name: 'X-Trace', value: "it's" },
    ],
    responseHeaders: [
      { name: 'content-type', value: 'application/json' },
      { name: 'set-cookie', value: 'sid=1' },
    ],
    requestBody: { mimeType: 'application/json', size: 18, text: '{"amount":"12.50"}' },
    responseBody: { mimeType: 'application/json', size: 25, text: '{"error":"card declined"}' },
  },
};

const page: RumEvent[] = [
  { ...at(0), type: 'view', url: 'http://127.0.0.1:5173/', referrer: '', title: 'Shop', navigation: 'initial', loadingTime: 310 },
  { ...at(200), type: 'resource', url: 'http://127.0.0.1:5173/app.js', resourceType: 'script', duration: 50, timing: { dns: 1, connect: 2, tls: 0, request: 30, response: 7 }, transferSize: 2048, renderBlocking: true },
  { ...at(300), type: 'resource', url: 'https://cdn.test/font.woff2', resourceType: 'font', duration: 40, timing: null, transferSize: null, renderBlocking: false },
  { ...at(1_000), type: 'action', action: 'click', name: 'Checkout', selector: 'a#checkout', x: 1, y: 1, rage: false, dead: false, errorClick: false },
  { ...at(1_400, 'v2'), type: 'view', url: 'http://127.0.0.1:5173/checkout', referrer: '', title: 'Checkout', navigation: 'push', loadingTime: 20 },
  { ...at(2_000, 'v2'), type: 'action', action: 'input', name: 'Email address', selector: '#email', x: null, y: null, rage: false, dead: false, errorClick: false },
  { ...at(2_300, 'v2'), type: 'action', action: 'input', name: 'Email address', selector: '#email', x: null, y: null, rage: false, dead: false, errorClick: false },
  { ...at(2_600, 'v2'), type: 'action', action: 'input', name: 'Card number', selector: 'input[name="card"]', x: null, y: null, rage: false, dead: false, errorClick: false },
  { ...at(4_900, 'v2'), type: 'action', action: 'click', name: 'Pay', selector: 'button[type="submit"]', x: 1, y: 1, rage: false, dead: false, errorClick: true },
  { ...at(4_950, 'v2'), type: 'action', action: 'submit', name: 'payment', selector: 'form#pay', x: null, y: null, rage: false, dead: false, errorClick: false },
  { ...payCall, viewId: 'v2' },
  { ...at(5_130, 'v2'), type: 'error', source: 'network', errorType: 'HttpError', message: 'POST http://127.0.0.1:5173/api/pay failed with status 500', stack: null, frames: [] },
  {
    ...at(5_200, 'v2'),
    type: 'error',
    source: 'uncaught',
    errorType: 'TypeError',
    message: "Cannot read properties of undefined (reading 'id')",
    stack: "TypeError: Cannot read properties of undefined (reading 'id')\n    at pay (http://127.0.0.1:5173/app.js:10:5)",
    frames: [],
  },
  { ...at(9_000, 'v3'), type: 'view', url: 'http://127.0.0.1:5173/checkout', referrer: '', title: 'Checkout', navigation: 'reload', loadingTime: 200 },
];

export const events: StoredEvent[] = page.map((e) => stored(e, 'sess-1'));
