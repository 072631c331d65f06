import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { describe, expect, test } from 'vitest';
import { makeSession, stored, base } from '../../tests/unit/support/sessionFixtures';
import { RumscopeDb } from './db';

const T0 = Date.UTC(2025, 11, 5, 12, 12, 20);

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
    // The version-5 schema exactly as the last release shipped it.
    const v5 = new Dexie(name);
    v5.version(1).stores({ sessions: 'id, startedAt, [site+startedAt], pinned', events: '[loadId+seq], [sessionId+time]', loads: 'id, tabId, sessionId', tabStats: 'tabId' });
    v5.version(2).stores({ meta: 'key' });
    v5.version(3).stores({ replaySegments: '[loadId+seq], [sessionId+start]' });
    v5.version(4).stores({});
    v5.version(5).stores({ credentials: 'name' });
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

    const upgraded = new RumscopeDb(name);
    try {
      expect(upgraded.verno).toBe(6);
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
