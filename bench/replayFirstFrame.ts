/**
 * Time to first frame when opening a 60-minute recorded session (replay issue's benchmark): a session with 60
 * minutes of replay segments (5 s each, a full snapshot of a ~2,000-element page at the start, then text
 * mutations and mouse moves) is stored in the built extension's IndexedDB; the Sessions panel is opened and the
 * session's ▶ clicked; the figure is the time until the sandboxed player shows the recorded page. In the same
 * run, for reference: the time to read every segment of that session from IndexedDB (what opening it cost when
 * the player read the whole recording, before decompressing it), and to decompress them all (Node, fflate).
 *
 * `npx tsx bench/replayFirstFrame.ts` (after a test build: RUMSCOPE_DIST=... npx tsx scripts/build.ts --test), or
 * `npm run bench -- --scenario replay`. Options: --minutes 60, --rounds 3.
 */
import type { Page } from 'playwright-core';
import type { ReplayRecord, ReplaySegmentRow, SessionRecord } from '../sdk/schema';
import { buildSegmentRow } from '../extension/storage/replayStore';
import { decompressRecords } from '../sdk/src/replay/segmentCodec';
import { makeSession } from '../tests/unit/support/sessionFixtures';
import { launchChromium } from '../tests/e2e/support/chromium';

const log = (message: string) => process.stderr.write(message + '\n');
const option = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};

const SEGMENT_MS = 5_000;

/** A ~2,000-element page as rrweb serializes it (Meta + FullSnapshot). */
function fullSnapshot(at: number): ReplayRecord[] {
  let id = 10;
  const rows = Array.from({ length: 1_000 }, (_, i) => ({
    type: 2,
    tagName: 'div',
    attributes: { class: 'row' },
    id: id++,
    childNodes: [{ type: 2, tagName: 'span', attributes: {}, id: id++, childNodes: [{ type: 3, textContent: `Row ${i} of the bench page`, id: id++ }] }],
  }));
  const body = { type: 2, tagName: 'body', attributes: {}, id: 5, childNodes: [{ type: 2, tagName: 'p', attributes: { id: 'clock' }, id: 6, childNodes: [{ type: 3, textContent: 'FIRSTFRAME minute 0', id: 7 }] }, ...rows] };
  const node = {
    type: 0,
    id: 1,
    childNodes: [
      { type: 1, name: 'html', publicId: '', systemId: '', id: 2 },
      { type: 2, tagName: 'html', attributes: {}, id: 3, childNodes: [{ type: 2, tagName: 'head', attributes: {}, id: 4, childNodes: [] }, body] },
    ],
  };
  return [
    { type: 4, timestamp: at, data: { href: 'http://127.0.0.1:5173/bench', width: 1024, height: 768 } },
    { type: 2, timestamp: at, data: { node, initialOffset: { left: 0, top: 0 } } },
  ];
}

/** One 5 s segment of activity: the clock text changes every second, the mouse moves. */
function activity(start: number): ReplayRecord[] {
  const records: ReplayRecord[] = [];
  for (let t = 0; t < SEGMENT_MS; t += 1_000) {
    const at = start + t;
    records.push({ type: 3, timestamp: at, data: { source: 0, texts: [{ id: 7, value: `minute ${Math.floor((at - start) / 60_000)} at ${at}` }], attributes: [], removes: [], adds: [] } });
    records.push({ type: 3, timestamp: at + 500, data: { source: 1, positions: [{ x: (at / 7) % 1000, y: (at / 11) % 700, id: 5, timeOffset: 0 }] } });
  }
  return records;
}

function seedRows(sessionId: string, start: number, minutes: number): ReplaySegmentRow[] {
  const rows: ReplaySegmentRow[] = [buildSegmentRow(sessionId, 'bench-load', 0, { viewId: 'v', reason: 'size', records: fullSnapshot(start) })];
  const count = (minutes * 60_000) / SEGMENT_MS;
  for (let i = 0; i < count; i++) rows.push(buildSegmentRow(sessionId, 'bench-load', i + 1, { viewId: 'v', reason: 'time', records: activity(start + 1 + i * SEGMENT_MS) }));
  return rows;
}

/** Writes the session and its segments in the extension's database (raw IndexedDB, from an extension page). */
async function store(page: Page, session: SessionRecord, rows: ReplaySegmentRow[]) {
  const plain: unknown = rows.map((row) => ({ ...row, data: Array.from(row.data) }));
  await page.evaluate(
    async ({ session, rows }: { session: unknown; rows: any[] }) => {
      const open = indexedDB.open('rumscope');
      const db: IDBDatabase = await new Promise((ok, ko) => {
        open.onsuccess = () => ok(open.result);
        open.onerror = () => ko(open.error);
      });
      const tx = db.transaction(['sessions', 'replaySegments'], 'readwrite');
      tx.objectStore('sessions').put(session);
      for (const row of rows) tx.objectStore('replaySegments').put({ ...row, data: Uint8Array.from(row.data) });
      await new Promise((ok, ko) => {
        tx.oncomplete = ok;
        tx.onerror = () => ko(tx.error);
      });
      db.close();
    },
    { session: session as unknown, rows: plain as any[] },
  );
}

/** ms to read every segment row of the session from IndexedDB (the whole-recording read). */
function readAll(page: Page, sessionId: string): Promise<number> {
  return page.evaluate(async (id) => {
    const open = indexedDB.open('rumscope');
    const db: IDBDatabase = await new Promise((ok, ko) => {
      open.onsuccess = () => ok(open.result);
      open.onerror = () => ko(open.error);
    });
    const started = performance.now();
    const rows: unknown[] = await new Promise((ok, ko) => {
      const request = db.transaction('replaySegments').objectStore('replaySegments').index('[sessionId+start]').getAll(IDBKeyRange.bound([id, -Infinity], [id, Infinity]));
      request.onsuccess = () => ok(request.result);
      request.onerror = () => ko(request.error);
    });
    const took = performance.now() - started;
    db.close();
    return rows.length ? took : -1;
  }, sessionId);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function runReplayFirstFrameBench(): Promise<string> {
  const minutes = option('--minutes', 60);
  const rounds = option('--rounds', 3);
  const browser = await launchChromium();
  try {
    const extensionPage = await browser.context.newPage();
    await extensionPage.goto(`chrome-extension://${browser.extensionId}/extension/options/index.html`);
    await extensionPage.evaluate('globalThis.__name = (fn) => fn');
    const start = Date.now() - minutes * 60_000 - 60_000;
    const sessionId = 'bench-replay-60min';
    const rows = seedRows(sessionId, start, minutes);
    const bytes = rows.reduce((sum, r) => sum + r.bytes, 0);
    const rawChars = rows.reduce((sum, r) => sum + r.rawChars, 0);
    const end = Math.max(...rows.map((r) => r.end));
    const session = makeSession({
      id: sessionId,
      site: 'http://127.0.0.1:5173',
      startedAt: start,
      lastEventAt: end,
      lastActivityAt: end,
      endedAt: end,
      endReason: 'user',
      replay: true,
      replayStats: { segments: rows.length, bytes, rawChars, start, end },
      bytes: bytes + rows.length * 200,
    });
    await store(extensionPage, session, rows);
    log(`stored ${rows.length} segments, ${(bytes / 1e6).toFixed(2)} MB compressed (${(rawChars / 1e6).toFixed(1)} MB JSON), ${minutes} min`);

    const firstFrame: number[] = [];
    const whole: number[] = [];
    const inflate: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const panel = await browser.context.newPage();
      await panel.goto(browser.panelUrl());
      const play = `tr[data-session-id="${sessionId}"] [data-testid="play"]:not([disabled])`;
      await panel.waitForSelector(play, { timeout: 60_000 });
      const clicked = Date.now();
      await panel.click(play);
      try {
        await panel.waitForFunction(
          () => document.querySelector<HTMLIFrameElement>('[data-testid="replay-player"] iframe')?.contentDocument?.body?.textContent?.includes('Row 999 of the bench page'),
          undefined,
          { timeout: 60_000, polling: 10 },
        );
      } catch (error) {
        const shown = await panel.evaluate(() => document.querySelector('[data-testid="replay-player"]')?.outerHTML.slice(0, 2000) ?? document.body.textContent?.slice(0, 2000));
        throw new Error(`the player did not show the recorded page: ${shown}`, { cause: error });
      }
      firstFrame.push(Date.now() - clicked);
      await panel.close();
      whole.push(await readAll(extensionPage, sessionId));
      const inflating = performance.now();
      let records = 0;
      for (const row of rows) records += decompressRecords(row.data).length;
      inflate.push(performance.now() - inflating);
      log(`round ${round + 1}: first frame ${firstFrame.at(-1)} ms; reading all segments ${whole.at(-1)!.toFixed(0)} ms; inflating all ${inflate.at(-1)!.toFixed(0)} ms (${records} records)`);
    }
    return [
      `## Replay: time to first frame of a ${minutes}-minute recorded session`,
      '',
      `${rows.length} segments (5 s each; a ~2,000-element full snapshot first), ${(bytes / 1e6).toFixed(2)} MB stored compressed, ${(rawChars / 1e6).toFixed(1)} MB of JSON. Medians of ${rounds} rounds, same Chromium.`,
      '',
      '| measure | ms |',
      '|---|---|',
      `| ▶ clicked → the player shows the recorded page (windowed reads: the first 2 min) | ${median(firstFrame)} |`,
      `| reference: reading every segment row from IndexedDB (the whole-recording read, before any decompression) | ${median(whole).toFixed(0)} |`,
      `| reference: inflating every segment (Node, fflate) | ${median(inflate).toFixed(0)} |`,
      '',
      `Target: first frame < 1 s (${median(firstFrame) < 1000 ? 'met' : 'missed'} here).`,
      '',
    ].join('\n');
  } finally {
    await browser.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runReplayFirstFrameBench()
    .then((md) => process.stdout.write(md))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
