/**
 * Which sessions changed since a given moment, without reading them all: every write to `sessions` (put, add,
 * update, delete, clear; whichever code path) stamps each session it touches in `sessionChanges` with the next
 * revision, in the same transaction as the write (a Dexie middleware, as for the totals). The counter is meta
 * `sessionRev`. A reader that holds what it derived from every session as of revision R (the dashboard's kept
 * columns, panelHost/dashboardStore.ts) reads the ids stamped above R and those sessions, in one transaction, and is
 * current again; a deleted session keeps its stamp, so that the reader learns of the delete.
 *
 * Version 9. Sessions written before it have no stamp: a reader that held nothing from before computes from every
 * session once.
 *
 * The stamps of deleted sessions are pruned now and then (pruneSessionChanges, with retention); what a reader derived
 * as of a revision below the floor then may miss a delete, and is derived again from every session.
 */
import type { DBCore, DBCoreMutateRequest, Middleware } from 'dexie';
import { keysOf, queuePerTransaction } from './mutationKeys';
import type { RumscopeDb } from './db';

export const SESSION_REV_KEY = 'sessionRev';
export const SESSION_REV_FLOOR_KEY = 'sessionRevFloor';
const SESSIONS = 'sessions';
const CHANGES = 'sessionChanges';
const META = 'meta';

/** One session's latest stamp. */
export interface SessionChangeRow {
  id: string;
  rev: number;
}


export function sessionChangeLogMiddleware(): Middleware<DBCore> {
  return {
    stack: 'dbcore',
    name: 'rumscopeSessionChangeLog',
    create(down) {
      const queue = queuePerTransaction();
      const logged = () => down.schema.tables.some((t) => t.name === CHANGES) && down.schema.tables.some((t) => t.name === META);
      return {
        ...down,
        transaction(stores, mode, options) {
          if (mode !== 'readwrite' || !stores.includes(SESSIONS) || !logged()) return down.transaction(stores, mode, options);
          const scope = [...stores];
          if (!scope.includes(CHANGES)) scope.push(CHANGES);
          if (!scope.includes(META)) scope.push(META);
          return down.transaction(scope, mode, options);
        },
        table(name) {
          const table = down.table(name);
          if (name !== SESSIONS || !logged()) return table;
          const changes = down.table(CHANGES);
          const meta = down.table(META);
          const mutate = async (req: DBCoreMutateRequest) => {
            const { trans } = req;
            // An upgrade from before version 9 writes sessions before the log's store exists: nothing to stamp then.
            const names = (trans as unknown as Partial<IDBTransaction>).objectStoreNames;
            if (names && (!names.contains(CHANGES) || !names.contains(META))) return table.mutate(req);
            const row = (await meta.get({ trans, key: SESSION_REV_KEY })) as { key: string; value: { rev: number } } | undefined;
            const keys = await keysOf(table, req);
            const result = await table.mutate(req);
            const ids = keys.filter((key, i): key is string => typeof key === 'string' && !result.failures[i]);
            if (!ids.length) return result;
            const rev = (row?.value.rev ?? 0) + 1;
            await changes.mutate({ trans, type: 'put', values: ids.map((id): SessionChangeRow => ({ id, rev })) });
            await meta.mutate({ trans, type: 'put', values: [{ key: SESSION_REV_KEY, value: { rev } }] });
            return result;
          };
          return { ...table, mutate: (req) => queue(req.trans, () => mutate(req)) };
        },
      };
    },
  };
}

/** The latest revision stamped (0: none yet). */
export async function readSessionRev(db: RumscopeDb): Promise<number> {
  const row = await db.meta.get(SESSION_REV_KEY);
  return row?.key === SESSION_REV_KEY ? row.value.rev : 0;
}

/** The revision below which the stamps of deleted sessions may be gone (0: none pruned yet). */
export async function readSessionRevFloor(db: RumscopeDb): Promise<number> {
  const row = await db.meta.get(SESSION_REV_FLOOR_KEY);
  return row?.key === SESSION_REV_FLOOR_KEY ? row.value.rev : 0;
}

/** Stamps of deleted sessions kept at most before they are pruned. */
export const KEPT_DELETE_STAMPS = 1_000;

/**
 * Removes the stamps of sessions no longer stored once there are more than KEPT_DELETE_STAMPS of them, and raises the
 * floor to the current revision (one transaction: no write falls between). Returns how many were removed.
 */
export async function pruneSessionChanges(db: RumscopeDb): Promise<number> {
  return db.transaction('rw', db.sessionChanges, db.sessions, db.meta, async () => {
    const [stamped, stored] = await Promise.all([db.sessionChanges.toCollection().primaryKeys(), db.sessions.toCollection().primaryKeys()]);
    const kept = new Set(stored);
    const gone = stamped.filter((id) => !kept.has(id));
    if (gone.length <= KEPT_DELETE_STAMPS) return 0;
    await db.sessionChanges.bulkDelete(gone);
    await db.meta.put({ key: SESSION_REV_FLOOR_KEY, value: { rev: await readSessionRev(db) } });
    return gone.length;
  });
}
