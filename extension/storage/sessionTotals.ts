/**
 * Running storage totals (sessions, pinned, bytes) kept in meta `totals`, so the size cap and the storage
 * figures never sum every session: a Dexie middleware adds what each write to `sessions` changed, inside the
 * same transaction as the write (whichever code path writes: ingest, replay, pin, end, delete, upgrade). A
 * read-write transaction on `sessions` therefore always includes `meta`.
 *
 * The totals are only kept while they exist: when the row is missing (a database from before them, or written
 * behind the extension's back) nothing is guessed; `currentTotals` counts every session once, in one
 * transaction, and from then on writes keep the row current.
 */
import type { DBCore, DBCoreMutateRequest, Middleware } from 'dexie';
import { keysOf, queuePerTransaction } from './mutationKeys';
import { addTotals, NO_TOTALS, totalsDelta, totalsOf, type StorageTotals } from '../../sdk/model/sessionSize';
import type { RumscopeDb } from './db';

export const TOTALS_KEY = 'totals';
const SESSIONS = 'sessions';
const META = 'meta';


export function sessionTotalsMiddleware(): Middleware<DBCore> {
  return {
    stack: 'dbcore',
    name: 'rumscopeSessionTotals',
    create(down) {
      const queue = queuePerTransaction();
      return {
        ...down,
        transaction(stores, mode, options) {
          const scope = mode === 'readwrite' && stores.includes(SESSIONS) && !stores.includes(META) && down.schema.tables.some((t) => t.name === META) ? [...stores, META] : stores;
          return down.transaction(scope, mode, options);
        },
        table(name) {
          const table = down.table(name);
          if (name !== SESSIONS || !down.schema.tables.some((t) => t.name === META)) return table;
          const meta = down.table(META);
          const mutate = async (req: DBCoreMutateRequest) => {
            const { trans } = req;
            let row: { key: string; value: StorageTotals } | undefined;
            try {
              row = await meta.get({ trans, key: TOTALS_KEY });
            } catch {
              return table.mutate(req); // `meta` not in this transaction (an upgrade from before it)
            }
            if (!row) return table.mutate(req);
            const keys = await keysOf(table, req);
            const before = keys.length ? await table.getMany({ trans, keys }) : [];
            const result = await table.mutate(req);
            let totals = row.value;
            keys.forEach((_, i) => {
              if (result.failures[i]) return;
              const after = req.type === 'add' || req.type === 'put' ? req.values[i] : undefined;
              totals = addTotals(totals, totalsDelta(before[i], after));
            });
            if (totals.sessions !== row.value.sessions || totals.pinned !== row.value.pinned || totals.bytes !== row.value.bytes) {
              await meta.mutate({ trans, type: 'put', values: [{ key: TOTALS_KEY, value: totals }] });
            }
            return result;
          };
          return { ...table, mutate: (req) => queue(req.trans, () => mutate(req)) };
        },
      };
    },
  };
}

/** The totals row, or null when there is none yet. */
export async function readTotals(db: RumscopeDb): Promise<StorageTotals | null> {
  const row = await db.meta.get(TOTALS_KEY);
  return row?.key === TOTALS_KEY ? row.value : null;
}

/** Counts every session (one transaction, so no write falls between the count and the row) and stores the totals. */
export async function recountTotals(db: RumscopeDb): Promise<StorageTotals> {
  return db.transaction('rw', db.sessions, db.meta, async () => {
    let totals: StorageTotals = { ...NO_TOTALS };
    await db.sessions.each((session) => (totals = addTotals(totals, totalsOf(session))));
    await db.meta.put({ key: TOTALS_KEY, value: totals });
    return totals;
  });
}

/** The running totals; counted once when there are none yet. */
export async function currentTotals(db: RumscopeDb): Promise<StorageTotals> {
  return (await readTotals(db)) ?? recountTotals(db);
}
