import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootCount, launchChromium, readStore, serviceWorkerTargetId, stopServiceWorker, tabIdOf, type ChromiumWithExtension } from './support/chromium';
import { startDemoServer, type DemoServer } from '../../demo/server';

let ext: ChromiumWithExtension;
let demo: DemoServer;

beforeAll(async () => {
  demo = await startDemoServer();
  ext = await launchChromium();
});
afterAll(async () => {
  await ext?.close();
  await demo?.close();
});

describe('spine in Chromium', () => {
  test('a visit with two page loads, three clicks and one thrown error is one session with Error Count 1', async () => {
    const page = await ext.context.newPage();
    await page.goto(demo.origin + '/');
    await page.click('#add-tea');
    await page.click('#add-coffee');
    await page.goto(demo.origin + '/checkout.html');
    await page.goto(demo.origin + '/');
    await page.click('#throw');
    await page.waitForTimeout(500);
    const tabId = await tabIdOf(ext, page.url());

    const panel = await ext.context.newPage();
    await panel.goto(ext.panelUrl(tabId));
    const rows = panel.locator('tbody tr[data-session-id]');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
    const headers = await panel.locator('thead th').allInnerTexts();
    expect(headers.slice(0, 5)).toEqual(['Timestamp', 'User Email', 'Time Spent', 'Error Count', 'Location']);

    const sw = await ext.worker();
    const stored = await sw.evaluate(async () => {
      const open = indexedDB.open('rumscope');
      const db: IDBDatabase = await new Promise((ok, ko) => ((open.onsuccess = () => ok(open.result)), (open.onerror = ko)));
      const all = <T,>(store: string): Promise<T[]> =>
        new Promise((ok) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => ok(r.result as T[]);
        });
      return { sessions: await all<any>('sessions'), events: (await all<any>('events')).sort((a, b) => a.time - b.time) };
    });
    expect(stored.sessions).toHaveLength(1);
    const views = stored.events.filter((e) => e.type === 'view');
    const clicks = stored.events.filter((e) => e.type === 'action' && e.action === 'click');
    const errors = stored.events.filter((e) => e.type === 'error');
    expect(views).toHaveLength(3);
    expect(clicks.map((c) => c.name)).toEqual(['Add tea to cart', 'Add coffee to cart', 'Throw an error']);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain('Demo failure: cart is undefined');
    expect(stored.sessions[0].counts.errors).toBe(1);
    const row = rows.first();
    await expect.poll(() => row.locator('td').nth(3).innerText()).toBe('1');
    await expect.poll(() => row.locator('td').nth(4).innerText()).toMatch(/^[^·]+ - [^·]+ · Chrome · Linux$/);
    expect(await row.getAttribute('class')).toContain('current');

    // Live: a second error in the page shows up in the open panel without a reload.
    await page.click('#throw');
    await expect.poll(() => row.locator('td').nth(3).innerText(), { timeout: 10_000 }).toBe('2');
  });

  test('the worker stopped three times during 1,000 scripted clicks loses and duplicates nothing', async () => {
    const page = await ext.context.newPage();
    await page.goto(demo.origin + '/?kill-test');
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
    const bootsBefore = await bootCount(ext);
    for (const [round, pause] of [1000, 1500, 1500].entries()) {
      await page.waitForTimeout(pause);
      expect(await stopServiceWorker(page, ext.extensionId)).not.toBeNull();
      // Gone, then started again by the relay's next batch: the boot counter moves by one.
      await expect.poll(() => serviceWorkerTargetId(page, ext.extensionId), { timeout: 2_000 }).toBeNull();
      await expect.poll(() => bootCount(ext), { timeout: 10_000 }).toBe(bootsBefore + round + 1);
    }
    expect(await clicking).toBe(1000);

    const loads = await readStore(ext, 'loads');
    const load = loads.find((l) => l.url.endsWith('?kill-test'));
    expect(load).toBeDefined();
    await expect
      .poll(async () => (await readStore(ext, 'events')).filter((e) => e.loadId === load.id && e.type === 'action').length, { timeout: 20_000 })
      .toBe(1000);
    const events = (await readStore(ext, 'events')).filter((e) => e.loadId === load.id);
    const seqs = events.map((e) => e.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(new Set(events.map((e) => e.sessionId)).size).toBe(1);
    await page.close();
  });

  test('a hostile page flooding 10,000 forged messages stores nothing outside its own session and reads nothing', async () => {
    // A session on another site (127.0.0.1) that the hostile page (localhost) must not be able to touch.
    const victim = await ext.context.newPage();
    await victim.goto(demo.origin + '/?victim');
    await victim.click('#add-tea');
    const victimLoad = await expect
      .poll(async () => (await readStore(ext, 'loads')).find((l) => l.url.endsWith('?victim')), { timeout: 10_000 })
      .toBeTruthy()
      .then(async () => (await readStore(ext, 'loads')).find((l) => l.url.endsWith('?victim')));
    await expect.poll(async () => (await readStore(ext, 'events')).filter((e) => e.loadId === victimLoad.id).length).toBeGreaterThan(2);
    const victimSessionId: string = victimLoad.sessionId;
    const victimEventsBefore = (await readStore(ext, 'events')).filter((e) => e.sessionId === victimSessionId).length;

    const hostileOrigin = demo.origin.replace('127.0.0.1', 'localhost');
    const page = await ext.context.newPage();
    await page.goto(hostileOrigin + '/fixtures/hostile.html');
    await page.evaluate((id) => ((window as any).__targetSession = id), victimSessionId);
    const flood = page.evaluate(() => new Promise<number>((done) => (window as any).__flood(10_000, done)));
    // The page's own code keeps working during the flood.
    await page.click('#own-button');
    expect(await flood).toBe(10_000);
    await expect.poll(() => page.locator('#own-clicks').innerText()).toBe('1');

    const tabId = await tabIdOf(ext, page.url());
    // Every refused message is counted for the tab (relay drops arrive with its next batch, written within a second).
    await expect
      .poll(async () => (await readStore(ext, 'tabStats')).find((t) => t.tabId === tabId)?.dropped ?? 0, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(9_000);

    const events = await readStore(ext, 'events');
    const sessions = await readStore(ext, 'sessions');
    expect(events.filter((e) => JSON.stringify(e).includes('FORGED'))).toEqual([]);
    expect(sessions.filter((s) => JSON.stringify(s).includes('FORGED'))).toEqual([]);
    expect(events.filter((e) => e.sessionId === victimSessionId)).toHaveLength(victimEventsBefore);
    const hostileSessions = new Set(events.filter((e) => e.tabId === tabId).map((e) => e.sessionId));
    for (const id of hostileSessions) expect(sessions.find((s) => s.id === id)?.site).toBe(hostileOrigin);
    expect(Object.prototype.hasOwnProperty.call({}, 'polluted')).toBe(false);

    // Nothing answered the page but the session note the relay always sends its own page.
    const answers = await page.evaluate(() => (window as any).__answers.filter((a: any) => a.tag !== 'FORGED'));
    for (const answer of answers) expect(Object.keys(answer).sort()).toEqual(['kind', 'protocol', 'session', 'source']);
    expect(answers.every((a: any) => a.kind === 'session')).toBe(true);

    // The panel shows the count.
    const stats = (await readStore(ext, 'tabStats')).find((t) => t.tabId === tabId);
    const panel = await ext.context.newPage();
    await panel.goto(ext.panelUrl(tabId));
    await expect.poll(() => panel.getByTestId('dropped-count').innerText()).toBe(`Blocked messages from this tab: ${stats.dropped}`);
  });
});
