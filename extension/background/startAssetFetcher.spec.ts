import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { makeSession } from '../../tests/unit/support/sessionFixtures';
import { RumscopeDb } from '../storage/db';
import { listAssetRefs } from '../storage/assetStore';
import { startAssetFetcher } from './startAssetFetcher';
import type { AssetPrivacy } from '../settings/replayAssets';

let db: RumscopeDb;
let n = 0;
beforeEach(async () => {
  db = new RumscopeDb(`fetcher-${++n}`);
  await db.sessions.bulkPut([makeSession({ id: 'a', startedAt: 1000, bytes: 1000 }), makeSession({ id: 'b', startedAt: 2000, bytes: 1000 })]);
});
afterEach(async () => {
  db.close();
  await db.delete();
});

const PAGE = 'https://shop.test/cart';
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

/** A fetch that answers every URL with the same no-store PNG, and lists what was asked. */
function fakeFetch() {
  const asked: string[] = [];
  const fetch = (async (input: RequestInfo | URL) => {
    asked.push(String(input));
    return new Response(PNG, { headers: { 'content-type': 'image/png', 'cache-control': 'no-store' } });
  }) as typeof globalThis.fetch;
  return { asked, fetch };
}

async function run(privacy: (page: string | null, asset: string) => AssetPrivacy, sessionId: string, urls: string[], fetch: typeof globalThis.fetch) {
  const fetcher = startAssetFetcher(db, { fetch, privacy: async (page, asset) => privacy(page, asset) });
  fetcher.enqueue(sessionId, PAGE, urls.map((url) => ({ url, kind: 'image' as const })));
  await fetcher.idle();
  return listAssetRefs(db, sessionId);
}

describe('the asset fetcher and the privacy settings', () => {
  test('an asset of a blocked site is listed as blocked and never requested', async () => {
    const { asked, fetch } = fakeFetch();
    const refs = await run((_, asset) => ({ blocked: asset.includes('tracker'), allowPrivate: true }), 'a', ['https://img.tracker.test/p.png', 'https://shop.test/a.png'], fetch);
    expect(asked).toEqual(['https://shop.test/a.png']);
    expect(refs.find((r) => r.url === 'https://img.tracker.test/p.png')).toMatchObject({ hash: null, reason: 'blocked' });
    expect(refs.find((r) => r.url === 'https://shop.test/a.png')!.hash).toBeTruthy();
  });

  test('a no-store response is kept only when the page is opted in, also when another session fetched it just before', async () => {
    const { asked, fetch } = fakeFetch();
    let optedIn = true;
    const fetcher = startAssetFetcher(db, { fetch, privacy: async () => ({ blocked: false, allowPrivate: optedIn }) });
    fetcher.enqueue('a', PAGE, [{ url: 'https://shop.test/a.png', kind: 'image' }]);
    await fetcher.idle();
    optedIn = false;
    fetcher.enqueue('b', PAGE, [{ url: 'https://shop.test/a.png', kind: 'image' }]);
    await fetcher.idle();
    expect((await listAssetRefs(db, 'a'))[0]!.hash).toBeTruthy();
    // Not served from the recent fetch for a session that may not keep it: asked again, and refused.
    expect(await listAssetRefs(db, 'b')).toMatchObject([{ hash: null, reason: 'private' }]);
    expect(asked).toHaveLength(2);
  });
});
