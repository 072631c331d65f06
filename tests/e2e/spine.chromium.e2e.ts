/**
 * Chromium's service worker stopped three times (CDP Target.closeTarget from a page's session) while the page
 * makes 1,000 scripted clicks over about five seconds. The visit test is in spine.e2e.ts and the hostile-page
 * and idle-unload tests in spine.background.e2e.ts, for both browsers.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchDriver, type Driver } from './support/driver';
import { startDemoServer, type DemoServer } from '../../demo/server';

let driver: Driver;
let demo: DemoServer;

beforeAll(async () => {
  demo = await startDemoServer();
  driver = await launchDriver('chromium');
});
afterAll(async () => {
  await driver?.close();
  await demo?.close();
});

describe('spine in Chromium: the service worker stopped mid-stream', () => {
  test('three stops during 1,000 scripted clicks lose and duplicate nothing', async () => {
    const page = await driver.openPage(demo.origin + '/?kill-test');
    const clicking = page.evaluate(
      () =>
        new Promise<number>((done) => {
          const button = document.getElementById('add-tea')!;
          let n = 0;
          const started = performance.now();
          const tick = () => {
            // 1,000 clicks spread over about five seconds.
            const due = Math.min(1000, Math.floor((performance.now() - started) / 5));
            while (n < due) {
              button.click();
              n++;
            }
            if (n < 1000) setTimeout(tick, 4);
            else done(n);
          };
          tick();
        }),
    );
    const instances = new Set<string>();
    const running = async () => {
      let instance: string | null = null;
      await expect.poll(async () => (instance = await driver.backgroundInstance()), { timeout: 15_000, interval: 50 }).not.toBeNull();
      return instance!;
    };
    for (const pause of [1000, 1500, 1500]) {
      await new Promise((ok) => setTimeout(ok, pause));
      const before = await running();
      instances.add(before);
      await driver.stopBackground();
      // Started again by the relay's next batch: a new instance, not the one that was stopped.
      const after = await running();
      expect(after).not.toBe(before);
      instances.add(after);
    }
    expect(instances.size).toBeGreaterThanOrEqual(4);
    expect(await clicking).toBe(1000);

    const load = (await driver.readStore('loads')).find((l) => l.url.endsWith('?kill-test'));
    expect(load).toBeDefined();
    const mine = async () => (await driver.readStore('events')).filter((e) => e.loadId === load.id);
    await expect.poll(async () => (await mine()).filter((e) => e.type === 'action').length, { timeout: 20_000 }).toBe(1000);
    const events = await mine();
    const seqs = events.map((e) => e.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(new Set(events.map((e) => e.sessionId)).size).toBe(1);
    await page.close();
  });
});
