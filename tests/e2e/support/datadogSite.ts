/**
 * A page that runs the real @datadog/browser-rum (its CDN bundle, from node_modules) and a local intake
 * that receives what it sends (through the SDK's `proxy` option). For the coexistence test: the page's
 * own RUM must see the same views, actions, errors and resources with and without Rumscope.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const bundle = join(dirname(require.resolve('@datadog/browser-rum/package.json')), 'bundle', 'datadog-rum.js');

export const DATADOG_USER = { id: 'u-42', name: 'Dee Dog', email: 'dee@example.com' };

const page = (origin: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop with Datadog RUM</title>
<script src="/datadog-rum.js"></script>
<script>
  window.DD_RUM.init({
    clientToken: 'pub00000000000000000000000000000000',
    applicationId: '00000000-0000-4000-8000-000000000000',
    site: 'datadoghq.com',
    service: 'dd-shop',
    env: 'test',
    proxy: ${JSON.stringify(origin + '/intake')},
    sessionSampleRate: 100,
    sessionReplaySampleRate: 0,
    telemetrySampleRate: 0,
    trackUserInteractions: true,
    trackResources: true,
    trackLongTasks: false,
    defaultPrivacyLevel: 'allow',
    // Lets the test make it flush with the page still open (a 'freeze' event): see the coexistence test's visit().
    allowUntrustedEvents: true,
  });
  window.DD_RUM.setUser(${JSON.stringify(DATADOG_USER)});
</script>
</head><body>
<h1>Shop</h1>
<button id="buy">Buy the tea</button>
<button id="throw">Break it</button>
<button id="fetch">Load prices</button>
<button id="route">Go to cart</button>
<img src="/pixel.svg" alt="">
<script>
  document.getElementById('throw').addEventListener('click', () => { throw new Error('Datadog page failure'); });
  document.getElementById('fetch').addEventListener('click', () => fetch('/api/prices').then((r) => r.json()));
  document.getElementById('route').addEventListener('click', () => history.pushState({}, '', '/cart'));
</script>
</body></html>`;

export interface IntakeEvent {
  type: string;
  [key: string]: any;
}

export interface IntakeRequest {
  at: number;
  api: string;
  held: string[];
}

export interface DatadogSite {
  origin: string;
  /** Every RUM event the page's SDK sent, in arrival order. */
  events: IntakeEvent[];
  /** Every request the intake received: when (Date.now()), how the SDK sent it (`beacon` or `fetch`), what it held. */
  requests: IntakeRequest[];
  close(): Promise<void>;
}

export async function startDatadogSite(): Promise<DatadogSite> {
  const events: IntakeEvent[] = [];
  const requests: IntakeRequest[] = [];
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/intake') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const forward = url.searchParams.get('ddforward') ?? '';
        if (forward.startsWith('/api/v2/rum')) {
          const held: string[] = [];
          for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) {
            if (!line.trim()) continue;
            try {
              const event = JSON.parse(line) as IntakeEvent;
              events.push(event);
              held.push(
                event.type === 'view'
                  ? `view ${new URL(event.view.url).pathname}`
                  : event.type === 'action'
                    ? `action ${event.action.type}:${event.action.target?.name ?? ''}`
                    : event.type,
              );
            } catch {
              events.push({ type: 'unparsed', line });
              held.push('unparsed');
            }
          }
          const api = new URLSearchParams(forward.split('?')[1] ?? '').get('_dd.api') ?? '?';
          requests.push({ at: Date.now(), api, held });
        }
        res.writeHead(202, { 'access-control-allow-origin': '*' }).end();
      });
      return;
    }
    if (url.pathname === '/datadog-rum.js') {
      void readFile(bundle).then((body) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(body));
      return;
    }
    if (url.pathname === '/api/prices') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"tea":3}');
    if (url.pathname === '/pixel.svg') {
      return void res.writeHead(200, { 'content-type': 'image/svg+xml' }).end('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>');
    }
    if (url.pathname === '/' || url.pathname === '/cart') return void res.writeHead(200, { 'content-type': 'text/html' }).end(page(origin));
    res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { origin, events, requests, close: () => new Promise((ok) => server.close(() => ok())) };
}

/**
 * What the page's own RUM saw, by event type: distinct views (by URL), actions (names), errors (messages),
 * resources (URLs, minus the SDK's own intake). View updates are merged: their number depends on timing.
 */
export function summarise(events: IntakeEvent[]) {
  const views = new Map<string, string>();
  for (const e of events.filter((e) => e.type === 'view')) views.set(e.view.id, new URL(e.view.url).pathname);
  const byType = (type: string) => events.filter((e) => e.type === type);
  return {
    // Long tasks depend on the machine's load (a slow run has some, a fast one none): not part of the comparison.
    types: [...new Set(events.map((e) => e.type))].filter((type) => type !== 'long_task').sort(),
    views: [...views.values()].sort(),
    actions: byType('action').map((e) => `${e.action.type}:${e.action.target?.name ?? ''}`).sort(),
    errors: byType('error').map((e) => `${e.error.source}:${e.error.message}`).sort(),
    resources: [...new Set(byType('resource').map((e) => `${e.resource.type}:${new URL(e.resource.url).pathname}`))].sort(),
    // anonymous_id is random per browser profile.
    users: [...new Set(events.map((e) => JSON.stringify(e.usr ? { ...e.usr, anonymous_id: undefined } : null)))],
  };
}
