import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { makeSession } from '../../tests/unit/support/sessionFixtures';
import { RumscopeDb } from './db';
import { ASSET_REF_OVERHEAD, hashAsset, hasAssetRef, keepAsset, listAssetRefs, readSessionAssets, skipAsset, type AssetCaps } from './assetStore';
import { deleteSessions } from './sessionStore';
import { currentTotals } from './sessionTotals';

let db: RumscopeDb;
let n = 0;
beforeEach(async () => {
  db = new RumscopeDb(`assets-${++n}`);
  await db.sessions.bulkPut([
    makeSession({ id: 'a', startedAt: 1000, bytes: 1000 }),
    makeSession({ id: 'b', startedAt: 2000, bytes: 1000, site: 'http://127.0.0.1:5174' }),
    makeSession({ id: 'c', startedAt: 3000, bytes: 1000 }),
  ]);
});
afterEach(async () => {
  db.close();
  await db.delete();
});

const FONT = new TextEncoder().encode('wOF2 pretend font bytes');
const CSS = new TextEncoder().encode('body { font-family: Shop }');

async function keep(sessionId: string, url: string, data: Uint8Array, caps?: AssetCaps) {
  return keepAsset(db, { sessionId, url, kind: 'css', hash: await hashAsset(data), contentType: 'font/woff2', data, now: 5 }, caps);
}
const bytesOf = async (id: string) => (await db.sessions.get(id))!.bytes;

describe('keeping assets', () => {
  test('hashAsset is the hex sha-256 of the body', async () => {
    expect(await hashAsset(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('the same body from two sessions and two URLs is stored once, counted in its first session only', async () => {
    expect(await keep('a', 'http://127.0.0.1:5174/shop.woff2', FONT)).toMatchObject({ status: 'kept', stored: true });
    expect(await keep('b', 'http://cdn.test/copy-of-shop.woff2', FONT)).toMatchObject({ status: 'kept', stored: false });
    expect(await db.replayAssets.count()).toBe(1);
    expect((await db.replayAssets.toArray())[0]).toMatchObject({ owner: 'a', bytes: FONT.byteLength, contentType: 'font/woff2' });
    expect(await bytesOf('a')).toBe(1000 + ASSET_REF_OVERHEAD + FONT.byteLength);
    expect(await bytesOf('b')).toBe(1000 + ASSET_REF_OVERHEAD);
    expect((await db.sessions.get('b'))!.replayAssets).toEqual({ kept: 1, skipped: 0, ownedBytes: 0, referencedBytes: FONT.byteLength });
    // The running totals count the body once.
    expect((await currentTotals(db)).bytes).toBe(3000 + 2 * ASSET_REF_OVERHEAD + FONT.byteLength);
  });

  test('keeping the same URL twice for a session changes nothing (a re-sent segment)', async () => {
    await keep('a', 'http://127.0.0.1:5174/shop.woff2', FONT);
    const before = await db.sessions.get('a');
    expect(await keep('a', 'http://127.0.0.1:5174/shop.woff2', FONT)).toMatchObject({ status: 'kept', stored: false });
    expect(await db.sessions.get('a')).toEqual(before);
    expect(await hasAssetRef(db, 'a', 'http://127.0.0.1:5174/shop.woff2')).toBe(true);
    expect(await hasAssetRef(db, 'b', 'http://127.0.0.1:5174/shop.woff2')).toBe(false);
  });

  test('caps: a body over the per-asset cap, new bytes over the session cap and one reference too many are skipped with the reason', async () => {
    const caps: AssetCaps = { maxAssetBytes: 64, maxSessionBytes: FONT.byteLength + CSS.byteLength - 1, maxSessionAssets: 4 };
    expect(await keep('a', 'http://x.test/big.bin', new Uint8Array(65), caps)).toMatchObject({ status: 'skipped', ref: { reason: 'too_large', hash: null } });
    expect(await keep('a', 'http://x.test/font.woff2', FONT, caps)).toMatchObject({ status: 'kept' });
    expect(await keep('a', 'http://x.test/site.css', CSS, caps)).toMatchObject({ status: 'skipped', ref: { reason: 'session_cap' } });
    // A body already stored costs the session nothing: still kept.
    await keep('b', 'http://x.test/other.css', CSS);
    expect(await keep('a', 'http://x.test/again.css', CSS, caps)).toMatchObject({ status: 'kept', stored: false });
    expect(await keep('a', 'http://x.test/fifth.woff2', FONT, caps)).toMatchObject({ status: 'skipped', ref: { reason: 'session_cap', detail: '4 assets' } });
    expect((await db.sessions.get('a'))!.replayAssets).toEqual({ kept: 2, skipped: 3, ownedBytes: FONT.byteLength, referencedBytes: FONT.byteLength + CSS.byteLength });
    expect(await db.replayAssets.count()).toBe(2);
  });

  test('a skipped asset is listed with its reason; the player reads kept bodies by hash', async () => {
    await skipAsset(db, { sessionId: 'a', url: 'http://x.test/private.png', kind: 'image', reason: 'private', now: 5 });
    await skipAsset(db, { sessionId: 'a', url: 'http://x.test/missing.png', kind: 'image', reason: 'http', detail: '404', now: 5 });
    await keep('a', 'http://x.test/font.woff2', FONT);
    const { refs, bodies } = await readSessionAssets(db, 'a');
    expect(refs.map((r) => [r.url, r.reason ?? 'kept', r.detail])).toEqual([
      ['http://x.test/font.woff2', 'kept', undefined],
      ['http://x.test/missing.png', 'http', '404'],
      ['http://x.test/private.png', 'private', undefined],
    ]);
    expect([...bodies.values()]).toEqual([{ contentType: 'font/woff2', data: FONT }]);
    expect(await listAssetRefs(db, 'b')).toEqual([]);
  });

  test('a session deleted meanwhile keeps nothing', async () => {
    expect(await keep('gone', 'http://x.test/font.woff2', FONT)).toEqual({ status: 'no_session' });
    expect(await db.replayAssets.count()).toBe(0);
  });
});

describe('deleting sessions', () => {
  test('a shared body passes to the earliest remaining session with its bytes; the last one to go deletes it', async () => {
    await keep('a', 'http://x.test/font.woff2', FONT);
    await keep('c', 'http://x.test/font.woff2', FONT);
    await keep('b', 'http://y.test/same-font.woff2', FONT);
    await keep('a', 'http://x.test/only-a.css', CSS);
    const total = (await currentTotals(db)).bytes;

    await deleteSessions(db, ['a']);
    expect(await db.replayAssets.toArray()).toMatchObject([{ bytes: FONT.byteLength, owner: 'b' }]);
    expect(await bytesOf('b')).toBe(1000 + ASSET_REF_OVERHEAD + FONT.byteLength);
    expect((await db.sessions.get('b'))!.replayAssets!.ownedBytes).toBe(FONT.byteLength);
    expect(await listAssetRefs(db, 'a')).toEqual([]);
    // What is stored shrank by a's own rows and its CSS, never by the font others still show.
    expect((await currentTotals(db)).bytes).toBe(total - 1000 - 2 * ASSET_REF_OVERHEAD - CSS.byteLength);

    await deleteSessions(db, ['b', 'c']);
    expect(await db.replayAssets.count()).toBe(0);
    expect(await db.replayAssetRefs.count()).toBe(0);
    expect((await currentTotals(db)).bytes).toBe(0);
  });

  test('deleting every session removes every asset', async () => {
    await keep('a', 'http://x.test/font.woff2', FONT);
    await keep('b', 'http://x.test/font.woff2', FONT);
    await deleteSessions(db, 'all');
    expect(await db.replayAssets.count()).toBe(0);
    expect(await db.replayAssetRefs.count()).toBe(0);
  });
});
