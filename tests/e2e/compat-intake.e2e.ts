/**
 * The compatible intake with the real peer SDKs in Debian's Chromium (no extension): @datadog/browser-rum and
 * @openobserve/browser-rum, at the lockfile's versions, run in a shop page whose intake is the Rumscope server
 * (on SQLite and on PostgreSQL). A scripted visit — two views, clicks, an error, an API call — is one session
 * of that SDK with the right counts, as the team dashboard's HTTP source reads it; its replay segments are
 * kept and the session says why they cannot be played: the team dashboard, as `npm run server` serves it, shows
 * who recorded it and why, never a blank player. Chromium only (issue 17: Firefox is not needed here).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_FLAGS } from './support/chromium';
import { findBrowser } from './support/findBrowser';
import { PEER_USER, startPeerSite, type PeerSdk } from './support/peerSdkSite';
import { adminLoginLink, startServer, type RunningServer } from '../../server/main';
import { buildDashboard } from '../../scripts/buildDashboard';
import { createTestDatabase, DIALECTS, testConfig, type TestDatabase } from '../../server/testing/testStores';
import { ADMIN, login, memberHeaders, seedAdmin } from '../../server/testing/harness';
import { createHttpSessionSource } from '../../server/dashboard/httpSessionSource';
import { replayStatus } from '../../panel/replayStatus';
import { SERVER_ROUTES, type CreateApplicationResponse, type SessionRecord } from '../../sdk/schema';

const POLL = { timeout: 30_000, interval: 250 };
const SDKS: PeerSdk[] = ['datadog', 'openobserve'];
const VERSIONS: Record<PeerSdk, string> = { datadog: '7.16.2', openobserve: '0.4.1' };

let browser: Browser;
/** The team dashboard, built as `npm run server` serves it. */
let staticDir: string;
beforeAll(async () => {
  staticDir = await mkdtemp(join(tmpdir(), 'rumscope-compat-dashboard-'));
  await buildDashboard(staticDir);
  browser = await chromium.launch({ executablePath: findBrowser('chromium'), headless: true, args: CHROMIUM_FLAGS });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await rm(staticDir, { recursive: true, force: true });
});

describe.each(DIALECTS)('compatible intake on %s', (dialect) => {
  let database: TestDatabase;
  let server: RunningServer;
  let cookieHeaders: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    server = await startServer(testConfig(database.url, { staticDir }));
    await seedAdmin(server.store);
    cookieHeaders = memberHeaders(await login(server.app, ADMIN.email, ADMIN.password));
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  const source = () =>
    createHttpSessionSource({
      baseUrl: server.url,
      fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), cookie: cookieHeaders.cookie! } }),
    });

  test.each(SDKS)('a visit recorded by %s is one session with its counts, user, SDK and kept replay', async (sdk) => {
    // An admin creates the application; its client token goes into the page's SDK configuration.
    const created = await server.app.inject({ method: 'POST', url: SERVER_ROUTES.applications, headers: cookieHeaders, payload: { name: `${sdk} shop` } });
    expect(created.statusCode).toBe(201);
    const { clientToken } = created.json<CreateApplicationResponse>();
    const site = await startPeerSite(sdk, server.url, clientToken);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const failures: string[] = [];
      page.on('response', (response) => {
        if (response.url().startsWith(server.url) && response.status() >= 300) failures.push(`${response.status()} ${response.url()}`);
      });
      await page.goto(site.origin + '/');
      await page.waitForFunction((name) => !!(window as never as Record<string, { getInternalContext?: () => unknown }>)[name]?.getInternalContext?.(), sdk === 'datadog' ? 'DD_RUM' : 'OO_RUM');
      await page.click('#buy');
      await page.click('#fetch');
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Prices: 4');
      await page.click('#throw');
      await page.click('#route');
      await page.waitForFunction(() => location.pathname === '/cart');
      await page.click('#buy');
      // Let the SDK see the last click end (its actions wait ~100 ms for activity), then leave: it flushes at pagehide.
      await page.waitForTimeout(1500);
      await page.goto('about:blank');

      const dashboard = source();
      const mine = async (): Promise<SessionRecord | undefined> =>
        (await dashboard.listSessions({ limit: 50 })).sessions.find((s) => s.sdk?.name === sdk);
      await expect.poll(async () => (await mine())?.counts.views, POLL).toBe(2);
      await expect.poll(async () => (await mine())?.counts.errors, POLL).toBe(1);
      await expect.poll(async () => (await mine())?.counts.actions, POLL).toBe(5);
      await expect.poll(async () => (await mine())?.counts.apiCalls, POLL).toBe(1);
      await expect.poll(async () => (await mine())?.foreignReplay?.segments ?? 0, POLL).toBeGreaterThan(0);
      const sessions = (await dashboard.listSessions({ limit: 50 })).sessions.filter((s) => s.sdk?.name === sdk);
      expect(sessions).toHaveLength(1);
      const session = sessions[0]!;
      expect(session).toMatchObject({
        site: site.origin,
        sdk: { name: sdk, version: VERSIONS[sdk] },
        user: PEER_USER,
        global: { plan: 'gold' },
        app: { service: 'peer-shop', env: 'e2e', version: '1.2.3' },
        browser: { name: 'Chrome' },
        replay: true,
      });
      expect(session.foreignReplay).toMatchObject({ format: 'datadog-change' });
      expect(session.foreignReplay!.records).toBeGreaterThan(0);
      // The player is not opened on it: the detail says who recorded it and why it cannot be played.
      expect(replayStatus(session)).toEqual({ playable: false, text: expect.stringMatching(/^Recorded by (Datadog|OpenObserve) browser-rum .*, not playable: .*change records/) });

      const events = await dashboard.getEvents(session.id);
      const views = events.filter((e) => e.type === 'view');
      expect(views.map((v) => (v.type === 'view' ? new URL(v.url).pathname : ''))).toEqual(['/', '/cart']);
      const api = events.find((e) => e.type === 'api');
      expect(api).toMatchObject({ method: 'GET', status: 200, via: 'fetch' });
      expect(api?.type === 'api' && api.url).toBe(site.origin + '/api/prices');
      const error = events.find((e) => e.type === 'error');
      expect(error).toMatchObject({ source: 'uncaught', message: expect.stringContaining('Peer page failure') });
      const names = events.flatMap((e) => (e.type === 'action' ? [e.name] : []));
      expect(names).toEqual(['Buy the tea', 'Load prices', 'Break it', 'Go to cart', 'Buy the tea']);
      expect(events.some((e) => e.type === 'vital' && e.name === 'FCP')).toBe(true);
      expect(failures).toEqual([]);

      // On the team dashboard: its row's play button is off with the reason, and its detail says who recorded it
      // and why it cannot be played, where a playable session has its player.
      const teamPage = await context.newPage();
      await teamPage.goto(server.url + (await adminLoginLink(server.store, ADMIN.email)));
      const row = teamPage.locator(`tr[data-session-id="${session.id}"]`);
      await row.waitFor({ timeout: 30_000 });
      const play = row.locator('[data-testid="play"]');
      expect(await play.isDisabled()).toBe(true);
      // (More segments may have arrived since `session` was read: the figures are not compared.)
      const NOT_PLAYABLE = /^Recorded by (Datadog|OpenObserve) browser-rum \S+, not playable: .*change records.* \(\d+ segments, [\d.]+ [KM]?B kept\)$/;
      expect(await play.getAttribute('title')).toMatch(NOT_PLAYABLE);
      await row.click();
      const why = teamPage.locator('[data-testid="replay-section"] [data-testid="replay-why"]');
      await why.waitFor({ timeout: 30_000 });
      expect(await why.textContent()).toMatch(NOT_PLAYABLE);
      expect(await teamPage.locator('[data-testid="open-replay"], [data-testid="replay-player"]').count()).toBe(0);
    } finally {
      await context.close();
      await site.close();
    }
  });
});
