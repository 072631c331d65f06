/**
 * Frames in the replay, in real Chromium and Firefox with the built extension: a same-origin frame is in the
 * page's own recording; a cross-origin frame whose own site is allowed is recorded into its top page's stream
 * (rrweb's cross-origin protocol, behind the frame gate: docs/replay-frames.md) and the panel's player shows it
 * inside the replayed page; a frame whose site is not allowed records nothing, and what it posts in rrweb's
 * protocol to its parent is refused without an error.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDemoServer, type DemoServer } from '../../demo/server';
import { eventsOf, waitFor } from './support/capture';
import { BROWSERS, useDriver, type DriverPage } from './support/driver';
import { patchSettingsVia } from './support/lifeDriver';
import { decode, readSegments } from './support/replay';

let home: DemoServer;
let other: DemoServer;
let forced: DemoServer;
beforeAll(async () => {
  [home, other, forced] = await Promise.all([startDemoServer(), startDemoServer(), startDemoServer()]);
});
afterAll(async () => {
  // Chromium keeps speculative connections open, which a plain close() would wait for.
  await Promise.all([home, other, forced].map((server) => (server?.server.closeAllConnections(), server?.close())));
});

/** The text of the player's replayed page, the documents of its frames included. */
function replayedText(panel: DriverPage): Promise<string> {
  return panel.evaluate(() => {
    const textOf = (doc: Document | null | undefined, depth: number): string => {
      if (!doc?.body) return '';
      const frames = depth < 3 ? [...doc.querySelectorAll('iframe')].map((f) => textOf(f.contentDocument, depth + 1)) : [];
      return [doc.body.textContent ?? '', ...frames].join('\n');
    };
    return textOf(document.querySelector<HTMLIFrameElement>('[data-testid="replay-player"] iframe')?.contentDocument, 0);
  });
}

describe.each(BROWSERS)('cross-origin frames in the replay in %s', (kind) => {
  const driver = useDriver(kind);

  test("an allowed cross-origin frame's content appears in the replay; a frame of a site not allowed records nothing", async () => {
    // Both loopback names are allowed by default; the second server's port is blocked: its frame is not allowed.
    const frameOrigin = home.origin.replace('127.0.0.1', 'localhost');
    const blockedOrigin = other.origin.replace('127.0.0.1', 'localhost');
    await patchSettingsVia(driver, { sampling: { sessionSampleRate: 100, sessionReplaySampleRate: 100 }, privacyLevel: 'allow', siteAccess: { block: [blockedOrigin] } });
    const url = `${home.origin}/fixtures/replay-frames.html?allowed=${encodeURIComponent(frameOrigin)}&blocked=${encodeURIComponent(blockedOrigin)}`;
    const page = await driver.openPage(url);
    await waitFor(() => page.evaluate(() => !!(window as any).__rumscopeRecorder?.recording), Boolean, 'the recorder in the page');
    const session = await waitFor(async () => (await driver.readStore('sessions')).find((s) => s.site === home.origin), (s) => !!s?.replay, 'the recorded session');
    const recorded = async () => (await readSegments(driver)).filter((r) => r.sessionId === session.id);
    // The frame's records arrive through the top page's stream (flushed now rather than in ~5 s).
    await waitFor(
      async () => {
        await page.evaluate(() => (window as any).__rumscopeRecorder.flush());
        return JSON.stringify((await recorded()).flatMap(decode));
      },
      (text) => text.includes('FRAMECANARY'),
      "the frame's content in the recording",
    );
    // Recording restarted (as after a storm pause or a kept instant replay): a new full snapshot of the page, and the
    // frame, asked by the page, sends a fresh one of its own; the stopped run takes nothing any more.
    await page.evaluate(() => {
      (window as any).__rumscopeRecorder.stop();
      (window as any).__rumscopeRecorder.start();
    });
    await waitFor(
      async () => {
        await page.evaluate(() => (window as any).__rumscopeRecorder.flush());
        const records = (await recorded()).sort((a, b) => a.start - b.start || a.seq - b.seq).flatMap(decode);
        return JSON.stringify(records.slice(records.findLastIndex((r) => r.type === 2)));
      },
      (text) => text.includes('FRAMECANARY'),
      "the frame's content after the page's new full snapshot",
    );
    // The blocked frame keeps posting forged records (and a null message) to its parent meanwhile.
    await new Promise((ok) => setTimeout(ok, 1000));
    await page.evaluate(() => (window as any).__rumscopeRecorder.stop());
    const rows = await recorded();
    const [top] = (await driver.readStore('loads')).filter((l) => l.url === url && l.frameId === 0);
    expect(new Set(rows.map((r) => r.loadId))).toEqual(new Set([top.id])); // one stream: the top page's
    const text = JSON.stringify(rows.flatMap(decode));
    expect(text).toContain('TOPCANARY');
    expect(text).toContain('SAMECANARY'); // a same-origin frame: in the page's own recording
    expect(text).toContain('FRAMECANARY');
    // Privacy inside the frame: hidden content and passwords never, even under 'allow'.
    expect(text).not.toContain('FRAMEHIDDEN');
    expect(text).not.toContain('PWCANARYFRAME');
    // The frame of a site not allowed: neither its content nor what it forged.
    expect(text).not.toContain('BLOCKEDCANARY');
    expect(text).not.toContain('FORGEDCANARY');
    // Nothing thrown into the page by those messages.
    expect((await eventsOf(driver, url)).filter((e) => e.type === 'error')).toEqual([]);

    // The player shows the frame's content inside the replayed page.
    const panel = await driver.openPanel(await driver.tabIdOf(page.url()));
    const play = `tr[data-session-id="${session.id}"] [data-testid="play"]:not([disabled])`;
    await waitFor(() => panel.evaluate((selector) => !!document.querySelector(selector), play), Boolean, 'its ▶');
    await panel.evaluate((selector) => document.querySelector<HTMLButtonElement>(selector)!.click(), play);
    await waitFor(() => replayedText(panel), (shown) => shown.includes('TOPCANARY'), 'the recorded page in the player');
    await panel.evaluate(() => {
      const range = document.querySelector<HTMLInputElement>('[data-testid="replay-scrubber"]')!;
      range.value = range.max;
      range.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const shown = await waitFor(() => replayedText(panel), (value) => value.includes('FRAMECANARY') && value.includes('SAMECANARY'), "the frames' content in the player");
    expect(shown).not.toContain('BLOCKEDCANARY');
    await panel.close();
    await page.close();
  });

  test('a session forced into recording records the allowed frames it already has', async () => {
    await patchSettingsVia(driver, { sampling: { sessionSampleRate: 100, sessionReplaySampleRate: 0 }, privacyLevel: 'mask-user-input', siteAccess: { block: [] } });
    const frameOrigin = forced.origin.replace('127.0.0.1', 'localhost');
    const url = `${forced.origin}/fixtures/replay-frames.html?allowed=${encodeURIComponent(frameOrigin)}`;
    const page = await driver.openPage(url);
    // The frame's events are stored (it is known to the background) while nothing records.
    await waitFor(async () => (await driver.readStore('loads')).filter((l) => l.url === `${frameOrigin}/fixtures/replay-frame-child.html`), (loads) => loads.length > 0, "the frame's load");
    const session = (await driver.readStore('sessions')).find((s) => s.site === forced.origin);
    expect(session.replay).toBe(false);
    expect(await page.evaluate(() => '__rumscopeRecorder' in window)).toBe(false);
    await page.evaluate(() => (window as any).rumscope.startSessionReplayRecording({ force: true }));
    await waitFor(() => page.evaluate(() => !!(window as any).__rumscopeRecorder?.recording), Boolean, 'the forced recorder');
    const text = await waitFor(
      async () => {
        await page.evaluate(() => (window as any).__rumscopeRecorder.flush());
        return JSON.stringify((await readSegments(driver)).filter((r) => r.sessionId === session.id).flatMap(decode));
      },
      (value) => value.includes('FRAMECANARY'),
      "the frame's content in the forced recording",
    );
    expect(text).toContain('TOPCANARY');
    expect(text).not.toContain('PWCANARYFRAME');
    await page.close();
  });
});
