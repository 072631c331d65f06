/**
 * The standalone SDK (<dist>/sdk, no extension) sending to a real team server (SQLite file), in Chromium and
 * Firefox ESR: an app on one origin, the server on another (CORS), read back through the server's API as the
 * dashboard reads it. A page left right after a click still delivers it (pagehide: keepalive), a server that
 * answers 503 to the first attempts still gets every event exactly once, and a recorded session's replay arrives.
 * A bundle uploaded with its kept stylesheet, web font and images replays on the team dashboard with them after
 * their origin server has stopped (served by the team server, by hash).
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SERVER_ROUTES, sessionAssetsPath, sessionReplayPath, type ReplayData, type SessionAssetsResponse, type SessionDetailResponse, type UploadRequest } from '../../sdk/schema';
import { createUploadToken, createUser } from '../../server/accounts/accounts';
import { adminLoginLink, startServer, type RunningServer } from '../../server/main';
import { buildDashboard } from '../../scripts/buildDashboard';
import { ADMIN, login, memberHeaders, uploadHeaders, type Login } from '../../server/testing/harness';
import { keptAssetRef, makeAssetBody, makeEvents, makeSession, makeUpload } from '../../server/testing/fixtures';
import { startDemoServer } from '../../demo/server';
import { testConfig } from '../../server/testing/testStores';
import { distDir } from './support/chromium';
import { BROWSERS, launchPlainBrowser, type DriverPage } from './support/driver';

const POLL = { timeout: 15_000, interval: 200 };

const APP_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head><body>
<h1>Shop CANARYVISIBLE</h1>
<button id="buy" type="button">Buy tea</button>
<button id="pay" type="button">Pay now</button>
<a id="away" href="/next.html">Next</a>
<script type="module">
  import { openobserveRum } from '/sdk/rumscope.mjs';
  const options = JSON.parse(decodeURIComponent(location.hash.slice(1)));
  localStorage.clear(); // each test is a new visitor
  openobserveRum.init({ service: 'shop', env: 'e2e', ...options });
  window.__ready = true;
</script></body></html>`;

/** The app's origin: its pages and the SDK's files, as an app's own server would serve them. */
async function startApp(): Promise<{ origin: string; close(): Promise<void> }> {
  const sdkDir = resolve(distDir('chrome'), '../sdk');
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/sdk/')) {
      const body = await readFile(join(sdkDir, basename(path)), 'utf8').catch(() => null);
      res.writeHead(body === null ? 404 : 200, { 'content-type': 'text/javascript' }).end(body ?? '');
    } else if (path === '/next.html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Next</title><p id="next">Left the shop</p>');
    } else {
      res.writeHead(200, { 'content-type': 'text/html' }).end(APP_PAGE);
    }
  });
  return listen(server);
}

/** In front of the team server: answers 503 to the first `failures` event batches, passes everything else. */
async function startFlakyProxy(target: string, failures: number) {
  let failed = 0;
  const started = Date.now();
  /** One line per request: when it came, what it was, how it ended (for failure messages). */
  const log: string[] = [];
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const line = `+${Date.now() - started} ms ${req.method} ${req.url}`;
    res.on('finish', () => log.push(`${line} → ${res.statusCode} at +${Date.now() - started} ms`));
    res.on('close', () => {
      if (!res.writableFinished) log.push(`${line} → closed unanswered at +${Date.now() - started} ms`);
    });
    if (req.method === 'POST' && req.url === SERVER_ROUTES.sdkBatch && failed < failures) {
      failed++;
      req.resume();
      res.writeHead(503, { 'access-control-allow-origin': '*', 'content-type': 'application/json' }).end('{"message":"down for a moment"}');
      return;
    }
    const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', (error) => {
      log.push(`${line}: upstream error ${error.message}`);
      if (!res.headersSent) res.writeHead(502).end();
    });
    req.pipe(forward);
  });
  const listening = await listen(server);
  return {
    ...listening,
    failed: () => failed,
    log: () => log.join('\n  '),
    // The browser keeps its connections open: close them too, or close() waits for them.
    close: () => {
      const closing = listening.close();
      server.closeAllConnections();
      return closing;
    },
  };
}

function listen(server: Server): Promise<{ origin: string; close(): Promise<void> }> {
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      done({ origin: `http://127.0.0.1:${address.port}`, close: () => new Promise<void>((closed) => server.close(() => closed())) });
    }),
  );
}

let team: RunningServer;
let app: { origin: string; close(): Promise<void> };
let token: string;
let member: Login;
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'rumscope-standalone-server-'));
  // The team dashboard, built as `npm run server` serves it.
  await buildDashboard(join(folder, 'static'));
  team = await startServer(testConfig(`file:${join(folder, 'team.sqlite')}`, { staticDir: join(folder, 'static') }));
  const admin = await createUser(team.store, { email: ADMIN.email, password: ADMIN.password, role: 'admin' });
  ({ token } = await createUploadToken(team.store, admin.id, 'shop site'));
  member = await login(team.app);
  app = await startApp();
}, 300_000);
afterAll(async () => {
  await Promise.all([team?.close(), app?.close()]);
  await rm(folder, { recursive: true, force: true });
});

/**
 * A recorded page as the extension's Export writes it: a non-inlined stylesheet of another origin (its web font and
 * background resolved against it) and an image of that origin, with the four bodies kept.
 */
function bundleWithAssets(sessionId: string, origin: string): UploadRequest {
  const at = Date.now() - 60_000;
  const base = `${origin}/fixtures/assets/`;
  const file = (name: string) => readFileSync(resolve('tests/fixtures/assets', name));
  const bodies = { css: makeAssetBody(file('remote.css'), 'text/css'), font: makeAssetBody(file('open-sans.woff2'), 'font/woff2'), tile: makeAssetBody(file('tile.png'), 'image/png'), photo: makeAssetBody(file('photo.png'), 'image/png') };
  const el = (id: number, tagName: string, attributes: Record<string, string>, childNodes: unknown[] = []) => ({ type: 2, id, tagName, attributes, childNodes });
  const node = {
    type: 0,
    id: 1,
    childNodes: [
      { type: 1, id: 2, name: 'html', publicId: '', systemId: '' },
      el(3, 'html', {}, [
        el(4, 'head', {}, [el(5, 'link', { rel: 'stylesheet', href: `${base}remote.css` })]),
        el(6, 'body', {}, [el(7, 'p', { id: 'title', class: 'branded' }, [{ type: 3, id: 8, textContent: 'ASSETCANARY kept with the recording' }]), el(9, 'img', { id: 'photo', src: `${base}photo.png` })]),
      ]),
    ],
  };
  const replay = [
    { type: 4, timestamp: at, data: { href: `${origin}/fixtures/assets/page.html`, width: 800, height: 600 } },
    { type: 2, timestamp: at + 1, data: { node, initialOffset: { top: 0, left: 0 } } },
    { type: 3, timestamp: at + 2000, data: { source: 0, texts: [], attributes: [], removes: [], adds: [] } },
  ];
  const assets = [keptAssetRef(`${base}remote.css`, 'stylesheet', bodies.css), keptAssetRef(`${base}open-sans.woff2`, 'css', bodies.font), keptAssetRef(`${base}tile.png`, 'css', bodies.tile), keptAssetRef(`${base}photo.png`, 'image', bodies.photo)];
  const session = makeSession(sessionId, at, { site: origin, lastEventAt: at + 2000, endedAt: at + 2000 });
  return { ...makeUpload([{ session, events: makeEvents(sessionId, `load-${sessionId}`, at, 2), replay, assets }]), assetBodies: Object.values(bodies) };
}

const read = async <T>(url: string): Promise<T> => (await team.app.inject({ method: 'GET', url, headers: memberHeaders(member) })).json<T>();
const detailOf = (id: string) => read<SessionDetailResponse>(`${SERVER_ROUTES.sessions}/${encodeURIComponent(id)}`);

async function openApp(page: DriverPage, options: object) {
  await page.goto(`${app.origin}/shop.html#${encodeURIComponent(JSON.stringify(options))}`);
  await expect.poll(() => page.evaluate(() => (window as any).__ready === true), POLL).toBe(true);
}

describe.each(BROWSERS)('standalone SDK to the team server in %s', (kind) => {
  let browser: Awaited<ReturnType<typeof launchPlainBrowser>>;
  beforeAll(async () => {
    browser = await launchPlainBrowser(kind);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
  });

  test('a click followed at once by leaving the page reaches the server, in the visitor’s session, readable through the API', async () => {
    const page = await browser.openPage('about:blank');
    await openApp(page, { clientToken: token, intakeUrl: team.url });
    const sessionId = await page.evaluate(() => (window as any).openobserveRum.getInternalContext().session_id as string);
    // The batch delay is seconds: only the pagehide path can deliver this click before the next page loads.
    await page.click('#buy');
    await page.click('#away');
    await expect.poll(() => page.evaluate(() => document.querySelector('#next')?.textContent ?? ''), POLL).toBe('Left the shop');
    await expect.poll(async () => (await detailOf(sessionId)).events?.some((e) => e.type === 'action' && e.name === 'Buy tea'), POLL).toBe(true);
    const detail = await detailOf(sessionId);
    expect(detail.item.session).toMatchObject({ id: sessionId, site: app.origin, app: { service: 'shop', env: 'e2e' } });
    expect(detail.item.uploadedBy?.email).toBe(ADMIN.email);
    expect(detail.events.filter((e) => e.type === 'view').map((e) => (e as { url: string }).url.split('#')[0])).toContain(`${app.origin}/shop.html`);
    await page.close();
  });

  test('a server answering 503 to the first attempts gets every event exactly once', async () => {
    const proxy = await startFlakyProxy(team.url, 3);
    try {
      const page = await browser.openPage('about:blank');
      await openApp(page, { clientToken: token, site: proxy.origin.replace('http://', ''), insecureHTTP: true });
      const sessionId = await page.evaluate(() => (window as any).openobserveRum.getInternalContext().session_id as string);
      for (const button of ['#buy', '#pay', '#buy']) await page.click(button);
      try {
        await expect.poll(() => proxy.failed(), POLL).toBe(3);
        await expect.poll(async () => (await detailOf(sessionId)).item?.session.counts.actions, { ...POLL, timeout: 30_000 }).toBe(3);
      } catch (error) {
        // Name what the SDK sent through the proxy and how each request ended.
        throw new Error(`${(error as Error).message}\nrequests through the proxy:\n  ${proxy.log()}`);
      }
      const detail = await detailOf(sessionId);
      const actions = detail.events.filter((e) => e.type === 'action').map((e) => (e as { name: string }).name);
      expect(actions).toEqual(['Buy tea', 'Pay now', 'Buy tea']);
      const keys = detail.events.map((e) => `${e.loadId}:${e.seq}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(detail.item.session.counts.events).toBe(detail.events.length);
      await page.close();
    } finally {
      await proxy.close();
    }
  }, 180_000);

  test('a session drawn for replay sends its segments; the server plays them back (masked as in the page)', async () => {
    const page = await browser.openPage('about:blank');
    await openApp(page, { clientToken: token, intakeUrl: team.url, sessionReplaySampleRate: 100 });
    const sessionId = await page.evaluate(() => (window as any).openobserveRum.getInternalContext().session_id as string);
    await page.click('#buy');
    await page.evaluate(() => (window as any).openobserveRum.stopSessionReplayRecording());
    await expect.poll(async () => (await read<ReplayData>(sessionReplayPath(sessionId))).records?.some((r) => r.type === 2), { ...POLL, timeout: 30_000 }).toBe(true);
    const replay = await read<ReplayData>(sessionReplayPath(sessionId));
    expect(JSON.stringify(replay.records)).toContain('CANARYVISIBLE');
    expect((await detailOf(sessionId)).item.session.replayStats?.segments).toBeGreaterThan(0);
    await page.close();

    // A member on the team dashboard (the panel over the HTTP source) plays it in the same sandboxed player.
    const dashboard = await browser.openPage(team.url + (await adminLoginLink(team.store, ADMIN.email)));
    const row = `tr[data-session-id="${sessionId}"] [data-testid="play"]:not([disabled])`;
    await expect.poll(() => dashboard.evaluate((s) => !!document.querySelector(s), row), { ...POLL, timeout: 30_000 }).toBe(true);
    await dashboard.click(row);
    const frame = () =>
      dashboard.evaluate(() => {
        const iframe = document.querySelector<HTMLIFrameElement>('[data-testid="replay-player"] iframe');
        return { sandbox: iframe?.getAttribute('sandbox') ?? null, text: iframe?.contentDocument?.body?.textContent ?? '' };
      });
    await expect.poll(async () => (await frame()).text, { ...POLL, timeout: 30_000 }).toContain('CANARYVISIBLE');
    expect((await frame()).sandbox).toBe('allow-same-origin');
    await dashboard.close();
  }, 180_000);

  test('a bundle uploaded with its kept stylesheet, web font and images replays with them on the dashboard after their server has stopped', async () => {
    const cdn = await startDemoServer();
    const sessionId = `assets-${kind}`;
    const photo = await fetch(`${cdn.origin}/fixtures/assets/photo.png`);
    expect(photo.status).toBe(200);
    await photo.arrayBuffer();
    const upload = await team.app.inject({ method: 'POST', url: SERVER_ROUTES.upload, headers: uploadHeaders(token), payload: JSON.stringify(bundleWithAssets(sessionId, cdn.origin)) });
    expect(upload.statusCode).toBe(201);
    expect((await read<SessionAssetsResponse>(sessionAssetsPath(sessionId))).refs.filter((ref) => ref.hash)).toHaveLength(4);
    const closing = cdn.close();
    cdn.server.closeAllConnections();
    await closing;
    expect(await fetch(`${cdn.origin}/fixtures/assets/photo.png`).then(() => 'answered', () => 'refused')).toBe('refused');

    const dashboard = await browser.openPage(team.url + (await adminLoginLink(team.store, ADMIN.email)));
    const row = `tr[data-session-id="${sessionId}"] [data-testid="play"]:not([disabled])`;
    await expect.poll(() => dashboard.evaluate((s) => !!document.querySelector(s), row), { ...POLL, timeout: 30_000 }).toBe(true);
    await dashboard.click(row);
    const shown = () =>
      dashboard.evaluate(async () => {
        const doc = document.querySelector<HTMLIFrameElement>('[data-testid="replay-player"] iframe')?.contentDocument;
        const title = doc?.querySelector('#title');
        const view = doc?.defaultView;
        if (!doc || !title || !view) return null;
        await Promise.race([doc.fonts.ready, new Promise((ok) => setTimeout(ok, 1000))]);
        return {
          font: [...doc.fonts].some((f) => f.family.includes('Fixture Sans') && f.status === 'loaded'),
          family: view.getComputedStyle(title).fontFamily,
          background: view.getComputedStyle(title).backgroundImage,
          photo: doc.querySelector<HTMLImageElement>('#photo')?.naturalWidth ?? 0,
          photoSrc: doc.querySelector<HTMLImageElement>('#photo')?.getAttribute('src') ?? '',
          missing: document.querySelectorAll('[data-testid="replay-asset-missing"]').length,
        };
      });
    await expect.poll(async () => (await shown())?.font && (await shown())?.photo, { ...POLL, timeout: 30_000 }).toBe(37);
    const result = (await shown())!;
    expect(result.family).toMatch(/Fixture Sans/);
    expect(result.background).toMatch(/^url\("blob:/);
    expect(result.photoSrc).toMatch(/^blob:/);
    expect(result.missing).toBe(0);
    await dashboard.close();
  }, 180_000);
});
