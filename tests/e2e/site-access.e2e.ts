/** Site access and settings in Chromium and Firefox ESR . */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BROWSERS, launchDriver, type Driver } from './support/driver';
import { patchSettingsVia as patchSettings, refusedLoads, relayNotes, sendCommandVia, watchRelayNotes } from './support/lifeDriver';
import { startDemoServer, type DemoServer } from '../../demo/server';
import { DEFAULT_ALLOW_PATTERNS } from '../../sdk/schema';

const POLL = { timeout: 10_000 };

/** The demo app on 127.0.0.1: allowed on a fresh install (loopback). */
let demo: DemoServer;
/** The same app on 127.0.0.2: a loopback address too, but no default pattern names it, so it stands for "any other site". */
let other: DemoServer;

beforeAll(async () => {
  [demo, other] = await Promise.all([startDemoServer(), startDemoServer(0, '127.0.0.2')]);
});
afterAll(async () => {
  await Promise.all([demo?.close(), other?.close()]);
});

describe.each(BROWSERS)('site access in %s', (kind) => {
  let ext: Driver;
  beforeAll(async () => {
    ext = await launchDriver(kind);
  });
  afterAll(async () => {
    await ext?.close();
  });
  const sessionsOf = async (site: string) => (await ext.readStore('sessions')).filter((s) => s.site === site);

  test('a fresh install records the demo app but no other site; allowing starts recording, disallowing stops it', async () => {
    // Not allowed: Rumscope is not injected at all, and nothing is stored.
    const page = await ext.openPage(other.origin + '/', { initScript: watchRelayNotes });
    await page.click('#add-tea');
    expect(await page.evaluate(() => 'rumscope' in window)).toBe(false);
    await new Promise((ok) => setTimeout(ok, 500));
    expect(await relayNotes(page)).toEqual([]);
    expect(await sessionsOf(other.origin)).toEqual([]);
    expect((await ext.readStore('loads')).filter((l) => l.site === other.origin)).toEqual([]);
    const otherTab = await ext.tabIdOf(page.url());
    expect((await ext.readStore('events')).filter((e) => e.tabId === otherTab)).toEqual([]);

    // The demo app is recorded with no setup.
    const demoPage = await ext.openPage(demo.origin + '/');
    await demoPage.click('#add-tea');
    await expect.poll(async () => (await sessionsOf(demo.origin))[0]?.counts.actions ?? 0, POLL).toBe(1);
    await demoPage.close();

    // Allowed (as the popup's switch does): recording starts with the next page load.
    await patchSettings(ext, { siteAccess: { allow: [...DEFAULT_ALLOW_PATTERNS, other.origin] } });
    await page.reload();
    expect(await page.evaluate(() => 'rumscope' in window)).toBe(true);
    await page.click('#add-tea');
    await page.click('#add-coffee');
    await expect.poll(async () => (await sessionsOf(other.origin))[0]?.counts.actions ?? 0, { timeout: 10_000 }).toBe(2);
    expect((await relayNotes(page)).at(-1)).toEqual({ id: expect.any(String), sampled: true, replay: true, privacyLevel: 'mask-user-input' });

    // Disallowed again: the same page's next events are answered "not tracked" and not stored.
    await patchSettings(ext, { siteAccess: { allow: [...DEFAULT_ALLOW_PATTERNS], block: [other.origin] } });
    const notesBefore = (await relayNotes(page)).length;
    const refusedBefore = Object.keys(await refusedLoads(ext)).length;
    await page.click('#add-cake');
    await expect.poll(async () => (await relayNotes(page)).slice(notesBefore), POLL).toContainEqual({ sampled: false, replay: false });
    expect(Object.keys(await refusedLoads(ext)).length).toBe(refusedBefore + 1);
    const [session] = await sessionsOf(other.origin);
    expect(session.counts.actions).toBe(2);
    const tabId = await ext.tabIdOf(page.url());
    expect((await ext.readStore('events')).filter((e) => e.tabId === tabId && e.type === 'action').map((e) => e.name)).toEqual([
      'Add tea to cart',
      'Add coffee to cart',
    ]);
    await page.close();
  });

  test('the sync server is never recorded, even on an allowed host', async () => {
    await patchSettings(ext, { sync: { url: demo.origin + '/sync' } });
    const page = await ext.openPage(demo.origin + '/?sync-server', { initScript: watchRelayNotes });
    await page.click('#add-tea');
    await expect.poll(() => relayNotes(page), POLL).toContainEqual({ sampled: false, replay: false });
    expect((await ext.readStore('loads')).filter((l) => l.url.endsWith('?sync-server'))).toEqual([]);
    await patchSettings(ext, { sync: { url: '' } });
    await page.close();
  });

  test('settings apply to the next session without a reload: tester identity, environment, sampling', async () => {
    await patchSettings(ext, {
      tester: { name: 'Asha Tester', email: 'asha@example.com' },
      environment: 'staging',
      sampling: { sessionSampleRate: 100, sessionReplaySampleRate: 0 },
    });
    // A site with no session yet (sessions are per site: the demo's is still live from the first test).
    const fresh = await startDemoServer();
    const page = await ext.openPage(fresh.origin + '/?settings');
    await page.click('#add-tea');
    const tabId = await ext.tabIdOf(page.url());
    const tabSession = async () => {
      const loads = (await ext.readStore('loads')).filter((l) => l.tabId === tabId && l.sessionId);
      const sessions = await ext.readStore('sessions');
      return sessions.find((s) => s.id === loads.at(-1)?.sessionId);
    };
    await expect.poll(async () => (await tabSession())?.counts.actions ?? 0, POLL).toBeGreaterThan(0);
    const first = (await tabSession())!;
    expect(first.user).toEqual({ name: 'Asha Tester', email: 'asha@example.com' });
    expect(first.app.env).toBe('staging');
    expect(first.replay).toBe(false);

    // New settings, then the user ends the session from an extension page: the next session has them.
    await patchSettings(ext, { tester: { name: 'Ravi', email: 'ravi@example.com' }, environment: 'production' });
    expect(await sendCommandVia(ext, 'endTabSession', { tabId })).toEqual({ sessionId: first.id });
    await page.click('#add-coffee');
    await expect.poll(async () => (await tabSession())?.id, POLL).not.toBe(first.id);
    const second = (await tabSession())!;
    expect(second.user).toEqual({ name: 'Ravi', email: 'ravi@example.com' });
    expect(second.app.env).toBe('production');
    // It took over the page's device facts from the session it follows.
    expect(second.browser.name).toBe(ext.browserName);
    const ended = (await ext.readStore('sessions')).find((s) => s.id === first.id);
    expect(ended).toMatchObject({ endReason: 'user', user: { name: 'Asha Tester' } });
    await patchSettings(ext, { tester: { name: '', email: '' }, environment: '' });
    await page.close();
    fresh.server.closeAllConnections();
    await fresh.close();
  });
});
