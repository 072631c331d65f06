/**
 * Session replay in real Chromium and Firefox with the built extension: the recorder is injected only into
 * recorded sessions, what it stores is masked and compressed, forced recording works where the draw said no,
 * and the panel's player replays the recording in its sandboxed iframe.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDemoServer, type DemoServer } from '../../demo/server';
import { eventsOf, typeInto, waitFor } from './support/capture';
import { BROWSERS, useDriver, type DriverPage } from './support/driver';
import { patchSettingsVia } from './support/lifeDriver';
import { decode, readSegments } from './support/replay';

let demo: DemoServer;
beforeAll(async () => {
  demo = await startDemoServer();
});
afterAll(async () => {
  await demo?.close();
});


/** Seeks the panel's player to the end of the recording and waits until the replayed page shows `text`. */
async function seekToEnd(panel: DriverPage, text: string) {
  await panel.evaluate(() => {
    const range = document.querySelector<HTMLInputElement>('[data-testid="replay-scrubber"]')!;
    range.value = range.max;
    range.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await waitFor(
    () => panel.evaluate(() => document.querySelector<HTMLIFrameElement>('[data-testid="replay-player"] iframe')?.contentDocument?.body?.textContent ?? ''),
    (shown) => shown.includes(text),
    `the end of the recording (${text}) in the player`,
  );
}

describe.each(BROWSERS)('session replay in %s', (kind) => {
  const driver = useDriver(kind);

  test('a sampled session is recorded: full snapshot and interactions stored compressed, passwords and hidden content never', async () => {
    // The most revealing level: even here passwords (also after "show password") and hidden elements stay out.
    await patchSettingsVia(driver, { sampling: { sessionSampleRate: 100, sessionReplaySampleRate: 100 }, privacyLevel: 'allow' });
    const url = `${demo.origin}/fixtures/replay.html`;
    const page = await driver.openPage(url);
    await waitFor(() => page.evaluate(() => !!(window as any).__rumscopeRecorder?.recording), Boolean, 'the recorder in the page');
    await typeInto(driver, page, '#password', 'PWCANARYone');
    await page.click('#toggle'); // the field is type=text from now on
    await typeInto(driver, page, '#password', 'PWCANARYtwo');
    await typeInto(driver, page, '#name', 'Ada Lovelace');
    await page.click('#add');
    // A console message between the two lines: its marker in the player's timeline seeks to that moment.
    await new Promise((ok) => setTimeout(ok, 1000));
    await page.evaluate(() => console.warn('CONSOLEMARK between the lines'));
    await new Promise((ok) => setTimeout(ok, 1000));
    await page.click('#add');
    // Segments are cut every ~5 s: leaving the page sends the last one.
    await page.evaluate(() => (window as any).__rumscopeRecorder.stop());
    const segments = await waitFor(() => readSegments(driver), (rows) => rows.some((r) => decode(r).some((e) => JSON.stringify(e).includes('Line 2'))), 'the recorded clicks');
    const [session] = await driver.readStore('sessions');
    expect(new Set(segments.map((s) => s.sessionId))).toEqual(new Set([session.id]));
    const records = segments.flatMap(decode);
    expect(records.some((r) => r.type === 2)).toBe(true); // a full snapshot
    expect(records.filter((r) => r.type === 3).length).toBeGreaterThan(5); // incremental records
    const text = JSON.stringify(records);
    expect(text).toContain('CANARYVISIBLE');
    expect(text).toContain('Ada Lovelace'); // 'allow' records what is typed in an ordinary field
    expect(text).not.toContain('PWCANARY');
    expect(text).not.toContain('CANARYHIDDEN');
    expect(text).not.toContain('CANARYMASKED');
    expect(text).not.toContain('CANARYTOKEN');
    // Compressed, and counted in the session.
    const stored = segments.reduce((sum, s) => sum + s.bytes, 0);
    expect(stored).toBeLessThan(segments.reduce((sum, s) => sum + s.rawChars, 0));
    const updated = (await driver.readStore('sessions')).find((s) => s.id === session.id);
    expect(updated.replayStats).toMatchObject({ segments: segments.length, bytes: stored });
    expect(updated.bytes).toBeGreaterThan(stored);

    // The panel: the row's ▶ opens the player, whose sandboxed iframe rebuilds the recorded page.
    const panel = await driver.openPanel(await driver.tabIdOf(page.url()));
    await waitFor(() => panel.evaluate(() => !!document.querySelector('tr[data-session-id] [data-testid="play"]:not([disabled])')), Boolean, 'an enabled ▶');
    await panel.click('[data-testid="play"]');
    const frame = await waitFor(
      () =>
        panel.evaluate(() => {
          const iframe = document.querySelector<HTMLIFrameElement>('[data-testid="replay-player"] iframe');
          return { sandbox: iframe?.getAttribute('sandbox') ?? null, text: iframe?.contentDocument?.body?.textContent ?? '' };
        }),
      (value) => value.text.includes('CANARYVISIBLE'),
      'the recorded page in the player',
    );
    expect(frame.sandbox).toBe('allow-same-origin');
    expect(frame.text).not.toContain('CANARYHIDDEN');
    // Seek to the end: the clicks' lines are there.
    await seekToEnd(panel, 'Line 2');
    expect(await panel.evaluate(() => document.querySelector('[data-testid="replay-clock"]')?.textContent ?? '')).toContain("page's zone");
    // The console message is a marker beside the clicks; clicking it seeks there: one line, not two.
    const kinds = await waitFor(
      () => panel.evaluate(() => [...document.querySelectorAll<HTMLElement>('[data-testid="replay-marker"]')].map((m) => [m.dataset.kind, m.getAttribute('aria-label')])),
      (found) => found.some(([kind, label]) => kind === 'console' && label?.includes('CONSOLEMARK')),
      'the console marker',
    );
    expect(kinds.map(([kind]) => kind)).toContain('action');
    // Paused, so that the page stays as it was at the marker.
    if ((await panel.evaluate(() => document.querySelector('[data-testid="replay-play"]')?.getAttribute('aria-label'))) === 'Pause') await panel.click('[data-testid="replay-play"]');
    await panel.click('[data-testid="replay-marker"][data-kind="console"][aria-label*="CONSOLEMARK"]');
    expect(await panel.evaluate(() => document.querySelector('[data-testid="replay-now"]')?.textContent ?? '')).toContain('console.warn: CONSOLEMARK between the lines');
    const atMarker = await waitFor(
      () => panel.evaluate(() => document.querySelector<HTMLIFrameElement>('[data-testid="replay-player"] iframe')?.contentDocument?.body?.textContent ?? ''),
      (text) => text.includes('Line 1') && !text.includes('Line 2'),
      'the page as it was at the console message',
    );
    expect(atMarker).toContain('CANARYVISIBLE');
    await panel.close();
    await page.close();
  });

  test('with sessionReplaySampleRate 0 no recorder is injected, until the page forces one', async () => {
    await patchSettingsVia(driver, { sampling: { sessionSampleRate: 100, sessionReplaySampleRate: 0 }, privacyLevel: 'mask-user-input' });
    // Another site: a new session, drawn with the new rate.
    const url = `${demo.origin.replace('127.0.0.1', 'localhost')}/fixtures/replay.html?forced`;
    const page = await driver.openPage(url);
    await page.click('#add');
    await waitFor(() => eventsOf(driver, url), (events) => events.some((e) => e.type === 'action'), 'the click');
    const session = (await driver.readStore('sessions')).find((s) => s.site === new URL(url).origin);
    expect(session.replay).toBe(false);
    expect(await page.evaluate(() => '__rumscopeRecorder' in window)).toBe(false);
    // An app's error handler forces recording.
    await page.evaluate(() => (window as any).rumscope.startSessionReplayRecording({ force: true }));
    await waitFor(() => page.evaluate(() => !!(window as any).__rumscopeRecorder?.recording), Boolean, 'the forced recorder');
    await page.click('#add');
    await page.evaluate(() => (window as any).rumscope.stopSessionReplayRecording());
    expect(await page.evaluate(() => (window as any).__rumscopeRecorder.recording)).toBe(false);
    const segments = await waitFor(
      async () => (await readSegments(driver)).filter((s) => s.sessionId === session.id),
      (rows) => rows.some((r) => decode(r).some((e) => JSON.stringify(e).includes('Line 2'))),
      'the forced recording',
    );
    expect(segments.some((r) => r.fullSnapshot)).toBe(true);
    expect((await driver.readStore('sessions')).find((s) => s.id === session.id).replay).toBe(true);
    await page.close();
  });

  test("a session's bundle exported, everything deleted, the bundle imported: the session and its replay are back; a bad file stores nothing", async () => {
    await patchSettingsVia(driver, { sampling: { sessionSampleRate: 100, sessionReplaySampleRate: 100 }, privacyLevel: 'allow' });
    const url = `${demo.origin}/fixtures/replay.html?bundle`;
    const page = await driver.openPage(url);
    await waitFor(() => page.evaluate(() => !!(window as any).__rumscopeRecorder?.recording), Boolean, 'the recorder in the page');
    await page.click('#add');
    await page.evaluate(() => (window as any).__rumscopeRecorder.stop());
    await waitFor(() => readSegments(driver), (rows) => rows.some((r) => decode(r).some((e) => JSON.stringify(e).includes('Line 1'))), 'the recorded click');
    await page.close();
    const before = (await driver.readStore('sessions')).map((s) => s.id).sort();
    const recorded = (await readSegments(driver)).find((r) => decode(r).some((e) => JSON.stringify(e).includes('Line 1')))!.sessionId;

    const panel = await driver.openPanel(-1);
    await waitFor(() => panel.evaluate(() => !!document.querySelector('[data-testid="export-all"]:not([disabled])')), Boolean, 'Export all');
    const download = await panel.download(() => panel.click('[data-testid="export-all"]'));
    expect(JSON.parse(download.text).sessions.find((s: any) => s.session.id === recorded).replay.length).toBeGreaterThan(2);
    await panel.click('[data-testid="delete-all"]');
    await panel.click('[data-testid="confirm-delete-all"]');
    await waitFor(() => driver.readStore('sessions'), (rows) => rows.length === 0, 'every session deleted');
    expect(await readSegments(driver)).toEqual([]);

    // The user picks a file (the file chooser is the browser's; the page gets the same FileList and change event).
    const pick = (text: string) =>
      panel.evaluate(
        ({ text }) => {
          const input = document.querySelector<HTMLInputElement>('[data-testid="import-file"]')!;
          const files = new DataTransfer();
          files.items.add(new File([text], 'rumscope-sessions.json', { type: 'application/json' }));
          input.files = files.files;
          input.dispatchEvent(new Event('change', { bubbles: true }));
        },
        { text },
      );
    const notice = () => panel.evaluate(() => document.querySelector('[data-testid="notice"]')?.textContent ?? '');
    // A malformed file: a clear error, nothing stored.
    const broken = JSON.parse(download.text);
    broken.sessions.at(-1).events.push({ type: 'nope' });
    await pick(JSON.stringify(broken));
    expect(await waitFor(notice, (text) => text.includes('Nothing was imported'), 'the refusal')).toContain('not a valid Rumscope export');
    await pick('{"format": "rumscope.sessions", "sessions": [');
    await waitFor(notice, (text) => text.includes('not JSON'), 'the refusal of a truncated file');
    expect(await driver.readStore('sessions')).toEqual([]);
    expect(await readSegments(driver)).toEqual([]);

    await pick(download.text);
    await waitFor(notice, (text) => text.includes(`Imported ${before.length} session`), 'the import');
    expect((await driver.readStore('sessions')).map((s) => s.id).sort()).toEqual(before);
    expect((await readSegments(driver)).filter((r) => r.sessionId === recorded).length).toBeGreaterThan(0);
    // Imported again: nothing overwritten, nothing added.
    await pick(download.text);
    await waitFor(notice, (text) => text.includes(`Imported 0 sessions`) && text.includes('already stored'), 'the second import');

    // The imported session replays.
    const play = `tr[data-session-id="${recorded}"] [data-testid="play"]:not([disabled])`;
    await waitFor(() => panel.evaluate((selector) => !!document.querySelector(selector), play), Boolean, "the imported session's ▶");
    await panel.evaluate((selector) => document.querySelector<HTMLButtonElement>(selector)!.click(), play);
    await waitFor(
      () => panel.evaluate(() => document.querySelector<HTMLIFrameElement>('[data-testid="replay-player"] iframe')?.contentDocument?.body?.textContent ?? ''),
      (text) => text.includes('CANARYVISIBLE'),
      'the imported recording in the player',
    );
    await seekToEnd(panel, 'Line 1');
    await panel.close();
  });

  test('a recording full of scripts, handlers, javascript: URLs, srcdoc and SVG onload runs nothing in the panel', async () => {
    await patchSettingsVia(driver, { sampling: { sessionSampleRate: 100, sessionReplaySampleRate: 100 }, privacyLevel: 'allow' });
    // The localhost session was forced into recording by the test before.
    const url = `${demo.origin.replace('127.0.0.1', 'localhost')}/fixtures/replay-hostile.html`;
    const page = await driver.openPage(url);
    await waitFor(() => page.evaluate(() => !!(window as any).__rumscopeRecorder?.recording), Boolean, 'the recorder in the page');
    expect(await page.evaluate(() => (window as any).__replayCanary)).toBeTruthy(); // the page itself ran them
    await page.click('#inject');
    await page.evaluate(() => (window as any).__rumscopeRecorder.stop());
    const site = new URL(url).origin;
    const session = await waitFor(
      async () => (await driver.readStore('sessions')).find((s) => s.site === site),
      (s) => !!s?.replayStats,
      'the hostile session',
    );
    await waitFor(
      async () => (await readSegments(driver)).filter((r) => r.sessionId === session.id).flatMap(decode),
      (records) => JSON.stringify(records).includes('CANARYLATE'),
      'the injected content',
    );
    const panel = await driver.openPanel(await driver.tabIdOf(page.url()));
    await waitFor(() => panel.evaluate((id) => !!document.querySelector(`tr[data-session-id="${id}"] [data-testid="play"]:not([disabled])`), session.id), Boolean, 'its ▶');
    await panel.click(`tr[data-session-id="${session.id}"] [data-testid="play"]`);
    const inPlayer = () => panel.evaluate(() => document.querySelector<HTMLIFrameElement>('[data-testid="replay-player"] iframe')?.contentDocument?.body?.textContent ?? '');
    // The session opens on the page the test before recorded: seek to the end (the hostile page, its injected
    // content in) rather than wait for playback to get there at the recording's own pace.
    await waitFor(() => panel.evaluate(() => Number(document.querySelector<HTMLInputElement>('[data-testid="replay-scrubber"]')?.max ?? 0)), (max) => max > 0, 'the scrubber');
    await panel.evaluate(() => {
      const range = document.querySelector<HTMLInputElement>('[data-testid="replay-scrubber"]')!;
      range.value = range.max;
      range.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await waitFor(inPlayer, (text) => text.includes('CANARYHOSTILE') && text.includes('CANARYLATE'), 'the hostile page and its injected content in the player');
    // Give loads and handlers their chance, then: nothing ran in the panel.
    await new Promise((ok) => setTimeout(ok, 1000));
    expect(await panel.evaluate(() => (window as any).__replayCanary ?? null)).toBeNull();
    expect(await panel.evaluate(() => document.querySelector('[data-testid="replay-player"] iframe')?.getAttribute('sandbox'))).toBe('allow-same-origin');
    await panel.close();
    await page.close();
  });

  test('the background stopped three times during a recording: the segments decode into one gapless, duplicate-free stream', async () => {
    const url = `${demo.origin}/fixtures/replay.html?restarts`;
    const page = await driver.openPage(url);
    await waitFor(() => page.evaluate(() => !!(window as any).__rumscopeRecorder?.recording), Boolean, 'the recorder in the page');
    const first = await driver.backgroundInstance();
    for (let round = 0; round < 3; round++) {
      await page.click('#add');
      await page.evaluate(() => (window as any).__rumscopeRecorder.flush());
      await driver.stopBackground();
      await page.click('#add');
      await page.evaluate(() => (window as any).__rumscopeRecorder.flush());
    }
    await page.click('#add');
    await page.evaluate(() => (window as any).__rumscopeRecorder.stop());
    expect(await driver.backgroundInstance()).not.toBe(first);
    const [load] = (await driver.readStore('loads')).filter((l) => l.url === url);
    const rows = await waitFor(
      async () => (await readSegments(driver)).filter((r) => r.loadId === load.id),
      (found) => found.some((r) => JSON.stringify(decode(r)).includes('"Line 7"')),
      'the last line',
    );
    const seqs = rows.map((r) => r.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i)); // gapless: 0..n-1
    const records = rows.sort((a, b) => a.seq - b.seq).flatMap(decode);
    const keys = records.map((r) => JSON.stringify(r));
    expect(new Set(keys).size).toBe(keys.length); // no record twice
    const text = keys.join('\n');
    for (let line = 1; line <= 7; line++) {
      const where = rows.flatMap((row) => decode(row).filter((r) => JSON.stringify(r).includes(`"Line ${line}"`)).map((r) => `seq ${row.seq} (${row.reason}) type ${r.type} source ${r.data?.source} at ${r.timestamp}`));
      expect(where.length, `Line ${line}: ${where.join(" | ")}`).toBe(1);
    }
    await page.close();
  });
});
