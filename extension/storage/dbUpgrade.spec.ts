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

describe('Dexie schema upgrade to version 7', () => {
  test("stored sessions become searchable: their events' and attributes' postings are written; nothing else changes", async () => {
    const name = 'upgrade-v7';
    // The schema as the previous release shipped it (versions 1 to 5).
    const old = new Dexie(name);
    old.version(1).stores({ sessions: 'id, startedAt, [site+startedAt], pinned', events: '[loadId+seq], [sessionId+time]', loads: 'id, tabId, sessionId', tabStats: 'tabId' });
    old.version(2).stores({ meta: 'key' });
    old.version(3).stores({ replaySegments: '[loadId+seq], [sessionId+start]' });
    old.version(4).stores({});
    old.version(5).stores({ credentials: 'name' });
    const shop = makeSession({ id: 'shop', global: { plan: 'gold' } });
    const blog = makeSession({ id: 'blog' });
    const events = [
      stored({ ...base(T0 + 1), type: 'view', url: 'http://127.0.0.1:5173/checkout', referrer: '', title: 'Pay', navigation: 'initial', loadingTime: null }, 'shop'),
      stored({ ...base(T0 + 2), type: 'error', source: 'uncaught', errorType: 'TypeError', message: 'card declined', stack: null, frames: [] }, 'shop'),
      stored({ ...base(T0 + 3), type: 'view', url: 'http://127.0.0.1:5173/posts/1', referrer: '', title: 'Post', navigation: 'initial', loadingTime: null }, 'blog'),
    ];
    await old.table('sessions').bulkPut([shop, blog]);
    await old.table('events').bulkPut(events);
    old.close();

    const upgraded = new RumscopeDb(name, { legacySettings: null });
    try {
      expect(upgraded.verno).toBe(7);
      const sessionsOf = async (kind: string, term: string) =>
        (await upgraded.searchTerms.where('[kind+term+sessionId]').between([kind, term, ''], [kind, term, '\uffff']).primaryKeys()).map((k) => k[2]);
      expect(await sessionsOf('url', 'checkout')).toEqual(['shop']);
      expect(await sessionsOf('error', 'declined')).toEqual(['shop']);
      expect(await sessionsOf('attribute', 'gold')).toEqual(['shop']);
      expect(await sessionsOf('url', 'posts')).toEqual(['blog']);
      expect(await upgraded.sessions.toArray()).toEqual([blog, shop]);
      expect(await upgraded.events.count()).toBe(3);
    } finally {
      upgraded.close();
      await Dexie.delete(name);
    }
  });
});
