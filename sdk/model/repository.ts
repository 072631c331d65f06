/**
 * The session model's storage port. The rules of a session (sdk/model/*.ts: pure functions over plain data)
 * read and write only through this interface; the extension's Dexie database is its first implementation,
 * the server's SQLite and PostgreSQL stores implement the same interface. No Dexie, `chrome.*` or Node here.
 */
import type { SessionRecord, StoredEvent } from '../schema';

/** One document in one frame (one relay instance, or one standalone SDK page load): binds a load id to its tab, site and session. */
export interface LoadRecord {
  id: string;
  /** The browser tab (extension), or -1 where there is none (server intake). */
  tabId: number;
  frameId: number;
  site: string;
  /** '' once its session was deleted (a tombstone: the page keeps numbering its events). */
  sessionId: string;
  url: string;
  startedAt: number;
  /** Next seq expected: everything below is stored. */
  nextSeq: number;
}

/** What the model may do inside one atomic unit of work (one Dexie / SQL transaction). */
export interface SessionTx {
  getLoad(id: string): Promise<LoadRecord | undefined>;
  putLoad(load: LoadRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  /** The site's most recently started session of the given kind (private-window sessions apart). */
  latestSession(site: string, incognito: boolean): Promise<SessionRecord | undefined>;
  putSession(session: SessionRecord): Promise<void>;
  /** Keyed by [loadId+seq]: putting an event again overwrites it, never duplicates it. */
  putEvents(events: StoredEvent[]): Promise<void>;
}

export interface SessionRepository {
  /** Runs `work` atomically: all of its writes commit together or none does (a thrown error rolls back). */
  transaction<T>(work: (tx: SessionTx) => Promise<T>): Promise<T>;
}
