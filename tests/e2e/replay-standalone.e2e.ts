/**
 * The standalone SDK's replay (<dist>/sdk, no extension), in Chromium like capture-standalone.e2e.ts: the
 * recorder chunk loads only for a recorded session (sampled or forced), and its segments reach the app's hook.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDemoServer, type DemoServer } from '../../demo/server';
import { CHROMIUM_FLAGS, distDir } from './support/chromium';
import { findBrowser } from './support/findBrowser';

let demo: DemoServer;
let browser: Browser;
const sdkDir = () => resolve(distDir('chrome'), '../sdk');

beforeAll(async () => {
  demo = await startDemoServer();
  browser = await chromium.launch({ executablePath: findBrowser('chromium'), headless: true, args: CHROMIUM_FLAGS });
});
afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

/** The chunk of the standalone SDK with the recorder (sdk/src/replay/startRedactingRecorder.ts, rrweb in it). */
const RECORDER_CHUNK = 'startRedactingRecorder';

/** Serves the built SDK (the module and its chunks) under /sdk/ and starts it with `init`. */
async function openApp(page: Page, url: string, init: string) {
  const loaded: string[] = [];
  await page.route('**/sdk/*.*js', async (route) => {
    const name = basename(new URL(route.request().url()).pathname);
    loaded.push(name);
    await route.fulfill({ body: await readFile(resolve(sdkDir(), name), 'utf8'), contentType: 'text/javascript' });
  });
  await page.goto(url);
  await page.addScriptTag({
    type: 'module',
    content: `
      import { openobserveRum } from '/sdk/rumscope.mjs';
      window.__segments = [];
      openobserveRum.init({ ${init}, replayTransport: (s) => window.__segments.push(s) });
      window.__ready = true;`,
  });
  await page.waitForFunction(() => (window as any).__ready === true);
  return loaded;
}

const segmentTexts = (page: Page) => page.evaluate(() => ((window as any).__segments as { segment: string }[]).map((s) => s.segment).join('\n'));

describe('standalone SDK replay in Chromium (no extension)', () => {
  test('sessionReplaySampleRate 100 records the page, masked, into the replay hook', async () => {
    const page = await (await browser.newContext()).newPage();
    await openApp(page, `${demo.origin}/fixtures/replay.html`, 'sessionReplaySampleRate: 100');
    await page.type('#password', 'PWCANARYsdk');
    await page.click('#add');
    await page.evaluate(() => (window as any).openobserveRum.stopSessionReplayRecording());
    await expect.poll(() => segmentTexts(page)).toContain('Line 1');
    const text = await segmentTexts(page);
    expect(text).toContain('CANARYVISIBLE');
    expect(text).not.toContain('PWCANARY');
    expect(text).not.toContain('CANARYHIDDEN');
    expect(text).not.toContain('CANARYTOKEN'); // secret URL parameters redacted in the page (no background here)
    const sessionId = await page.evaluate(() => (window as any).openobserveRum.getInternalContext().session_id);
    const kept = await page.evaluate(() => (window as any).openobserveRum.getBufferedReplaySegments());
    expect(kept.length).toBeGreaterThan(0);
    expect(new Set(kept.map((s: { sessionId: string }) => s.sessionId))).toEqual(new Set([sessionId]));
    await page.close();
  });

  test('sessionReplaySampleRate 0 loads no recorder until startSessionReplayRecording({ force: true })', async () => {
    const page = await (await browser.newContext()).newPage();
    const loaded = await openApp(page, `${demo.origin}/fixtures/replay.html?sdk-forced`, 'sessionReplaySampleRate: 0');
    await page.click('#add');
    expect(loaded.some((name) => name.startsWith(RECORDER_CHUNK))).toBe(false);
    expect(await segmentTexts(page)).toBe('');
    await page.evaluate(() => (window as any).openobserveRum.startSessionReplayRecording({ force: true }));
    await expect.poll(() => loaded.some((name) => name.startsWith(RECORDER_CHUNK))).toBe(true);
    // Recording has started once its full snapshot is out (it leaves at once).
    await expect.poll(() => segmentTexts(page)).toContain('CANARYVISIBLE');
    await page.click('#add');
    await page.evaluate(() => (window as any).openobserveRum.stopSessionReplayRecording());
    await expect.poll(() => segmentTexts(page)).toContain('Line 2');
    await page.close();
  });
});
