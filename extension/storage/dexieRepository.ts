import type { SessionRepository, SessionTx } from '../../sdk/model';
import type { RumscopeDb } from './db';

/** The session model's repository over the extension's database: one Dexie rw transaction per unit of work. */
export function createDexieRepository(db: RumscopeDb): SessionRepository {
  const tx: SessionTx = {
    getLoad: (id) => db.loads.get(id),
    putLoad: async (load) => {
      await db.loads.put(load);
    },
    getSession: (id) => db.sessions.get(id),
    latestSession: (site, incognito) =>
      db.sessions
        .where('[site+startedAt]')
        .between([site, -Infinity], [site, Infinity])
        .reverse()
        .filter((candidate) => (candidate.incognito === true) === incognito)
        .first(),
    putSession: async (session) => {
      await db.sessions.put(session);
    },
    putEvents: async (events) => {
      if (events.length) await db.events.bulkPut(events);
    },
  };
  return { transaction: (work) => db.transaction('rw', db.sessions, db.events, db.loads, () => work(tx)) };
}
