/**
 * SessionSource over the extension's own database. Reads only: the background is the one writer.
 * liveQuery re-runs a query whenever a write touches what it read, in this page or another
 * (Dexie propagates changes across pages of the same origin).
 */
import { liveQuery } from 'dexie';
import type { SessionRecord, StoredEvent } from '../../sdk/schema';
import type { LoadRecord, RumscopeDb } from '../../extension/storage/db';
import { decodeReplay } from '../../sdk/src/replay/segmentCodec';
import type { EventWatchOptions, SessionQuery, SessionSource, StorageStatus, TabInfo, Unsubscribe, WatchOptions } from './SessionSource';

function watch<T>(query: () => Promise<T>, onValue: (value: T) => void, options?: WatchOptions): Unsubscribe {
  const subscription = liveQuery(query).subscribe({
    next: onValue,
    error: (error: unknown) => {
      if (options?.onError) options.onError(error);
      else console.error('[rumscope] panel query failed', error);
    },
  });
  return () => subscription.unsubscribe();
}

function listSessions(db: RumscopeDb, query: SessionQuery): Promise<SessionRecord[]> {
  const from = query.startedFrom ?? -Infinity;
  const before = query.startedBefore ?? Infinity;
  let collection = db.sessions.where('startedAt').between(from, before, true, false).reverse();
  if (query.limit !== undefined) collection = collection.limit(query.limit);
  return collection.toArray();
}

/** The tab's current load: the newest top-frame load, else the newest load of any frame. */
function currentLoad(loads: LoadRecord[]): LoadRecord | undefined {
  const newest = (rows: LoadRecord[]) => rows.reduce<LoadRecord | undefined>((a, b) => (!a || b.startedAt >= a.startedAt ? b : a), undefined);
  return newest(loads.filter((l) => l.frameId === 0)) ?? newest(loads);
}

export function createDexieSource(db: RumscopeDb): SessionSource {
  return {
    watchSessions(query, onValue, options) {
      return watch(() => listSessions(db, query), onValue, options);
    },

    watchSession(sessionId, onValue, options) {
      return watch(async () => (await db.sessions.get(sessionId)) ?? null, onValue, options);
    },

    watchEvents(sessionId: string, onValue: (events: StoredEvent[]) => void, options?: EventWatchOptions) {
      const types = options?.types ? new Set<string>(options.types) : null;
      return watch(
        async () => {
          const events = await db.events
            .where('[sessionId+time]')
            .between([sessionId, -Infinity], [sessionId, Infinity], true, true)
            .toArray();
          return types ? events.filter((e) => types.has(e.type)) : events;
        },
        onValue,
        options,
      );
    },

    watchTabInfo(tabId, onValue, options) {
      return watch(
        async (): Promise<TabInfo> => {
          const [loads, stats] = await Promise.all([db.loads.where('tabId').equals(tabId).toArray(), db.tabStats.get(tabId)]);
          return {
            tabId,
            // A load whose session was deleted keeps sessionId '' (storage/sessionStore.ts deleteSessions).
            currentSessionId: currentLoad(loads)?.sessionId || null,
            dropped: stats?.dropped ?? 0,
            droppedByReason: stats?.reasons ?? {},
          };
        },
        onValue,
        options,
      );
    },

    async getReplay(sessionId) {
      const rows = await db.replaySegments.where('[sessionId+start]').between([sessionId, -Infinity], [sessionId, Infinity]).toArray();
      return decodeReplay(rows);
    },

    watchStorage(onValue, options) {
      return watch(
        async (): Promise<StorageStatus> => {
          const [usage, warning] = await db.meta.bulkGet(['usage', 'storageWarning']);
          return {
            usage: usage?.key === 'usage' ? usage.value : null,
            warning: warning?.key === 'storageWarning' ? warning.value : null,
          };
        },
        onValue,
        options,
      );
    },
  };
}
