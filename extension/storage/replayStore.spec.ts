import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { ReplayRecord, ReplaySegmentPayload } from '../../sdk/schema';
import { validateReplaySegment } from '../../sdk/schema/validateReplay';
import { makeSession } from '../../tests/unit/support/sessionFixtures';
import { RumscopeDb } from './db';
import { decompressRecords } from '../../sdk/src/replay/segmentCodec';
import { buildSegmentRow, forceReplay, readReplay, storeReplaySegment } from './replayStore';
import { deleteSessions } from './sessionStore';
import { exportSessions } from './exportBundle';

let db: RumscopeDb;
let n = 0;
beforeEach(() => {
  db = new RumscopeDb(`replay-${++n}`);
});
afterEach(async () => {
  db.close();
  await db.delete();
});

const T0 = 1_765_800_740_000;
const fullSnapshot = (time: number): ReplayRecord => ({
  type: 2,
  timestamp: time,
  data: {
    node: {
      type: 0, id: 1, childNodes: [
        { type: 2, id: 2, tagName: 'a', attributes: { href: 'https://shop.test/reset?token=abc123&page=2' }, childNodes: [{ type: 3, id: 3, textContent: 'Reset' }] },
        { type: 2, id: 4, tagName: 'img', attributes: { src: '/pic.png?sig=zzz', srcset: '/a.png?auth=1 1x, /b.png 2x' }, childNodes: [] },
      ],
    },
    initialOffset: { top: 0, left: 0 },
  },
});
const mutation = (time: number, href: string): ReplayRecord => ({
  type: 3, timestamp: time, data: { source: 0, adds: [], removes: [], texts: [], attributes: [{ id: 2, attributes: { href } }] },
});
const payload = (records: ReplayRecord[], viewId = 'v1'): ReplaySegmentPayload => ({ viewId, reason: 'time', records });

async function seedLoad(over: { replay?: boolean; sampled?: boolean } = {}) {
  const session = makeSession({ id: 's1', replay: over.replay ?? true, sampled: over.sampled ?? true, bytes: 1000 });
  await db.sessions.put(session);
  await db.loads.put({ id: 'load-1', tabId: 7, frameId: 0, site: session.site, sessionId: 's1', url: session.site + '/', startedAt: T0, nextSeq: 3 });
  return session;
}

describe('replay segments', () => {
  test('compress, redact secret URL parameters and decompress to the same records', () => {
    const records = [
      { type: 4, timestamp: T0, data: { href: 'https://shop.test/?session=s3cret', width: 800, height: 600 } },
      fullSnapshot(T0 + 1),
      mutation(T0 + 2, 'https://shop.test/x?password=hunter2'),
    ];
    const row = buildSegmentRow('s1', 'load-1', 0, payload(structuredClone(records)));
    expect(row).toMatchObject({ start: T0, end: T0 + 2, records: 3, fullSnapshot: true, viewId: 'v1' });
    expect(row.bytes).toBe(row.data.byteLength);
    expect(row.bytes).toBeLessThan(row.rawChars);
    const back = decompressRecords(row.data);
    const text = JSON.stringify(back);
    for (const secret of ['s3cret', 'abc123', 'zzz', 'hunter2', 'auth=1']) expect(text).not.toContain(secret);
    expect(text).toContain('page=2');
    expect(back).toHaveLength(3);
    expect((back[1]!.data as any).node.childNodes[0].childNodes[0].textContent).toBe('Reset');
  });

  test('a re-sent segment is stored once and counted once in the session', async () => {
    await seedLoad();
    const input = { loadId: 'load-1', tabId: 7, seq: 0, payload: payload([fullSnapshot(T0), mutation(T0 + 10, '/a')]) };
    expect(await storeReplaySegment(db, structuredClone(input))).toEqual({ status: 'stored', sessionId: 's1', duplicate: false });
    expect(await storeReplaySegment(db, structuredClone(input))).toEqual({ status: 'stored', sessionId: 's1', duplicate: true });
    await storeReplaySegment(db, { ...structuredClone(input), seq: 1, payload: payload([mutation(T0 + 20, '/b')], 'v2') });
    const session = (await db.sessions.get('s1'))!;
    const rows = await db.replaySegments.toArray();
    expect(rows).toHaveLength(2);
    expect(session.replayStats).toEqual({
      segments: 2, bytes: rows[0]!.bytes + rows[1]!.bytes, rawChars: rows[0]!.rawChars + rows[1]!.rawChars, start: T0, end: T0 + 20,
    });
    expect(session.bytes).toBeGreaterThan(1000 + session.replayStats!.bytes);
    const replay = await readReplay(db, 's1');
    expect(replay.records.map((r) => r.timestamp)).toEqual([T0, T0 + 10, T0 + 20]);
    expect(replay.segments.map((s) => s.viewId)).toEqual(['v1', 'v2']);
  });

  test('nothing is stored for a session not recording, an unknown load or another tab', async () => {
    await seedLoad({ replay: false });
    const input = { loadId: 'load-1', tabId: 7, seq: 0, payload: payload([fullSnapshot(T0)]) };
    expect(await storeReplaySegment(db, input)).toEqual({ status: 'not_recorded' });
    expect(await storeReplaySegment(db, { ...input, tabId: 8 })).toEqual({ status: 'foreign' });
    expect(await storeReplaySegment(db, { ...input, loadId: 'nope' })).toEqual({ status: 'not_recorded' });
    expect(await db.replaySegments.count()).toBe(0);
    expect((await db.sessions.get('s1'))!.replayStats).toBeUndefined();
  });

  test('forced recording turns replay on for a tracked session only; deleting the session deletes its segments', async () => {
    await seedLoad({ replay: false });
    expect(await forceReplay(db, 'load-1', 8)).toBeNull();
    expect(await forceReplay(db, 'load-1', 7)).toMatchObject({ sessionId: 's1' });
    expect((await db.sessions.get('s1'))!.replay).toBe(true);
    await storeReplaySegment(db, { loadId: 'load-1', tabId: 7, seq: 0, payload: payload([fullSnapshot(T0)]) });
    expect(await db.replaySegments.count()).toBe(1);
    await deleteSessions(db, ['s1']);
    expect(await db.replaySegments.count()).toBe(0);
  });

  test('the export bundle carries the recording with its session', async () => {
    await seedLoad();
    await storeReplaySegment(db, { loadId: 'load-1', tabId: 7, seq: 0, payload: payload([fullSnapshot(T0), mutation(T0 + 5, '/a')]) });
    const { blob } = await exportSessions(db, ['s1'], { name: 'test', version: '0' }, T0);
    const bundle = JSON.parse(await blob.text());
    expect(bundle.sessions[0].replay.map((r: ReplayRecord) => r.timestamp)).toEqual([T0, T0 + 5]);
  });

  test('a frame at a time reads from its full snapshot only: the first frame is one segment, a later view starts at its own snapshot', async () => {
    await seedLoad();
    const meta = (time: number): ReplayRecord => ({ type: 4, timestamp: time, data: { href: 'https://shop.test/', width: 800, height: 600 } });
    const rows = [];
    // 10 minutes of 5 s segments; view 2 starts at segment 60, its Meta cut into the segment before its snapshot.
    for (let seq = 0; seq < 120; seq++) {
      const at = T0 + seq * 5_000;
      const records = seq === 0 ? [meta(at), fullSnapshot(at)] : seq === 59 ? [mutation(at, '/a'), meta(at + 4_000)] : seq === 60 ? [fullSnapshot(at)] : [mutation(at, '/a')];
      rows.push(buildSegmentRow('s1', 'load-1', seq, payload(records)));
    }
    await db.replaySegments.bulkPut(rows);
    const first = await readReplay(db, 's1', { at: 0, spanMs: 0 });
    expect(first.segments.map((s) => s.seq)).toEqual([0]);
    expect(first.records.map((r) => r.type)).toEqual([4, 2]);
    expect(first.window).toEqual({ until: T0, more: true });
    expect(first.range).toEqual({ start: T0, end: T0 + 119 * 5_000 });
    // What follows the first frame, window after window: nothing twice, nothing skipped.
    const next = await readReplay(db, 's1', { after: first.window!.until, spanMs: 60_000 });
    expect(next.segments.map((s) => s.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    // Seeking into view 2: from its snapshot (with the Meta before it), not from the recording's start.
    const later = await readReplay(db, 's1', { at: T0 + 62 * 5_000, spanMs: 10_000 });
    expect(later.segments.map((s) => s.seq)).toEqual([59, 60, 61, 62, 63, 64]);
    expect(later.records.filter((r) => r.type !== 3).map((r) => r.type)).toEqual([4, 2]);
    expect(later.window).toEqual({ until: T0 + 62 * 5_000 + 10_000, more: true });
    const end = await readReplay(db, 's1', { at: T0 + 119 * 5_000, spanMs: 0 });
    expect(end.window!.more).toBe(false);
    expect(await readReplay(db, 'none', { at: 0, spanMs: 0 })).toMatchObject({ records: [], window: { more: false } });
  });

  test('a segment decodes the same whatever its stored JSON length says (a wrong one is only slower)', () => {
    // Larger than the smallest scratch buffer (64 KB), non-ASCII (more UTF-8 bytes than chars).
    const records = [fullSnapshot(T0), mutation(T0 + 1, '/é😀'.repeat(50) + 'x'.repeat(300_000))];
    const row = buildSegmentRow('s1', 'load-1', 0, payload(records));
    const expected = decompressRecords(row.data);
    for (const rawChars of [1, 10, Math.floor(row.rawChars / 3), -5, Number.NaN, 1e12, row.rawChars]) expect(decompressRecords(row.data, rawChars)).toEqual(expected);
  });

  test('the validator refuses what is not a segment', () => {
    expect(validateReplaySegment(JSON.stringify(payload([fullSnapshot(T0)]))).ok).toBe(true);
    expect(validateReplaySegment('{').ok).toBe(false);
    expect(validateReplaySegment(JSON.stringify({ viewId: null, reason: 'time', records: [] })).ok).toBe(false);
    expect(validateReplaySegment(JSON.stringify({ viewId: null, reason: 'time', records: [{ type: 9, timestamp: 1, data: {} }] })).ok).toBe(false);
    expect(validateReplaySegment(JSON.stringify({ viewId: null, reason: 'nope', records: [fullSnapshot(T0)] })).ok).toBe(false);
    expect(validateReplaySegment(JSON.stringify({ ...payload([fullSnapshot(T0)]), sessionId: 'x' })).ok).toBe(false);
  });
});

describe('Dexie schema upgrade to version 3', () => {
  test('version 2 data opens in version 3 with everything kept and an empty replaySegments table', async () => {
    const name = `upgrade-v3-${++n}`;
    // The version-2 schema exactly as the last release shipped it.
    const v2 = new Dexie(name);
    v2.version(1).stores({ sessions: 'id, startedAt, [site+startedAt], pinned', events: '[loadId+seq], [sessionId+time]', loads: 'id, tabId, sessionId', tabStats: 'tabId' });
    v2.version(2).stores({ meta: 'key' });
    const session = makeSession({ id: 'old', replay: true, bytes: 1234 });
    await v2.table('sessions').put(session);
    await v2.table('events').put({ type: 'view', sessionId: 'old', loadId: 'l', seq: 0, time: T0 });
    await v2.table('meta').put({ key: 'usage', value: { bytes: 1234 } });
    v2.close();

    const upgraded = new RumscopeDb(name);
    try {
      expect(upgraded.verno).toBeGreaterThanOrEqual(3);
      expect(await upgraded.sessions.get('old')).toEqual(session);
      expect(await upgraded.events.count()).toBe(1);
      expect(await upgraded.meta.count()).toBe(1);
      expect(await upgraded.replaySegments.count()).toBe(0);
      // A session from before has no recording: the player says so (no replayStats).
      expect((await upgraded.sessions.get('old'))!.replayStats).toBeUndefined();
      await upgraded.loads.put({ id: 'l', tabId: 1, frameId: 0, site: session.site, sessionId: 'old', url: '', startedAt: T0, nextSeq: 1 });
      expect((await storeReplaySegment(upgraded, { loadId: 'l', tabId: 1, seq: 0, payload: payload([fullSnapshot(T0)]) })).status).toBe('stored');
    } finally {
      upgraded.close();
      await Dexie.delete(name);
    }
  });
});
