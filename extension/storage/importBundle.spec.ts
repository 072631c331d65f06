import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { ReplayRecord, RumEvent } from '../../sdk/schema';
import { validateExportBundle } from '../../sdk/schema/validateServer';
import { base, makeSession, stored } from '../../tests/unit/support/sessionFixtures';
import { RumscopeDb } from './db';
import { exportSessions } from './exportBundle';
import { hashAsset, keepAsset, listAssetRefs, readSessionAssets, skipAsset } from './assetStore';
import { importBundle } from './importBundle';
import { buildSegmentRow, readReplay, storeReplaySegment } from './replayStore';
import { deleteSessions } from './sessionStore';

let from: RumscopeDb;
let to: RumscopeDb;
let n = 0;
beforeEach(() => {
  from = new RumscopeDb(`import-from-${++n}`);
  to = new RumscopeDb(`import-to-${n}`);
});
afterEach(async () => {
  for (const db of [from, to]) {
    db.close();
    await db.delete();
  }
});

const T0 = 1_765_800_740_000;
const click = (time: number): RumEvent => ({ ...base(time), type: 'action', action: 'click', name: 'Buy', selector: null, x: 1, y: 2, rage: false, dead: false, errorClick: false });
const snapshot = (at: number): ReplayRecord[] => [
  { type: 4, timestamp: at, data: { href: 'https://shop.test/', width: 800, height: 600 } },
  { type: 2, timestamp: at, data: { node: { type: 0, id: 1, childNodes: [{ type: 3, id: 2, textContent: 'Hello' }] }, initialOffset: { top: 0, left: 0 } } },
];
const text = (at: number, value: string): ReplayRecord => ({ type: 3, timestamp: at, data: { source: 0, texts: [{ id: 2, value }], attributes: [], removes: [], adds: [] } });

/** Two recorded sessions in `from`, exported, parsed and validated as the background does with a picked file. */
async function exported() {
  await from.sessions.bulkPut([makeSession({ id: 's1', replay: true }), makeSession({ id: 's2', startedAt: T0 + 1 })]);
  await from.events.bulkPut([stored(click(T0), 's1'), stored(click(T0 + 10), 's1'), stored(click(T0 + 20), 's2', 'load-2')]);
  const records = [...snapshot(T0), ...Array.from({ length: 30 }, (_, i) => text(T0 + 1_000 * (i + 1), `tick ${i}`))];
  await from.replaySegments.bulkPut([buildSegmentRow('s1', 'load-1', 0, { viewId: 'v1', reason: 'time', records: records.slice(0, 10) }), buildSegmentRow('s1', 'load-1', 1, { viewId: 'v1', reason: 'time', records: records.slice(10) })]);
  await from.sessions.update('s1', { replayStats: { segments: 2, bytes: 1, rawChars: 1, start: T0, end: T0 + 30_000 } });
  const { blob } = await exportSessions(from, 'all', { name: 'rumscope-extension', version: '0.1.0' }, T0);
  const checked = validateExportBundle(JSON.parse(await blob.text()));
  if (!checked.ok) throw new Error(checked.reason);
  return { bundle: checked.value, records };
}

describe('importing an export bundle', () => {
  test('stores the sessions, their events and their recording, which plays from its first full snapshot', async () => {
    const { bundle, records } = await exported();
    expect(await importBundle(to, bundle)).toEqual({ added: 2, unchanged: 0, kept: [] });
    expect((await to.sessions.toArray()).map((s) => s.id).sort()).toEqual(['s1', 's2']);
    expect(await to.events.count()).toBe(3);
    const replay = await readReplay(to, 's1');
    expect(replay.records).toEqual(records);
    // Cut back into segments, the first one opening with the snapshot: the player's first read is one segment.
    const first = await readReplay(to, 's1', { at: 0, spanMs: 0 });
    expect(first.segments.length).toBe(1);
    expect(first.records.slice(0, 2).map((r) => r.type)).toEqual([4, 2]);
    const session = (await to.sessions.get('s1'))!;
    expect(session.replayStats).toMatchObject({ segments: replay.segments.length, start: T0, end: T0 + 30_000 });
  });

  test('never overwrites a stored session: the same one is unchanged, a different one is kept as it is', async () => {
    const { bundle } = await exported();
    await importBundle(to, bundle);
    // Importing what is stored (even after the recording was cut into other segments) changes nothing.
    expect(await importBundle(to, bundle)).toEqual({ added: 0, unchanged: 2, kept: [] });
    await to.sessions.update('s2', { pinned: 1 });
    expect(await importBundle(to, bundle)).toEqual({ added: 0, unchanged: 1, kept: ['s2'] });
    expect((await to.sessions.get('s2'))!.pinned).toBe(1);
    expect(await to.events.count()).toBe(3);
    // Deleted, it comes back from the file.
    await deleteSessions(to, ['s2']);
    expect(await importBundle(to, bundle)).toEqual({ added: 1, unchanged: 1, kept: [] });
  });

  test('a bundle that fails while storing stores nothing of it', async () => {
    const { bundle } = await exported();
    // s2's event key is taken by a session stored here: the whole import is rolled back, s1 included.
    await to.sessions.put(makeSession({ id: 'other' }));
    await to.events.put({ ...bundle.sessions.find((s) => s.session.id === 's2')!.events[0]!, sessionId: 'other' });
    await expect(importBundle(to, bundle)).rejects.toThrow();
    expect((await to.sessions.toArray()).map((s) => s.id)).toEqual(['other']);
    expect(await to.replaySegments.count()).toBe(0);
  });
});

describe('validating an export bundle (the trust boundary)', () => {
  test('says what is wrong with a malformed file, with the path of the first bad item', async () => {
    const { bundle } = await exported();
    const raw = JSON.parse(JSON.stringify(bundle));
    expect(validateExportBundle({ ...raw, format: 'other' })).toMatchObject({ ok: false });
    const badEvent = structuredClone(raw);
    badEvent.sessions[1].events[0].type = 'nope';
    expect(validateExportBundle(badEvent)).toMatchObject({ ok: false, reason: expect.stringContaining('sessions[1].events[0]') });
    const foreign = structuredClone(raw);
    foreign.sessions[1].events[0].sessionId = 's1';
    expect(validateExportBundle(foreign)).toMatchObject({ ok: false, reason: expect.stringContaining('belongs to session s1') });
    const badReplay = structuredClone(raw);
    badReplay.sessions[0].replay[3].timestamp = 'soon';
    expect(validateExportBundle(badReplay)).toMatchObject({ ok: false, reason: expect.stringContaining('replay') });
    const poisoned = JSON.parse(JSON.stringify(raw).replace('"width":800', '"__proto__":{"polluted":1},"width":800'));
    expect(validateExportBundle(poisoned)).toMatchObject({ ok: false, reason: expect.stringContaining('__proto__') });
    // A recording nests as deep as its page: deeper than events may.
    let node: Record<string, unknown> = { type: 3, id: 9, textContent: 'deep' };
    for (let i = 0; i < 200; i++) node = { type: 2, id: 10 + i, tagName: 'div', attributes: {}, childNodes: [node] };
    const deep = structuredClone(raw);
    deep.sessions[0].replay[1].data.node.childNodes = [node];
    expect(validateExportBundle(deep)).toMatchObject({ ok: true });
  });
});

describe('bundles with replay assets', () => {
  const FONT = new TextEncoder().encode('wOF2 pretend font bytes');
  const image: ReplayRecord = {
    type: 2,
    timestamp: T0,
    data: { node: { type: 0, id: 1, childNodes: [{ type: 2, id: 2, tagName: 'img', attributes: { src: 'http://127.0.0.1:5173/photo.png' }, childNodes: [] }] }, initialOffset: { top: 0, left: 0 } },
  };

  /** One recorded session in `from` with a kept image and a skipped one, exported and parsed (not validated yet). */
  async function withAssets() {
    await from.sessions.put(makeSession({ id: 's1', replay: true, sampled: true, bytes: 1000 }));
    await from.loads.put({ id: 'load-1', tabId: 7, frameId: 0, site: 'http://127.0.0.1:5173', sessionId: 's1', url: 'http://127.0.0.1:5173/', startedAt: T0, nextSeq: 0 });
    await storeReplaySegment(from, { loadId: 'load-1', tabId: 7, seq: 0, payload: { viewId: 'v1', reason: 'time', records: [image, { type: 3, timestamp: T0 + 5, data: { source: 2, type: 2, id: 2 } }] } });
    await keepAsset(from, { sessionId: 's1', url: 'http://127.0.0.1:5173/photo.png', kind: 'image', hash: await hashAsset(FONT), contentType: 'image/png', data: FONT, now: T0 });
    await skipAsset(from, { sessionId: 's1', url: 'http://127.0.0.1:5173/pixel.svg', kind: 'image', reason: 'private', detail: 'no-store', now: T0 });
    const { blob } = await exportSessions(from, 'all', { name: 'test', version: '0' }, T0);
    return JSON.parse(await blob.text());
  }

  function validated(raw: unknown) {
    const checked = validateExportBundle(raw);
    if (!checked.ok) throw new Error(checked.reason);
    return checked.value;
  }

  test('the export carries the references and each body once, in base64; the import restores recording and assets', async () => {
    const raw = await withAssets();
    expect(raw.sessions[0].assets).toHaveLength(2);
    expect(raw.assetBodies).toEqual([{ hash: await hashAsset(FONT), contentType: 'image/png', data: btoa('wOF2 pretend font bytes') }]);
    const bundle = validated(raw);
    expect(await importBundle(to, bundle)).toEqual({ added: 1, unchanged: 0, kept: [] });
    expect((await readReplay(to, 's1')).records).toEqual((await readReplay(from, 's1')).records);
    const assets = await readSessionAssets(to, 's1');
    expect(new TextDecoder().decode(assets.bodies.get(await hashAsset(FONT))!.data)).toBe('wOF2 pretend font bytes');
    expect((await listAssetRefs(to, 's1')).map((r) => [r.url, r.hash ? 'kept' : r.reason])).toEqual([
      ['http://127.0.0.1:5173/photo.png', 'kept'],
      ['http://127.0.0.1:5173/pixel.svg', 'private'],
    ]);
    const session = (await to.sessions.get('s1'))!;
    expect(session.replayAssets).toMatchObject({ kept: 1, skipped: 1, ownedBytes: FONT.byteLength });
    expect(session.replayStats).toMatchObject({ segments: 1, start: T0, end: T0 + 5 });
    // Its stored size counts the assets once, as where it was exported.
    expect(session.bytes).toBe((await from.sessions.get('s1'))!.bytes);
    // Imported twice: the second time adds nothing.
    expect(await importBundle(to, bundle)).toEqual({ added: 0, unchanged: 1, kept: [] });
    expect(await to.replayAssets.count()).toBe(1);
    expect(await to.replayAssetRefs.count()).toBe(2);
  });

  test('a body that is not what its hash says, a missing body or a bad reference is refused with the reason, nothing written', async () => {
    const raw = await withAssets();
    const [body] = raw.assetBodies;
    await expect(importBundle(to, validated({ ...raw, assetBodies: [{ ...body, data: btoa('something else') }] }))).rejects.toThrow(/do not have the sha-256/);
    expect(validateExportBundle({ ...raw, assetBodies: [] })).toMatchObject({ ok: false, reason: expect.stringMatching(/sessions\[0\]\.assets\[0\]: the body .* is not in the bundle/) });
    // Given a bundle without its check, the importer still stores nothing of a session whose body is missing.
    await expect(importBundle(to, { ...raw, assetBodies: [] })).rejects.toThrow(/is not in the bundle/);
    const script = structuredClone(raw);
    script.sessions[0].assets[1].url = 'javascript:alert(1)';
    expect(validateExportBundle(script)).toMatchObject({ ok: false, reason: expect.stringContaining('not an http') });
    const neither = structuredClone(raw);
    delete neither.sessions[0].assets[1].reason;
    expect(validateExportBundle(neither)).toMatchObject({ ok: false, reason: expect.stringContaining('neither kept') });
    expect(await to.sessions.count()).toBe(0);
    expect(await to.replayAssets.count()).toBe(0);
  });
});
