/**
 * Instant replay in real Chromium and Firefox with the built extension: off by default (a session not drawn for
 * replay gets no recorder); on for a site, the page keeps the last two minutes in memory and stores nothing until
 * an error (drawn by its own rate) or the user's "Keep replay" in the popup keeps them, and recording goes on.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDemoServer, type DemoServer } from '../../demo/server';
import { eventsOf, waitFor } from './support/capture';
import { BROWSERS, type DriverPage, useDriver } from './support/driver';
import { byTestId, patchSettingsVia, textOf } from './support/lifeDriver';
import { decode, readSegments } from './support/replay';

let demo: DemoServer;
beforeAll(async () => {
  demo = await startDemoServer();
});
afterAll(async () => {
  await demo?.close();
});

const recorderState = (page: DriverPage) =>
  page.evaluate(() => {
    const recorder = (window as any).__rumscopeRecorder;
    return { present: !!recorder, recording: !!recorder?.recording, buffering: !!recorder?.buffering };
  });
const pause = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
/** An uncaught error in the page (as an app's bug would throw it). */
const throwInPage = (page: DriverPage, message: string) => page.evaluate((text) => void setTimeout(() => { throw new Error(text); }), message);

describe.each(BROWSERS)('instant replay in %s', (kind) => {
  const driver = useDriver(kind);
  const sessionOf = async (site: string) => (await driver.readStore('sessions')).find((s) => s.site === site);
  const segmentsOf = async (sessionId: string) => (await readSegments(driver)).filter((s) => s.sessionId === sessionId);

  test('off by default: a session not drawn for replay gets no recorder, even after an error', async () => {
    await patchSettingsVia(driver, { sampling: { sessionSampleRate: 100, sessionReplaySampleRate: 0 } });
    const url = `${demo.origin}/fixtures/replay.html?off`;
    const page = await driver.openPage(url);
    await page.click('#add');
    await waitFor(() => eventsOf(driver, url), (events) => events.some((e) => e.type === 'action'), 'the click');
    await throwInPage(page, 'OFFBOOM');
    await waitFor(() => eventsOf(driver, url), (events) => events.some((e) => e.type === 'error'), 'the error');
    await pause(1000);
    expect(await recorderState(page)).toEqual({ present: false, recording: false, buffering: false });
    const session = await sessionOf(demo.origin);
    expect(session.replay).toBe(false);
    expect(await segmentsOf(session.id)).toEqual([]);
    await page.close();
  });

  test('on for a site: the last minutes stay in the page until an error keeps them, then recording goes on', async () => {
    await patchSettingsVia(driver, { instantReplay: { sites: [demo.origin], onErrorSampleRate: 100 } });
    const url = `${demo.origin}/fixtures/replay.html?instant`;
    const page = await driver.openPage(url);
    await waitFor(() => recorderState(page), (state) => state.buffering, 'the recorder buffering');
    const before = Date.now();
    await page.click('#add');
    await waitFor(() => eventsOf(driver, url), (events) => events.some((e) => e.type === 'action'), 'the click');
    await page.evaluate(() => (window as any).__rumscopeRecorder.flush());
    await pause(1500);
    const session = await sessionOf(demo.origin);
    expect(session.replay).toBe(false);
    expect(await segmentsOf(session.id)).toEqual([]); // nothing stored while buffering
    // The error keeps the buffer: what led up to it is stored, and recording goes on.
    await throwInPage(page, 'INSTANTBOOM');
    await waitFor(() => recorderState(page), (state) => state.recording && !state.buffering, 'the buffer kept');
    await page.click('#add');
    await page.evaluate(() => (window as any).__rumscopeRecorder.flush());
    const rows = await waitFor(
      () => segmentsOf(session.id),
      (found) => JSON.stringify(found.flatMap(decode)).includes('"Line 2"'),
      'the recording after the error',
    );
    const records = rows.sort((a, b) => a.start - b.start).flatMap(decode);
    expect(records.some((r) => r.type === 2 && r.timestamp <= before)).toBe(true); // a full snapshot from before the click
    const lineOne = records.find((r) => JSON.stringify(r).includes('"Line 1"'));
    expect(lineOne?.timestamp).toBeLessThan(records.find((r) => JSON.stringify(r).includes('"Line 2"'))!.timestamp);
    expect((await sessionOf(demo.origin)).replay).toBe(true);
    await page.close();
  });

  test("an error outside the on-error rate keeps nothing; the popup's Keep replay keeps the buffer", async () => {
    const site = demo.origin.replace('127.0.0.1', 'localhost');
    await patchSettingsVia(driver, { instantReplay: { sites: [demo.origin, site], onErrorSampleRate: 0 } });
    const url = `${site}/fixtures/replay.html?keep`;
    const page = await driver.openPage(url);
    await waitFor(() => recorderState(page), (state) => state.buffering, 'the recorder buffering');
    const before = Date.now();
    await page.click('#add');
    await throwInPage(page, 'NOTKEPTBOOM');
    await waitFor(() => eventsOf(driver, url), (events) => events.some((e) => e.type === 'error'), 'the error');
    await pause(1500);
    expect(await recorderState(page)).toMatchObject({ buffering: true });
    const session = await sessionOf(site);
    expect(session.replay).toBe(false);
    expect(await segmentsOf(session.id)).toEqual([]);

    const popup = await driver.openExtensionPage(`extension/popup/index.html?tabId=${await driver.tabIdOf(page.url())}`, byTestId('keep-replay'));
    expect(await textOf(popup, byTestId('replay-state'))).toBe('Replay: not recording.');
    await popup.click(byTestId('keep-replay'));
    await waitFor(() => textOf(popup, byTestId('replay-state')), (text) => text === 'Replay: recording.', 'the popup saying so');
    await waitFor(() => recorderState(page), (state) => state.recording && !state.buffering, 'the buffer kept');
    const rows = await waitFor(
      () => segmentsOf(session.id),
      (found) => JSON.stringify(found.flatMap(decode)).includes('"Line 1"'),
      'the kept buffer',
    );
    const records = rows.flatMap(decode);
    expect(records.some((r) => r.type === 2 && r.timestamp <= before)).toBe(true);
    await popup.close();
    await page.close();
  });
});
