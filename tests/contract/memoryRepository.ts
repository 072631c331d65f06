/**
 * Test-only SessionRepository in plain memory: what the model's unit tests run on. Transactions run one at a
 * time; a thrown error restores what was there before. Reads return copies, as a real store does.
 */
import type { SessionRecord, StoredEvent } from '../../sdk/schema';
import type { LoadRecord, SessionRepository, SessionTx } from '../../sdk/model/repository';

export interface MemoryRepository extends SessionRepository {
  sessions: Map<string, SessionRecord>;
  loads: Map<string, LoadRecord>;
  /** Keyed `${loadId} ${seq}`. */
  events: Map<string, StoredEvent>;
}

export function createMemoryRepository(): MemoryRepository {
  const sessions = new Map<string, SessionRecord>();
  const loads = new Map<string, LoadRecord>();
  const events = new Map<string, StoredEvent>();
  const copy = <T>(value: T | undefined): T | undefined => (value === undefined ? undefined : structuredClone(value));
  const tx: SessionTx = {
    getLoad: async (id) => copy(loads.get(id)),
    putLoad: async (load) => void loads.set(load.id, copy(load)!),
    getSession: async (id) => copy(sessions.get(id)),
    latestSession: async (site, incognito) => {
      let latest: SessionRecord | undefined;
      for (const session of sessions.values()) {
        if (session.site !== site || (session.incognito === true) !== incognito) continue;
        if (!latest || session.startedAt >= latest.startedAt) latest = session;
      }
      return copy(latest);
    },
    putSession: async (session) => void sessions.set(session.id, copy(session)!),
    putEvents: async (list) => {
      for (const event of list) events.set(`${event.loadId} ${event.seq}`, copy(event)!);
    },
  };
  let queue: Promise<unknown> = Promise.resolve();
  return {
    sessions,
    loads,
    events,
    transaction<T>(work: (tx: SessionTx) => Promise<T>): Promise<T> {
      const run = async () => {
        const saved = [new Map(sessions), new Map(loads), new Map(events)] as const;
        try {
          return await work(tx);
        } catch (error) {
          for (const [target, before] of [[sessions, saved[0]], [loads, saved[1]], [events, saved[2]]] as const) {
            (target as Map<string, unknown>).clear();
            for (const [key, value] of before as Map<string, unknown>) (target as Map<string, unknown>).set(key, value);
          }
          throw error;
        }
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
