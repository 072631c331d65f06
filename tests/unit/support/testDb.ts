/** The extension's database in storage specs (fake-indexeddb). Test-only: never imported by product code. */
import { afterEach } from 'vitest';
import type { DBCore, DBCoreMutateRequest, Middleware } from 'dexie';
import { RumscopeDb } from '../../../extension/storage/db';

/**
 * Opens databases for one spec file, each under a name of its own (`prefix-N`), with these middlewares; every one
 * is closed and deleted after each test. Call at the top of the file (it registers the afterEach).
 */
export function useTestDbs(prefix: string): (...middlewares: Middleware<DBCore>[]) => RumscopeDb {
  const opened: RumscopeDb[] = [];
  let n = 0;
  afterEach(async () => {
    for (const db of opened.splice(0)) {
      db.close();
      await RumscopeDb.delete(db.name);
    }
  });
  return (...middlewares) => {
    const db = new RumscopeDb(`${prefix}-${++n}`, { legacySettings: null });
    for (const middleware of middlewares) db.use(middleware);
    opened.push(db);
    return db;
  };
}

/** A middleware that fails the writes to `table` that `fails` picks, as a full disk does (inside their transaction). */
export function failingWrites(table: string, fails: (req: DBCoreMutateRequest) => boolean): Middleware<DBCore> {
  return {
    stack: 'dbcore',
    name: `failingWrites-${table}`,
    create: (down) => ({
      ...down,
      table: (name) => {
        const inner = down.table(name);
        return name !== table ? inner : { ...inner, mutate: (req) => (fails(req) ? Promise.reject(new Error('disk full')) : inner.mutate(req)) };
      },
    }),
  };
}
