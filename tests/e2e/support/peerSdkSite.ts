/**
 * A shop page instrumented with a real peer RUM SDK (its CDN bundle and lazy chunks, served from node_modules)
 * whose intake is the Rumscope server: @datadog/browser-rum through its `proxy` option (compressed), or
 * @openobserve/browser-rum with its `site` set to the server (uncompressed). Listens on 127.0.0.1 only.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';

const require = createRequire(import.meta.url);
const bundleDir = (pkg: string) => join(dirname(require.resolve(`${pkg}/package.json`)), 'bundle');

export type PeerSdk = 'datadog' | 'openobserve';

export const PEER_USER = { id: 'u-7', name: 'Pat Peer', email: 'pat@example.com' };

const SDKS: Record<PeerSdk, { pkg: string; file: string; global: string }> = {
  datadog: { pkg: '@datadog/browser-rum', file: 'datadog-rum.js', global: 'DD_RUM' },
  openobserve: { pkg: '@openobserve/browser-rum', file: 'openobserve-rum.js', global: 'OO_RUM' },
};

function initOptions(sdk: PeerSdk, intake: string, clientToken: string): Record<string, unknown> {
  const common = {
    clientToken,
    applicationId: '00000000-0000-4000-8000-000000000001',
    service: 'peer-shop',
    env: 'e2e',
    version: '1.2.3',
    sessionSampleRate: 100,
    sessionReplaySampleRate: 100,
    telemetrySampleRate: 0,
    trackUserInteractions: true,
    trackResources: true,
    trackLongTasks: true,
    defaultPrivacyLevel: 'allow',
  };
  if (sdk === 'datadog') return { ...common, site: 'datadoghq.com', proxy: `${intake}/api/compat/proxy`, compressIntakeRequests: true };
  const { host } = new URL(intake);
  return { ...common, site: host, insecureHTTP: true, organizationIdentifier: 'shop-org', apiVersion: 'v1' };
}

const page = (sdk: PeerSdk, intake: string, clientToken: string) => {
  const { file, global } = SDKS[sdk];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Peer shop</title>
<script src="/sdk/${file}"></script>
<script>
  window.${global}.init(${JSON.stringify(initOptions(sdk, intake, clientToken))});
  window.${global}.setUser(${JSON.stringify(PEER_USER)});
  window.${global}.setGlobalContextProperty('plan', 'gold');
</script>
</head><body>
<h1>Shop</h1>
<button id="buy">Buy the tea</button>
<button id="fetch">Load prices</button>
<button id="throw">Break it</button>
<button id="route">Go to cart</button>
<p id="status"></p>
<script>
  document.getElementById('buy').addEventListener('click', () => { document.getElementById('status').textContent = 'In the basket'; });
  document.getElementById('fetch').addEventListener('click', () => fetch('/api/prices').then((r) => r.json()).then((j) => { document.getElementById('status').textContent = 'Prices: ' + j.tea; }));
  document.getElementById('throw').addEventListener('click', () => { throw new Error('Peer page failure'); });
  document.getElementById('route').addEventListener('click', () => { history.pushState({}, '', '/cart'); document.querySelector('h1').textContent = 'Cart'; });
</script>
</body></html>`;
};

export interface PeerSite {
  origin: string;
  close(): Promise<void>;
}

export async function startPeerSite(sdk: PeerSdk, intake: string, clientToken: string): Promise<PeerSite> {
  const dir = bundleDir(SDKS[sdk].pkg);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/sdk/')) {
      const file = normalize(url.pathname.slice('/sdk/'.length));
      if (file.startsWith('..')) return void res.writeHead(404).end();
      readFile(join(dir, file)).then(
        (body) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(body),
        () => res.writeHead(404).end(),
      );
      return;
    }
    if (url.pathname === '/api/prices') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"tea":4}');
    if (url.pathname === '/' || url.pathname === '/cart') return void res.writeHead(200, { 'content-type': 'text/html' }).end(page(sdk, intake, clientToken));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
