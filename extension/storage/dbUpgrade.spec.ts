import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { describe, expect, test } from 'vitest';
import { makeSession, stored, base } from '../../tests/unit/support/sessionFixtures';
import { RumscopeDb } from './db';
import { readSessionRev } from './sessionChangeLog';
import { readTotals } from './sessionTotals';
import { compactAllPostings } from './compactPostings';
import { postingsOfEvent, postingsOfSession } from './searchPostings';
import { createStoredSearch } from '../panelHost/search/storedSearch';
import { sessionKeys } from '../../sdk/model/sessionKey';
import { namesOf } from '../../tests/unit/support/sessionKeys';

const T0 = Date.UTC(2025, 11, 5, 12, 12, 20);

/** The schema exactly as the releases shipped it, versions 1 to `upTo` (5 to 9), for an upgrade test's old data. */
function releasedSchema(name: string, upTo: 5 | 6 | 7 | 8 | 9): Dexie {
  const old = new Dexie(name);
  old.version(1).stores({ sessions: 'id, startedAt, [site+startedAt], pinned', events: '[loadId+seq], [sessionId+time]', loads: 'id, tabId, sessionId', tabStats: 'tabId' });
  old.version(2).stores({ meta: 'key' });
  old.version(3).stores({ replaySegments: '[loadId+seq], [sessionId+start]' });
  old.version(4).stores({});
  old.version(5).stores({ credentials: 'name' });
  if (upTo >= 6) old.version(6).stores({ replayAssets: 'hash, owner', replayAssetRefs: '[sessionId+url], hash' });
  if (upTo >= 7) old.version(7).stores({ searchTerms: '[kind+term+sessionId], sessionId' });
  if (upTo >= 8) old.version(8).stores({ searchBlocks: '[kind+term+day], day' });
  if (upTo >= 9) old.version(9).stores({ sessionChanges: 'id, rev', derivedCache: 'key' });
  return old;
}

describe('Dexie schema upgrade to version 4', () => {
  test('version 3 sessions get their Web Vitals from their stored vital events; everything else is kept', async () => {
    const name = 'upgrade-v4';
    // The version-3 schema exactly as the last release shipped it.
    const v3 = new Dexie(name);
    v3.version(1).stores({ sessions: 'id, startedAt, [site+startedAt], pinned', events: '[loadId+seq], [sessionId+time]', loads: 'id, tabId, sessionId', tabStats: 'tabId' });
    v3.version(2).stores({ meta: 'key' });
    v3.version(3).stores({ replaySegments: '[loadId+seq], [sessionId+start]' });
    const measured = makeSession({ id: 'measured', bytes: 10 });
    const none = makeSession({ id: 'none', bytes: 20 });
    await v3.table('sessions').bulkPut([measured, none]);
    await v3.table('events').bulkPut([
      stored({ ...base(T0 + 5), type: 'vital', name: 'LCP', value: 2600, supported: true, rating: 'needs-improvement' }, 'measured'),
      stored({ ...base(T0 + 1), type: 'vital', name: 'LCP', value: 900, supported: true, rating: 'good' }, 'measured'),
      stored({ ...base(T0 + 2), type: 'vital', name: 'CLS', value: null, supported: false, rating: null }, 'measured'),
      stored({ ...base(T0 + 3), type: 'vital', name: 'INP', value: 120, supported: true, rating: 'good' }, 'measured'),
      stored({ ...base(T0 + 3), type: 'view', url: 'http://127.0.0.1:5173/', referrer: '', title: 'Home', loadingType: 'initial_load' } as never, 'none'),
    ]);
    v3.close();

    const upgraded = new RumscopeDb(name);
    try {
      expect(upgraded.verno).toBeGreaterThanOrEqual(4);
      expect(await upgraded.sessions.get('measured')).toEqual({ ...measured, vitals: { LCP: { value: 2600, time: T0 + 5 }, INP: { value: 120, time: T0 + 3 } } });
      expect(await upgraded.sessions.get('none')).toEqual(none);
      expect(await upgraded.events.count()).toBe(5);
    } finally {
      upgraded.close();
      await Dexie.delete(name);
    }
  });
});

describe('Dexie schema upgrade to version 6', () => {
  test('version 5 data is kept; sessions with a recording say it predates kept assets; the asset tables work', async () => {
    const name = 'upgrade-v6';
    const v5 = releasedSchema(name, 5);
    const replayStats = { segments: 1, bytes: 40, rawChars: 120, start: T0, end: T0 + 5000 };
    const recorded = makeSession({ id: 'recorded', bytes: 300, replay: true, replayStats, vitals: { LCP: { value: 900, time: T0 } } });
    const plain = makeSession({ id: 'plain', bytes: 20 });
    const segment = { sessionId: 'recorded', loadId: 'load-1', seq: 0, viewId: 'v1', reason: 'time', start: T0, end: T0 + 5000, records: 2, fullSnapshot: true, rawChars: 120, bytes: 40, data: new Uint8Array([1, 2, 3]) };
    await v5.table('sessions').bulkPut([recorded, plain]);
    await v5.table('replaySegments').put(segment);
    await v5.table('events').put(stored({ ...base(T0 + 1), type: 'vital', name: 'LCP', value: 900, supported: true, rating: 'good' }, 'recorded'));
    await v5.table('meta').put({ key: 'totals', value: { sessions: 2, pinned: 0, bytes: 320 } });
    await v5.table('credentials').put({ name: 'sync', token: 'kept-token' });
    v5.close();

    const upgraded = new RumscopeDb(name, { legacySettings: null });
    try {
      expect(upgraded.verno).toBeGreaterThanOrEqual(6);
      expect(await upgraded.sessions.get('recorded')).toEqual({ ...recorded, replayAssets: { kept: 0, skipped: 0, ownedBytes: 0, referencedBytes: 0, predatesAssets: true } });
      expect(await upgraded.sessions.get('plain')).toEqual(plain);
      expect(await upgraded.replaySegments.toArray()).toEqual([segment]);
      expect(await upgraded.events.count()).toBe(1);
      expect(await upgraded.meta.get('totals')).toEqual({ key: 'totals', value: { sessions: 2, pinned: 0, bytes: 320 } });
      expect(await upgraded.credentials.toArray()).toEqual([{ name: 'sync', token: 'kept-token' }]);
      expect(await upgraded.replayAssets.count()).toBe(0);
      await upgraded.replayAssets.put({ hash: 'h1', bytes: 3, contentType: 'text/css', data: new Uint8Array([1, 2, 3]), fetchedAt: T0, owner: 'plain' });
      await upgraded.replayAssetRefs.put({ sessionId: 'plain', url: 'http://127.0.0.1:5174/a.css', kind: 'stylesheet', hash: 'h1', bytes: 3, at: T0 });
      expect(await upgraded.replayAssets.where('owner').equals('plain').count()).toBe(1);
      expect(await upgraded.replayAssetRefs.where('hash').equals('h1').count()).toBe(1);
    } finally {
      upgraded.close();
      await Dexie.delete(name);
    }
  });
});

describe('Dexie schema upgrade to version 7', () => {
  test("stored sessions become searchable: their events' and attributes' postings are written; nothing else changes", async () => {
    const name = 'upgrade-v7';
    // The previous release's schema: version 6, with the replay assets' tables (kept across the upgrade).
    const old = releasedSchema(name, 6);
    const shop = makeSession({ id: 'shop', global: { plan: 'gold' } });
    const blog = makeSession({ id: 'blog' });
    const events = [
      stored({ ...base(T0 + 1), type: 'view', url: 'http://127.0.0.1:5173/checkout', referrer: '', title: 'Pay', navigation: 'initial', loadingTime: null }, 'shop'),
      stored({ ...base(T0 + 2), type: 'error', source: 'uncaught', errorType: 'TypeError', message: 'card declined', stack: null, frames: [] }, 'shop'),
      stored({ ...base(T0 + 3), type: 'view', url: 'http://127.0.0.1:5173/posts/1', referrer: '', title: 'Post', navigation: 'initial', loadingTime: null }, 'blog'),
    ];
    await old.table('sessions').bulkPut([shop, blog]);
    await old.table('events').bulkPut(events);
    const body = { hash: 'h1', bytes: 3, contentType: 'text/css', data: new Uint8Array([1, 2, 3]), fetchedAt: T0, owner: 'shop' };
    const ref = { sessionId: 'shop', url: 'http://127.0.0.1:5174/a.css', kind: 'stylesheet', hash: 'h1', bytes: 3, at: T0 };
    await old.table('replayAssets').put(body);
    await old.table('replayAssetRefs').put(ref);
    old.close();

    const upgraded = new RumscopeDb(name, { legacySettings: null });
    try {
      expect(upgraded.verno).toBeGreaterThanOrEqual(7);
      const sessionsOf = async (kind: string, term: string) =>
        (await upgraded.searchTerms.where('[kind+term+sessionId]').between([kind, term, ''], [kind, term, '\uffff']).primaryKeys()).map((k) => k[2]);
      expect(await sessionsOf('url', 'checkout')).toEqual(['shop']);
      expect(await sessionsOf('error', 'declined')).toEqual(['shop']);
      expect(await sessionsOf('attribute', 'gold')).toEqual(['shop']);
      expect(await sessionsOf('url', 'posts')).toEqual(['blog']);
      expect(await upgraded.sessions.toArray()).toEqual([blog, shop]);
      expect(await upgraded.events.count()).toBe(3);
      expect(await upgraded.replayAssets.toArray()).toEqual([body]);
      expect(await upgraded.replayAssetRefs.toArray()).toEqual([ref]);
    } finally {
      upgraded.close();
      await Dexie.delete(name);
    }
  });
});

describe('Dexie schema upgrade to version 8', () => {
  test('version 7 data opens with empty blocks and answers the same; compaction then moves every row into blocks, same answers', async () => {
    const name = 'upgrade-v8';
    const old = releasedSchema(name, 7);
    const day = 86_400_000;
    const sessions = [
      makeSession({ id: 'shop', startedAt: T0, global: { plan: 'gold' } }),
      makeSession({ id: 'shop2', startedAt: T0 + day }),
      makeSession({ id: 'blog', startedAt: T0 + 2 * day }),
    ];
    const events = [
      stored({ ...base(T0 + 1), type: 'view', url: 'http://127.0.0.1:5173/checkout', referrer: '', title: 'Pay', navigation: 'initial', loadingTime: null }, 'shop'),
      stored({ ...base(T0 + 2), type: 'error', source: 'uncaught', errorType: 'TypeError', message: 'card declined', stack: null, frames: [] }, 'shop'),
      stored({ ...base(T0 + day + 1), type: 'view', url: 'http://127.0.0.1:5173/checkout/pay', referrer: '', title: 'Pay', navigation: 'initial', loadingTime: null }, 'shop2'),
      stored({ ...base(T0 + 2 * day + 1), type: 'view', url: 'http://127.0.0.1:5173/posts/1', referrer: '', title: 'Post', navigation: 'initial', loadingTime: null }, 'blog'),
    ];
    await old.table('sessions').bulkPut(sessions);
    await old.table('events').bulkPut(events);
    // The postings as version 7's middleware wrote them.
    const rows = [...sessions.flatMap(postingsOfSession), ...events.flatMap(postingsOfEvent)];
    await old.table('searchTerms').bulkPut(rows);
    const rowCount = await old.table('searchTerms').count();
    old.close();

    const upgraded = new RumscopeDb(name, { legacySettings: null });
    try {
      const search = createStoredSearch(upgraded);
      const questions = ['checkout', 'chec', 'checkout pay', 'declined', 'gold', 'posts', '127', 'posts checkout'];
      const answers = () => Promise.all(questions.map(async (text) => (await namesOf(upgraded, search.sessionKeys(text))).sort()));
      const expected = [['shop', 'shop2'], ['shop', 'shop2'], ['shop', 'shop2'], ['shop'], ['shop'], ['blog'], ['blog', 'shop', 'shop2'], []];
      expect(await answers()).toEqual(expected);
      expect(upgraded.verno).toBeGreaterThanOrEqual(8);
      expect(await upgraded.searchTerms.count()).toBe(rowCount);
      expect(await upgraded.searchBlocks.count()).toBe(0);

      expect(await compactAllPostings(upgraded)).toEqual({ moved: rowCount, done: true });
      expect(await upgraded.searchTerms.count()).toBe(0);
      expect(await upgraded.searchBlocks.get(['url', 'checkout', Math.floor(T0 / day)])).toMatchObject({ keys: sessionKeys(['shop']) });
      expect(await upgraded.searchBlocks.get(['url', 'checkout', Math.floor(T0 / day) + 1])).toMatchObject({ keys: sessionKeys(['shop2']) });
      expect(await answers()).toEqual(expected);
      expect(await upgraded.events.count()).toBe(4);
      expect(await upgraded.sessions.count()).toBe(3);
    } finally {
      upgraded.close();
      await Dexie.delete(name);
    }
  });
});

describe('Dexie schema upgrade to version 9', () => {
  test('version 8 data is kept with no stamps; every write from then on stamps its sessions with a new revision', async () => {
    const name = 'upgrade-v9';
    const old = releasedSchema(name, 8);
    const sessions = [makeSession({ id: 'a', startedAt: T0 }), makeSession({ id: 'b', startedAt: T0 + 1 }), makeSession({ id: 'c', startedAt: T0 + 2 })];
    await old.table('sessions').bulkPut(sessions);
    await old.table('meta').put({ key: 'totals', value: { sessions: 3, pinned: 0, bytes: 300 } });
    old.close();

    const upgraded = new RumscopeDb(name, { legacySettings: null });
    try {
      expect(upgraded.verno).toBeGreaterThanOrEqual(9);
      expect(await upgraded.sessions.toArray()).toEqual(sessions);
      expect(await upgraded.sessionChanges.count()).toBe(0);
      expect(await readSessionRev(upgraded)).toBe(0);
      expect(await upgraded.derivedCache.count()).toBe(0);

      // A put of two sessions, an update, a delete: each write one revision, each session its latest one.
      await upgraded.sessions.bulkPut([{ ...sessions[0]!, pinned: 1 }, makeSession({ id: 'd', startedAt: T0 + 3 })]);
      await upgraded.sessions.update('b', { pinned: 1 });
      await upgraded.sessions.delete('c');
      expect(await readSessionRev(upgraded)).toBe(3);
      expect(await upgraded.sessionChanges.orderBy('id').toArray()).toEqual([
        { id: 'a', rev: 1 },
        { id: 'b', rev: 2 },
        { id: 'c', rev: 3 },
        { id: 'd', rev: 1 },
      ]);
      expect((await upgraded.sessionChanges.where('rev').above(1).primaryKeys()).sort()).toEqual(['b', 'c']);
      // A clear stamps every session it removed; the totals middleware still keeps its row in the same writes.
      await upgraded.sessions.clear();
      expect(await upgraded.sessionChanges.where('rev').above(3).primaryKeys()).toEqual(['a', 'b', 'd']);
      expect((await readTotals(upgraded))?.sessions).toBe(0);
    } finally {
      upgraded.close();
      await Dexie.delete(name);
    }
  });

  test('a version 1 database upgraded straight to 9 keeps its sessions (the earlier upgrades write them before the log exists)', async () => {
    const name = 'upgrade-v1-v9';
    const v1 = new Dexie(name);
    v1.version(1).stores({ sessions: 'id, startedAt, [site+startedAt], pinned', events: '[loadId+seq], [sessionId+time]', loads: 'id, tabId, sessionId', tabStats: 'tabId' });
    await v1.table('sessions').put(makeSession({ id: 'old', startedAt: T0 }));
    v1.close();
    const upgraded = new RumscopeDb(name, { legacySettings: null });
    try {
      expect(upgraded.verno).toBeGreaterThanOrEqual(9);
      expect((await upgraded.sessions.get('old'))?.id).toBe('old');
      expect(await upgraded.sessionChanges.count()).toBe(0);
    } finally {
      upgraded.close();
      await Dexie.delete(name);
    }
  });
});

describe('Dexie schema upgrade to version 10', () => {
  test("version 9 blocks of id strings become their sessions' keys: search answers the same; rows, stamps and the kept columns are kept", async () => {
    const name = 'upgrade-v10';
    const old = releasedSchema(name, 9);
    const day = Math.floor(T0 / 86_400_000);
    const sessions = ['a', 'b', 'c'].map((id, i) => makeSession({ id, startedAt: T0 + i }));
    await old.table('sessions').bulkPut(sessions);
    await old.table('events').bulkPut([
      stored({ ...base(T0 + 5), type: 'view', url: 'http://127.0.0.1:5173/checkout', referrer: '', title: 'Pay', navigation: 'initial', loadingTime: null }, 'c'),
    ]);
    // As version 9 kept them: compacted blocks of ids (one naming a deleted session, 'gone', and one id twice), a row not yet moved.
    await old.table('searchBlocks').bulkPut([
      { kind: 'url', term: 'checkout', day, ids: ['a', 'b', 'gone'] },
      { kind: 'url', term: 'pay', day, ids: ['b', 'b'] },
      { kind: 'error', term: 'declined', day, ids: ['a'] },
    ]);
    await old.table('searchTerms').put({ kind: 'url', term: 'checkout', sessionId: 'c' });
    await old.table('sessionChanges').bulkPut([{ id: 'a', rev: 1 }, { id: 'b', rev: 2 }]);
    await old.table('meta').put({ key: 'sessionRev', value: { rev: 2 } });
    await old.table('derivedCache').put({ key: 'dashboardColumns', rev: 2, value: { format: 'columns-2' } });
    old.close();

    const upgraded = new RumscopeDb(name, { legacySettings: null });
    try {
      expect(upgraded.verno).toBe(10);
      const blocks = await upgraded.searchBlocks.toArray();
      expect(blocks.map((b) => [b.term, b.keys instanceof Float64Array, 'ids' in b])).toEqual([
        ['declined', true, false],
        ['checkout', true, false],
        ['pay', true, false],
      ]);
      expect(await namesOf(upgraded, blocks[1]!.keys, ['gone'])).toEqual(['a', 'b', 'gone']);
      expect(await namesOf(upgraded, blocks[2]!.keys)).toEqual(['b']);
      const search = createStoredSearch(upgraded);
      const answer = async (text: string) => [...new Set(await namesOf(upgraded, search.sessionKeys(text), ['gone']))].sort();
      expect(await answer('checkout')).toEqual(['a', 'b', 'c', 'gone']);
      expect(await answer('checkout pay')).toEqual(['b']);
      expect(await answer('declined')).toEqual(['a']);
      expect(await upgraded.sessions.toArray()).toEqual(sessions);
      expect(await upgraded.sessionChanges.count()).toBe(2);
      expect(await readSessionRev(upgraded)).toBe(2);
      expect(await upgraded.derivedCache.count()).toBe(1);
      // Compaction then adds to the same blocks as keys.
      expect(await compactAllPostings(upgraded)).toEqual({ moved: 1, done: true });
      expect((await namesOf(upgraded, (await upgraded.searchBlocks.get(['url', 'checkout', day]))!.keys, ['gone'])).sort()).toEqual(['a', 'b', 'c', 'gone']);
    } finally {
      upgraded.close();
      await Dexie.delete(name);
    }
  });
});
