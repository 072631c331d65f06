import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { RumscopeDb } from './db';
import { KEPT_DELETE_STAMPS, pruneSessionChanges, readSessionRev, readSessionRevFloor } from './sessionChangeLog';
import { deleteSessions } from './sessionStore';
import { makeSession } from '../../tests/unit/support/sessionFixtures';
import { createDexieSessionSource } from '../panelHost/dexieSessionSource';
import { COLUMNS_CACHE_KEY } from '../panelHost/dashboardStore';

const opened: RumscopeDb[] = [];
let counter = 0;
const open = (name = `change-log-${counter++}`) => {
  const db = new RumscopeDb(name, { legacySettings: null });
  opened.push(db);
  return db;
};
afterEach(async () => {
  const dbs = opened.splice(0);
  for (const db of dbs) db.close();
  for (const name of new Set(dbs.map((db) => db.name))) await RumscopeDb.delete(name);
});

const many = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => makeSession({ id: `${prefix}${i}`, startedAt: 1_000 + i }));

describe('the stamps of deleted sessions', () => {
  it('are kept up to KEPT_DELETE_STAMPS, then pruned with the floor raised to the current revision', async () => {
    const db = open();
    await db.sessions.bulkPut([...many(KEPT_DELETE_STAMPS, 'gone-'), ...many(5, 'kept-')]);
    await deleteSessions(db, many(KEPT_DELETE_STAMPS, 'gone-').map((s) => s.id));
    expect(await pruneSessionChanges(db)).toBe(0); // not more than the limit yet
    await db.sessions.put(makeSession({ id: 'gone-x', startedAt: 1 }));
    await deleteSessions(db, ['gone-x']);
    const rev = await readSessionRev(db);
    expect(await pruneSessionChanges(db)).toBe(KEPT_DELETE_STAMPS + 1);
    expect((await db.sessionChanges.toCollection().primaryKeys()).sort()).toEqual(many(5, 'kept-').map((s) => s.id).sort());
    expect(await readSessionRevFloor(db)).toBe(rev);
    // Writes go on stamping above the floor.
    await db.sessions.put(makeSession({ id: 'kept-0', startedAt: 5 }));
    expect((await db.sessionChanges.get('kept-0'))?.rev).toBe(rev + 1);
  });

  it('a panel copy kept before the floor is not read: every record is, and the deleted sessions are not shown', async () => {
    const db = open();
    await db.sessions.bulkPut([...many(KEPT_DELETE_STAMPS + 1, 'gone-'), ...many(3, 'kept-')]);
    const reader = open(db.name);
    const first = createDexieSessionSource(reader, { dashboard: { keepDelayMs: 10 } });
    expect((await first.getFacetCounts({})).total).toBe(KEPT_DELETE_STAMPS + 4);
    for (let i = 0; i < 100 && !(await db.derivedCache.get(COLUMNS_CACHE_KEY)); i++) await new Promise((ok) => setTimeout(ok, 20));
    expect((await db.derivedCache.get(COLUMNS_CACHE_KEY))?.rev).toBe(1);
    await deleteSessions(db, many(KEPT_DELETE_STAMPS + 1, 'gone-').map((s) => s.id));
    await pruneSessionChanges(db);
    const again = createDexieSessionSource(open(db.name));
    expect((await again.getFacetCounts({})).total).toBe(3);
  });
});
