/**
 * The session model in real browsers with the built extension: one session per site shared by its tabs,
 * reloads and frames, the SDK initialised twice, and expiry after inactivity through the test hook
 * (storage.local 'rumscope.testHooks', set from an extension page: never 15 real minutes).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDemoServer, type DemoServer } from '../../demo/server';
import { eventsOf, setTestHooks, waitFor } from './support/capture';
import { BROWSERS, useDriver } from './support/driver';

let demo: DemoServer;
beforeAll(async () => {
  demo = await startDemoServer();
});
afterAll(async () => {
  await demo?.close();
});

describe.each(BROWSERS)('sessions in %s', (kind) => {
  const driver = useDriver(kind);

  test('two tabs, a reload, same- and cross-origin frames and a second init are one session', async () => {
    const site = demo.origin;
    const a = await driver.openPage(`${site}/?tab=a`);
    await a.click('#add-tea');
    const b = await driver.openPage(`${site}/fixtures/frames.html?tab=b`);
    await a.goto(`${site}/?tab=a`); // reload
    await a.evaluate(() => {
      (window as any).rumscope.init({ service: 'first' });
      (window as any).rumscope.init({ service: 'second' });
    });
    await a.click('#add-coffee');
    // Both frames of tab b reported (their loads are bound to the top page's site).
    const loads = await waitFor(() => driver.readStore('loads'), (l) => l.filter((x) => x.frameId > 0).length >= 2, 'the two frames');
    await waitFor(() => eventsOf(driver, `${site}/?tab=a`), (e) => e.filter((x) => x.type === 'action').length === 2, 'the clicks');

    const sessions = await driver.readStore('sessions');
    expect(sessions).toHaveLength(1);
    const [session] = sessions;
    expect(session.site).toBe(site);
    expect(new Set(loads.map((l) => l.sessionId))).toEqual(new Set([session.id]));
    const events = await driver.readStore('events');
    expect(new Set(events.map((e) => e.sessionId))).toEqual(new Set([session.id]));
    // The cross-origin frame (localhost inside 127.0.0.1) joined too, and its views are no page views of the session.
    const frameLoads = loads.filter((l) => l.frameId > 0);
    expect(frameLoads.map((l) => new URL(l.url).host).sort()).toEqual([new URL(site).host, new URL(site.replace('127.0.0.1', 'localhost')).host].sort());
    const topViews = events.filter((e) => e.type === 'view' && e.frameId === 0).length;
    expect(topViews).toBe(3);
    await waitFor(async () => (await driver.readStore('sessions'))[0], (s) => s.counts.views === topViews && s.app.service === 'first', 'the session summary');
    // The background tells the page its session id (relay ack -> 'session' note): getInternalContext() has it.
    await waitFor(
      () => a.evaluate(() => (window as any).rumscope.getInternalContext()?.session_id),
      (id) => id === session.id,
      "the session id in the page's getInternalContext()",
    );
    void b;
  });

  test('15 minutes without activity (shortened by the test hook) end the session; the next click starts a new one', async () => {
    await setTestHooks(driver, { sessionTimeouts: { inactivityMs: 2500, maxMs: 3_600_000 } });
    try {
      const site = demo.origin.replace('127.0.0.1', 'localhost');
      const page = await driver.openPage(`${site}/?expiry`);
      await page.click('#add-tea');
      const first = await waitFor(
        async () => (await driver.readStore('sessions')).filter((s) => s.site === site),
        (s) => s.length === 1 && s[0].counts.actions === 1,
        'the first session',
      );
      // Idle for longer than the shortened inactivity (the page sends nothing meanwhile).
      await new Promise((ok) => setTimeout(ok, 3000));
      await page.click('#add-coffee');
      const both = await waitFor(
        async () => (await driver.readStore('sessions')).filter((s) => s.site === site).sort((x, y) => x.startedAt - y.startedAt),
        (s) => s.length === 2 && s[1].counts.actions === 1,
        'a second session',
      );
      expect(both[0]).toMatchObject({ id: first[0].id, endReason: 'inactivity' });
      expect(both[0].endedAt).toBeLessThan(both[1].startedAt);
      const clicks = (await eventsOf(driver, `${site}/?expiry`)).filter((e) => e.type === 'action');
      expect(clicks.map((c) => [c.name, c.sessionId])).toEqual([
        ['Add tea to cart', both[0].id],
        ['Add coffee to cart', both[1].id],
      ]);
    } finally {
      await setTestHooks(driver, null);
    }
  });
});
