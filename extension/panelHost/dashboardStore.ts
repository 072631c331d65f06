/**
 * What the dashboard asks of the extension's database (filters beyond the start-time index, facet counts,
 * KPIs, search), answered in the panel page from two things kept up to date by the change feed:
 * - the session records, read once (on the first dashboard question) and then only the records the feed
 *   names as changed; filters, counts and KPIs are computed over them in memory (panel/dashboard);
 * - the search index (panel/dashboard/searchIndex.ts), built from the stored events on the first search and
 *   then fed only the new events of the sessions the feed names.
 * The feed only marks what is stale (no read per event); the reads happen when the panel asks, which it
 * does at a bounded rate and never while hidden (panel/source/live.ts).
 */
import type { FacetCounts, KpiReport, SearchHit, SearchQuery, SessionRecord, StoredEvent } from '../../sdk/schema';
import type { RumscopeDb } from '../storage/db';
import type { KpiQueryOptions, SessionFilter, SessionSource, SourceChange } from '../../panel/source/SessionSource';
import { createSearchIndex, type SessionSearchIndex } from '../../panel/dashboard';
import { facetsOver, kpisOver, matchingOver } from '../../panel/dashboard/answerOver';

type Stale = Set<string> | 'all';

const addStale = (stale: Stale, ids: readonly string[] | 'all' | undefined): Stale => {
  if (!ids) return stale;
  if (ids === 'all' || stale === 'all') return 'all';
  for (const id of ids) stale.add(id);
  return stale;
};

/** Events carrying searchable text (see eventTexts). */
const SEARCHED_TYPES = new Set<string>(['view', 'api', 'error', 'action', 'context', 'console']);

export interface DashboardStore {
  /** Sessions matching the filter, in no particular order. */
  matching(filter: SessionFilter, now?: number): Promise<SessionRecord[]>;
  facetCounts(filter: SessionFilter, now?: number): Promise<FacetCounts>;
  kpis(filter: SessionFilter, options?: KpiQueryOptions, now?: number): Promise<KpiReport>;
  search(query: SearchQuery): Promise<SearchHit[]>;
  /** Stops following the change feed and forgets what was read. */
  close(): void;
}

/** `watchChanges`: the source's change feed (it marks what is stale; nothing is read on a notice). */
export function createDashboardStore(db: RumscopeDb, watchChanges: SessionSource['watchChanges']): DashboardStore {
  let sessions: Map<string, SessionRecord> | null = null;
  let index: SessionSearchIndex | null = null;
  /** Last event time indexed per session: later reads start there (the index drops texts it already has). */
  const indexedTo = new Map<string, number>();
  let staleSessions: Stale = new Set();
  let staleSearchSessions: Stale = new Set();
  let staleSearchEvents: Stale = new Set();
  let unfollow: (() => void) | null = null;
  let reading: Promise<unknown> = Promise.resolve();

  const listener = (change: SourceChange) => {
    if (sessions) staleSessions = addStale(staleSessions, change.sessions);
    if (index) {
      staleSearchSessions = addStale(staleSearchSessions, change.sessions);
      staleSearchEvents = addStale(staleSearchEvents, change.events);
    }
  };
  const follow = () => {
    unfollow ??= watchChanges(listener);
  };

  /** One read at a time, so two questions never apply the same changes twice. */
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = reading.then(task, task);
    reading = next.catch(() => undefined);
    return next;
  };

  async function freshSessions(): Promise<Map<string, SessionRecord>> {
    follow();
    if (!sessions || staleSessions === 'all') {
      staleSessions = new Set();
      const rows = await db.sessions.toArray();
      sessions = new Map(rows.map((s) => [s.id, s]));
      return sessions;
    }
    if (staleSessions.size) {
      const ids = [...staleSessions];
      staleSessions = new Set();
      const rows = await db.sessions.bulkGet(ids);
      ids.forEach((id, i) => {
        const row = rows[i];
        if (row) sessions!.set(id, row);
        else sessions!.delete(id);
      });
    }
    return sessions;
  }

  function indexEvent(target: SessionSearchIndex, event: StoredEvent): void {
    if (event.time > (indexedTo.get(event.sessionId) ?? -Infinity)) indexedTo.set(event.sessionId, event.time);
    if (SEARCHED_TYPES.has(event.type)) target.addEvents(event.sessionId, [event]);
  }

  async function freshIndex(): Promise<SessionSearchIndex> {
    follow();
    if (!index || staleSearchEvents === 'all' || staleSearchSessions === 'all') {
      staleSearchSessions = new Set();
      staleSearchEvents = new Set();
      indexedTo.clear();
      const fresh = createSearchIndex();
      index = fresh;
      await db.sessions.each((s) => void fresh.addSession(s));
      await db.events.each((e) => indexEvent(fresh, e));
      return fresh;
    }
    const current = index;
    if (staleSearchSessions.size) {
      const ids = [...staleSearchSessions];
      staleSearchSessions = new Set();
      const rows = await db.sessions.bulkGet(ids);
      ids.forEach((id, i) => {
        const row = rows[i];
        if (row) current.addSession(row);
        else {
          current.removeSession(id);
          indexedTo.delete(id);
        }
      });
    }
    if (staleSearchEvents.size) {
      const ids = [...staleSearchEvents];
      staleSearchEvents = new Set();
      for (const id of ids) {
        const from = indexedTo.get(id) ?? -Infinity;
        const events = await db.events.where('[sessionId+time]').between([id, from], [id, Infinity], true, true).toArray();
        for (const e of events) indexEvent(current, e);
      }
    }
    return current;
  }

  const searchIds = async (text: string) => (await freshIndex()).sessionIds(text);
  const records = async () => [...(await freshSessions()).values()];

  return {
    matching: (filter, now = Date.now()) => serial(async () => matchingOver(await records(), filter, now, searchIds)),

    facetCounts: (filter, now = Date.now()) => serial(async () => facetsOver(await records(), filter, now, searchIds)),

    kpis: (filter, options = {}, now = Date.now()) => serial(async () => kpisOver(await records(), filter, options, now, searchIds)),

    search: (query) => serial(async () => (query.text.trim() ? (await freshIndex()).search(query) : [])),

    close() {
      unfollow?.();
      unfollow = null;
      sessions = null;
      index = null;
      indexedTo.clear();
    },
  };
}
