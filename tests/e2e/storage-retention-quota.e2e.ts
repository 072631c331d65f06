/** Retention and a full disk, in Chromium and Firefox ESR. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BROWSERS, launchDriver, type Driver } from './support/driver';
import { patchSettingsVia as patchSettings, sendCommandVia, setTestHooksVia as setTestHooks, storageGet, TEST_HOOKS_KEY } from './support/lifeDriver';
import { startDemoServer, type DemoServer } from '../../demo/server';

// Six visits one after the other, each polled: a loaded machine (the soak) needs the room.
const POLL = { timeout: 60_000 };
// Long enough that a slow page's click still joins its view's session on a loaded machine.
const IDLE = { inactivityMs: 4000, maxMs: 4 * 60 * 60 * 1000 };
let sites: DemoServer[] = [];

beforeAll(async () => {
  sites = await Promise.all(Array.from({ length: 9 }, () => startDemoServer()));
});
afterAll(async () => {
  await Promise.all(sites.map((s) => s.close()));
});

/**
 * Keeps every unhandled rejection of the running background (`__rejections`). Chromium: in the service worker.
 * Firefox: the event page is a window the extension's pages reach through `extension.getViews()`. Either is gone
 * with a restart of the background, which the final read then reports (undefined instead of []).
 */
async function watchRejections(ext: Driver): Promise<void> {
  if (ext.native.kind === 'chromium') {
    await (await ext.native.ext.worker()).evaluate(() => {
      const seen: string[] = ((self as any).__rejections = []);
      self.addEventListener('unhandledrejection', (event) => seen.push(String((event as PromiseRejectionEvent).reason)));
    });
    return;
  }
  await ext.evaluateInExtension(() => {
    const bg = (globalThis as any).browser.extension.getViews().find((w: Window) => w.location.pathname === '/_generated_background_page.html');
    if (!bg) throw new Error('the event page is not running');
    const seen: string[] = (bg.__rejections = []);
    bg.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => seen.push(String(event.reason)));
  });
}

async function rejections(ext: Driver): Promise<unknown> {
  if (ext.native.kind === 'chromium') return (await ext.native.ext.worker()).evaluate(() => (self as any).__rejections);
  return ext.evaluateInExtension(
    () => (globalThis as any).browser.extension.getViews().find((w: Window) => w.location.pathname === '/_generated_background_page.html')?.__rejections,
  );
}

describe.each(BROWSERS)('retention and quota in %s', (kind) => {
let ext: Driver;
beforeAll(async () => {
  ext = await launchDriver(kind);
  // Sessions go idle (evictable) 4 s after their last click instead of 15 minutes.
  await setTestHooks(ext, { sessionTimeouts: IDLE });
  // Any unhandled rejection in the background is kept for the assertions.
  await watchRejections(ext);
});
afterAll(async () => {
  await ext?.close();
});

const readMeta = async (key: string) => (await ext.readStore('meta')).find((m) => m.key === key)?.value;

/**
 * One visit with one click on each site, one after the other: sessions that go idle 4 s later. Not in parallel:
 * six tabs opened at once leave all but one in the background, where both browsers throttle the page's timers (the
 * relay's flush); on a loaded machine (the soak) a background tab's click was not stored within the poll.
 */
async function visit(...targets: DemoServer[]): Promise<any[]> {
  const one = async (site: DemoServer) => {
    const page = await ext.openPage(site.origin + '/');
    await page.click('#add-tea');
    const find = async () => (await ext.readStore('sessions')).find((s) => s.site === site.origin);
    await expect.poll(async () => (await find())?.counts.actions ?? 0, POLL).toBe(1);
    await page.close();
    return find();
  };
  const found = [];
  for (const site of targets) found.push(await one(site));
  return found;
}

/** Until every session is idle (none had activity within IDLE.inactivityMs). */
async function allIdle() {
  await expect.poll(async () => (await ext.readStore('sessions')).every((s) => Date.now() - s.lastActivityAt > IDLE.inactivityMs + 200), POLL).toBe(true);
}

  test('a tiny size cap deletes the oldest unpinned sessions; the pinned one stays; usage is recorded', async () => {
    const [a] = await visit(sites[0]!);
    const [b] = await visit(sites[1]!);
    const [c] = await visit(sites[2]!);
    await sendCommandVia(ext, 'pinSession', { sessionId: a.id, pinned: true });
    await allIdle();
    const bytes = Object.fromEntries((await ext.readStore('sessions')).map((s) => [s.id, s.bytes as number]));
    expect(bytes[a.id]).toBeGreaterThan(500);
    // Room for the pinned session and the newest one only.
    const cap = bytes[a.id]! + bytes[c.id]! + 100;
    await patchSettings(ext, { retention: { days: 30, maxStorageMb: cap / 1_000_000 } });
    await expect.poll(async () => (await ext.readStore('sessions')).map((s) => s.id).sort(), POLL).toEqual([a.id, c.id].sort());
    expect((await ext.readStore('events')).filter((e) => e.sessionId === b.id)).toEqual([]);
    const usage = await readMeta('usage');
    expect(usage).toMatchObject({ sessions: 2, pinned: 1, capBytes: cap, lastRetention: { overCap: 1 } });
    expect(usage.bytes).toBeLessThanOrEqual(cap);
    expect(usage.browserUsage).toBeGreaterThan(0);
    await patchSettings(ext, { retention: { days: 30, maxStorageMb: 500 } });
  });

  test('when IndexedDB refuses writes (QuotaExceededError, then AbortError), old sessions are evicted and recording goes on', async () => {
    // Six idle sessions to evict (each refused write evicts at least one).
    const old = await visit(...sites.slice(3, 9));
    await allIdle();
    // The age order is the stored one (startedAt, ties by id: the index order eviction walks). Every unpinned
    // session here is idle.
    const byAge = (await ext.readStore('sessions'))
      .filter((s) => s.pinned !== 1)
      .sort((x, y) => x.startedAt - y.startedAt || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    const oldestOfOld = byAge.find((s) => old.some((o) => o.id === s.id))!;
    const page = await ext.openPage(sites[0]!.origin + '/?quota');
    await page.click('#add-tea');
    const actions = async () => (await ext.readStore('events')).filter((e) => e.type === 'action' && e.viewId && e.name && e.loadId === load()?.id);
    let loads: any[] = [];
    const load = () => loads.find((l) => l.url.endsWith('?quota'));
    await expect.poll(async () => ((loads = await ext.readStore('loads')), load()), POLL).toBeTruthy();
    await expect.poll(async () => (await actions()).length, POLL).toBe(1);

    await setTestHooks(ext, { sessionTimeouts: IDLE, failWrites: { count: 2, kind: 'quota' } });
    await page.click('#add-coffee');
    await expect.poll(async () => (await actions()).length, POLL).toBe(2);
    await setTestHooks(ext, { sessionTimeouts: IDLE, failWrites: { count: 2, kind: 'abort' } });
    await page.click('#add-cake');
    await expect.poll(async () => (await actions()).length, POLL).toBe(3);

    expect(await storageGet(ext, 'local', TEST_HOOKS_KEY)).toEqual({ sessionTimeouts: IDLE, failWrites: { count: 0, kind: 'abort' } });
    // Every refused write evicted at least one session, oldest unpinned first, and was written again;
    // the pinned one survived.
    const sessions = await ext.readStore('sessions');
    const gone = byAge.map((s) => !sessions.some((t) => t.id === s.id));
    const evicted = gone.filter(Boolean).length;
    expect(evicted).toBeGreaterThanOrEqual(4);
    expect(gone).toEqual(byAge.map((_, i) => i < evicted));
    expect(sessions.find((s) => s.id === oldestOfOld.id)).toBeUndefined();
    expect(sessions.filter((s) => s.pinned === 1)).toHaveLength(1);
    const warning = await readMeta('storageWarning');
    expect(warning).toMatchObject({ kind: 'quota', refusedWrites: 4, evictedSessions: evicted });
    // The events are all there once, in order.
    expect((await actions()).map((e) => e.name)).toEqual(['Add tea to cart', 'Add coffee to cart', 'Add cake to cart']);
    const seqs = (await ext.readStore('events')).filter((e) => e.loadId === load().id).map((e) => e.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(await rejections(ext)).toEqual([]);
    expect(page.pageErrors()).toEqual([]);
    await page.close();
  });
});
