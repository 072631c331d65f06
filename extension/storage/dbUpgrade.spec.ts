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
