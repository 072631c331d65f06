import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { describe, expect, test } from 'vitest';
import { makeSession } from '../../tests/unit/support/sessionFixtures';
import { RumscopeDb } from './db';
import type { LegacySettingsArea } from './legacySyncToken';
import { loadSyncToken, saveSyncToken } from '../sync/syncCredentials';
import { validateSyncToken } from '../../sdk/schema/validateSettings';

const KEY = 'rumscope.settings';
const T0 = 1_765_800_740_000;
let n = 0;

/** storage.local as the extension has it: a copy in, a copy out; `failSets` refuses that many writes. */
function memoryArea(initial: Record<string, unknown>, failSets = 0): LegacySettingsArea & { data: Record<string, unknown>; sets: number } {
  const area = {
    data: structuredClone(initial),
    sets: 0,
    get: async (key: string) => (key in area.data ? { [key]: structuredClone(area.data[key]) } : {}),
    set: async (items: Record<string, unknown>) => {
      if (failSets-- > 0) throw new Error('storage.local refused the write');
      area.sets++;
      Object.assign(area.data, structuredClone(items));
    },
  };
  return area;
}

/** The version-4 schema (3 plus the vitals step) exactly as the last release shipped it, with one session, event, meta row and segment. */
async function version3Database(name: string) {
  const v3 = new Dexie(name);
  v3.version(1).stores({ sessions: 'id, startedAt, [site+startedAt], pinned', events: '[loadId+seq], [sessionId+time]', loads: 'id, tabId, sessionId', tabStats: 'tabId' });
  v3.version(2).stores({ meta: 'key' });
  v3.version(3).stores({ replaySegments: '[loadId+seq], [sessionId+start]' });
  v3.version(4).stores({}); // 4: sessions keep their vitals (no index change)
  const session = makeSession({ id: 'old', bytes: 1234 });
  await v3.table('sessions').put(session);
  await v3.table('events').put({ type: 'view', sessionId: 'old', loadId: 'l', seq: 0, time: T0 });
  await v3.table('meta').put({ key: 'sync', value: { uploaded: { old: T0 }, lastError: null, lastSyncAt: T0 } });
  await v3.table('replaySegments').put({ loadId: 'l', seq: 0, sessionId: 'old', start: T0 });
  v3.close();
  return session;
}

/** Settings as version 4 stored them: the token beside the server URL, readable by content scripts. */
const legacySettings = (token: string) => ({
  [KEY]: { siteAccess: { allow: ['https://shop.test'] }, sync: { url: 'https://rumscope.example.com', token }, environment: 'Staging' },
});

describe('Dexie schema upgrade to version 5 (the sync token leaves storage.local)', () => {
  test('version 4 data opens in version 5 with everything kept and the token moved into `credentials`', async () => {
    const name = `upgrade-v5-${++n}`;
    const session = await version3Database(name);
    const area = memoryArea(legacySettings('s3cret-token'));
    const upgraded = new RumscopeDb(name, { legacySettings: area });
    try {
      expect(await loadSyncToken(upgraded)).toBe('s3cret-token');
      expect(upgraded.verno).toBeGreaterThanOrEqual(5);
      expect(await upgraded.sessions.get('old')).toEqual(session);
      expect(await upgraded.events.count()).toBe(1);
      expect(await upgraded.replaySegments.count()).toBe(1);
      expect((await upgraded.meta.get('sync'))?.value).toEqual({ uploaded: { old: T0 }, lastError: null, lastSyncAt: T0 });
      // storage.local keeps every setting but the token.
      expect(area.data).toEqual({ [KEY]: { siteAccess: { allow: ['https://shop.test'] }, sync: { url: 'https://rumscope.example.com' }, environment: 'Staging' } });
      expect(JSON.stringify(area.data)).not.toContain('s3cret-token');
    } finally {
      upgraded.close();
      await Dexie.delete(name);
    }
  });

  test('opening again changes nothing; a token written to storage.local later (by an older version) is moved at the next open', async () => {
    const name = `upgrade-v5-${++n}`;
    await version3Database(name);
    const area = memoryArea(legacySettings('first'));
    let db = new RumscopeDb(name, { legacySettings: area });
    expect(await loadSyncToken(db)).toBe('first');
    db.close();
    const writes = area.sets;
    db = new RumscopeDb(name, { legacySettings: area });
    expect(await loadSyncToken(db)).toBe('first');
    expect(area.sets).toBe(writes); // nothing left to move: storage.local is not written again
    db.close();

    Object.assign(area.data, legacySettings('second'));
    db = new RumscopeDb(name, { legacySettings: area });
    try {
      expect(await loadSyncToken(db)).toBe('second');
      expect((area.data[KEY] as { sync: object }).sync).toEqual({ url: 'https://rumscope.example.com' });
    } finally {
      db.close();
      await Dexie.delete(name);
    }
  });

  test('never lost: when storage.local refuses the removal the token stays in both places, and the next open finishes', async () => {
    const name = `upgrade-v5-${++n}`;
    await version3Database(name);
    const area = memoryArea(legacySettings('kept'), 1);
    let db = new RumscopeDb(name, { legacySettings: area });
    expect(await loadSyncToken(db)).toBe('kept');
    expect((area.data[KEY] as { sync: { token?: string } }).sync.token).toBe('kept');
    db.close();
    db = new RumscopeDb(name, { legacySettings: area });
    try {
      expect(await loadSyncToken(db)).toBe('kept');
      expect((area.data[KEY] as { sync: object }).sync).toEqual({ url: 'https://rumscope.example.com' });
    } finally {
      db.close();
      await Dexie.delete(name);
    }
  });

  test('no token in storage.local: `credentials` stays empty and storage.local is not written', async () => {
    const name = `upgrade-v5-${++n}`;
    await version3Database(name);
    const area = memoryArea({ [KEY]: { sync: { url: '' } } });
    const db = new RumscopeDb(name, { legacySettings: area });
    try {
      expect(await db.credentials.count()).toBe(0);
      expect(area.sets).toBe(0);
    } finally {
      db.close();
      await Dexie.delete(name);
    }
  });
});

describe('sync token', () => {
  test('saved, replaced and forgotten in the database; validated (trimmed, at most 4096 characters)', async () => {
    const db = new RumscopeDb(`token-${++n}`, { legacySettings: null });
    try {
      expect(await loadSyncToken(db)).toBe('');
      await saveSyncToken(db, 'a');
      await saveSyncToken(db, 'b');
      expect(await loadSyncToken(db)).toBe('b');
      await saveSyncToken(db, '');
      expect(await db.credentials.count()).toBe(0);
    } finally {
      db.close();
      await db.delete();
    }
    expect(validateSyncToken('  t0k  ')).toEqual({ ok: true, token: 't0k' });
    expect(validateSyncToken('x'.repeat(4097))).toEqual({ ok: false, issues: [{ path: 'sync.token', message: 'the token is too long' }] });
    expect(validateSyncToken(42).ok).toBe(false);
  });
});
