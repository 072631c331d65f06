import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { bootCount, launchChromium, readStore, stopServiceWorker, type ChromiumWithExtension } from './support/chromium';
import { startDemoServer, type DemoServer } from '../../demo/server';

const POLL = { timeout: 15_000 };
let demo: DemoServer;
const opened: ChromiumWithExtension[] = [];
let profile: string;

beforeAll(async () => {
  demo = await startDemoServer();
  profile = await mkdtemp(join(tmpdir(), 'rumscope-life-profile-'));
});
afterAll(async () => {
  for (const ext of opened) await ext.close();
  await demo?.close();
  await rm(profile, { recursive: true, force: true });
});

async function launch(options: Parameters<typeof launchChromium>[0] = {}) {
  const ext = await launchChromium(options);
  opened.push(ext);
  return ext;
}

/** The events of the load whose URL ends with `suffix`. */
async function loadEvents(ext: ChromiumWithExtension, suffix: string) {
  const load = (await readStore(ext, 'loads')).find((l) => l.url.endsWith(suffix));
  return load ? (await readStore(ext, 'events')).filter((e) => e.loadId === load.id) : [];
}

describe('extension lifecycle (Chromium)', () => {
  test('sessions left open when the browser closed are ended at its next start; the next visit starts a new session', async () => {
    const first = await launch({ profileDir: profile });
    const page = await first.context.newPage();
    await page.goto(demo.origin + '/?before-restart');
    await page.click('#add-tea');
    await expect.poll(async () => (await readStore(first, 'sessions'))[0]?.counts.actions ?? 0, POLL).toBe(1);
    const [open] = await readStore(first, 'sessions');
    expect(open.endedAt).toBeNull();
    await first.close();

    const second = await launch({ profileDir: profile });
    await expect
      .poll(async () => (await readStore(second, 'sessions')).find((s) => s.id === open.id)?.endReason, POLL)
      .toBe('browser_closed');
    const ended = (await readStore(second, 'sessions')).find((s) => s.id === open.id);
    expect(ended.endedAt).toBe(ended.lastEventAt);
    expect(ended.counts.actions).toBe(1);

    const again = await second.context.newPage();
    await again.goto(demo.origin + '/?after-restart');
    await again.click('#add-coffee');
    const fresh = async () => (await readStore(second, 'sessions')).find((s) => s.id !== open.id);
    await expect.poll(async () => (await fresh())?.counts.actions, POLL).toBe(1);
    expect(await fresh()).toMatchObject({ endedAt: null, endReason: null });
    expect(await readStore(second, 'sessions')).toHaveLength(2);
    await second.close();
  });

  test('back/forward cache round trips, one with the worker stopped meanwhile: every event stored exactly once', async () => {
    const ext = await launch({ backForwardCache: true });
    const page: Page = await ext.context.newPage();
    await page.addInitScript(() => {
      const shows: boolean[] = [];
      Object.defineProperty(window, '__shows', { value: shows });
      addEventListener('pageshow', (event) => shows.push(event.persisted));
    });
    await page.goto(demo.origin + '/?bfcache');
    const actions = async () => (await loadEvents(ext, '?bfcache')).filter((e) => e.type === 'action');
    await page.click('#add-tea');
    await page.click('#add-tea');
    await expect.poll(async () => (await actions()).length, POLL).toBe(2);

    // Away and back: the page comes back from the cache (its port was closed on the way in), clicks go on.
    await page.goto(demo.origin + '/checkout.html');
    await page.goBack({ waitUntil: 'commit' });
    await expect.poll(() => page.evaluate(() => (window as any).__shows), POLL).toEqual([false, true]);
    await page.click('#add-coffee');
    await expect.poll(async () => (await actions()).length, POLL).toBe(3);

    // Away, the worker stopped while the page sits in the cache, back, and more clicks.
    await page.click('#add-cake');
    await page.goto(demo.origin + '/checkout.html');
    const other = await ext.context.newPage();
    const boots = await bootCount(ext);
    expect(await stopServiceWorker(other, ext.extensionId)).not.toBeNull();
    await page.goBack({ waitUntil: 'commit' });
    await expect.poll(() => page.evaluate(() => (window as any).__shows), POLL).toEqual([false, true, true]);
    await page.click('#add-tea');
    await expect.poll(async () => (await actions()).length, POLL).toBe(5);
    expect(await bootCount(ext)).toBeGreaterThan(boots);

    const events = await loadEvents(ext, '?bfcache');
    expect((await actions()).map((e) => e.name)).toEqual(['Add tea to cart', 'Add tea to cart', 'Add coffee to cart', 'Add cake to cart', 'Add tea to cart']);
    const seqs = events.map((e) => e.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(new Set(events.map((e) => e.sessionId)).size).toBe(1);
    await Promise.all([page.close(), other.close()]);
  });
});
