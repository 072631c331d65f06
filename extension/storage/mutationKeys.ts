/**
 * What the storage middlewares (sessionTotals.ts, sessionChangeLog.ts) share: the keys a DBCore mutation touches,
 * and running one table's mutations one after another per transaction.
 */
import type { DBCoreMutateRequest, DBCoreTable, DBCoreTransaction } from 'dexie';

/** Keys a mutation touches, in the order of its values / results. */
export async function keysOf(table: DBCoreTable, req: DBCoreMutateRequest): Promise<unknown[]> {
  switch (req.type) {
    case 'add':
    case 'put':
      return req.keys ?? req.values.map((value) => table.schema.primaryKey.extractKey!(value));
    case 'delete':
      return req.keys;
    case 'deleteRange':
      return (await table.query({ trans: req.trans, values: false, query: { index: table.schema.primaryKey, range: req.range } })).result;
  }
}

/**
 * A queue per transaction: each task starts after the one before in the same transaction settled (two writes in one
 * transaction must not both read the same old state of what they keep beside the data). One per middleware: its tables
 * are made anew per transaction-bound table, and all of them must share it.
 */
export function queuePerTransaction(): <T>(trans: DBCoreTransaction, task: () => Promise<T>) => Promise<T> {
  const chains = new WeakMap<DBCoreTransaction, Promise<unknown>>();
  return (trans, task) => {
    const next = (chains.get(trans) ?? Promise.resolve()).then(task, task);
    chains.set(
      trans,
      next.catch(() => undefined),
    );
    return next;
  };
}
