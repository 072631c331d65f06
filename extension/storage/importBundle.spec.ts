import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { ReplayRecord } from '../../sdk/schema';
import { makeSession } from '../../tests/unit/support/sessionFixtures';
import { hashAsset, keepAsset, listAssetRefs, readSessionAssets, skipAsset } from './assetStore';
import { RumscopeDb } from './db';
import { exportSessions } from './exportBundle';
import { checkImport, importBundleEntry } from './importBundle';
import { readReplay, storeReplaySegment } from './replayStore';

const T0 = 1_765_800_740_000;
const snapshot: ReplayRecord = {
  type: 2,
  timestamp: T0,
  data: { node: { type: 0, id: 1, childNodes: [{ type: 2, id: 2, tagName: 'img', attributes: { src: 'http://127.0.0.1:5173/photo.png' }, childNodes: [] }] }, initialOffset: { top: 0, left: 0 } },
};
const FONT = new TextEncoder().encode('wOF2 pretend font bytes');

let from: RumscopeDb;
let to: RumscopeDb;
let n = 0;
beforeEach(async () => {
  from = new RumscopeDb(`export-${++n}`);
  to = new RumscopeDb(`import-${n}`);
  await from.sessions.put(makeSession({ id: 's1', replay: true, sampled: true, bytes: 1000 }));
  await from.loads.put({ id: 'load-1', tabId: 7, frameId: 0, site: 'http://127.0.0.1:5173', sessionId: 's1', url: 'http://127.0.0.1:5173/', startedAt: T0, nextSeq: 0 });
  await storeReplaySegment(from, { loadId: 'load-1', tabId: 7, seq: 0, payload: { viewId: 'v1', reason: 'time', records: [snapshot, { type: 3, timestamp: T0 + 5, data: { source: 2, type: 2, id: 2 } }] } });
  await keepAsset(from, { sessionId: 's1', url: 'http://127.0.0.1:5173/photo.png', kind: 'image', hash: await hashAsset(FONT), contentType: 'image/png', data: FONT, now: T0 });
  await skipAsset(from, { sessionId: 's1', url: 'http://127.0.0.1:5173/pixel.svg', kind: 'image', reason: 'private', detail: 'no-store', now: T0 });
});
afterEach(async () => {
  for (const db of [from, to]) {
    db.close();
    await db.delete();
  }
});

async function bundleOf(db: RumscopeDb) {
  const { blob } = await exportSessions(db, 'all', { name: 'test', version: '0' }, T0);
  return JSON.parse(await blob.text());
}

describe('session bundles with their assets', () => {
  test('the export carries the references and each body once, in base64; the import restores recording and assets', async () => {
    const bundle = await bundleOf(from);
    expect(bundle.sessions[0].assets).toHaveLength(2);
    expect(bundle.assetBodies).toEqual([{ hash: await hashAsset(FONT), contentType: 'image/png', data: btoa('wOF2 pretend font bytes') }]);
    const { entry, bodies } = await checkImport({ entry: bundle.sessions[0], bodies: bundle.assetBodies });
    expect(await importBundleEntry(to, entry, bodies)).toBe(true);
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
    // Imported twice: the second time adds nothing.
    expect(await importBundleEntry(to, entry, bodies)).toBe(false);
    expect(await to.replayAssets.count()).toBe(1);
  });

  test('a body that is not what its hash says, a missing body or a bad session is refused with the reason, nothing written', async () => {
    const bundle = await bundleOf(from);
    const [body] = bundle.assetBodies;
    await expect(checkImport({ entry: bundle.sessions[0], bodies: [{ ...body, data: btoa('something else') }] })).rejects.toThrow(/do not have the sha-256/);
    await expect(checkImport({ entry: bundle.sessions[0], bodies: [] })).rejects.toThrow(/assets\[0\]: the body .* is not in the bundle/);
    await expect(checkImport({ entry: { ...bundle.sessions[0], session: { ...bundle.sessions[0].session, startedAt: 'yesterday' } }, bodies: [body] })).rejects.toThrow(/not a valid session: session: /);
    await expect(checkImport({ entry: { ...bundle.sessions[0], replay: [{ type: 99, timestamp: 1, data: {} }] }, bodies: [body] })).rejects.toThrow(/replay/);
    await expect(checkImport({ entry: { ...bundle.sessions[0], assets: [{ url: 'javascript:alert(1)', kind: 'image', hash: null, reason: 'type', bytes: 0, at: 1 }] }, bodies: [] })).rejects.toThrow(/not an http/);
    expect(await to.sessions.count()).toBe(0);
  });
});
