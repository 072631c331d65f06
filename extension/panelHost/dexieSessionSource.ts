/**
 * The panel's SessionSource over the extension's own database. Reads only: the background is the one writer.
 *
 * Change feed: Dexie announces every committed write as its "mutated parts" (`Dexie.on('storagemutated')`,
 * carried between the background and extension pages of the same origin by a BroadcastChannel). Each
 * notice is turned into what changed (the sessions written, the sessions whose events were written, tabs,
 * storage) without reading anything; the panel then reads only what the change concerns, at a bounded rate.
 */
import Dexie, { type ObservabilitySet } from 'dexie';
import { SEARCH_DEFAULTS, type SearchKind, type SessionRecord, type StoredEvent } from '../../sdk/schema';
import type { LoadRecord, RumscopeDb } from '../storage/db';
import { readTotals, TOTALS_KEY } from '../storage/sessionTotals';
import {
  DEFAULT_PAGE_SIZE,
  NEWEST_FIRST,
  type ChangedIds,
  type SessionFilter,
  type SessionPage,
  type SessionQuery,
  type SessionSort,
  type SessionSource,
  type SourceChange,
  type StorageStatus,
  type TabInfo,
} from '../../panel/source/SessionSource';
import { compareSessions } from '../../panel/source/sessionSort';
import { changeFromParts } from './changeFromParts';

export { changeFromParts };
import { createDashboardStore, type DashboardStore, type DashboardStoreOptions } from './dashboardStore';
import { cohortsOver } from '../../panel/dashboard/answerOver';
import type { SearchService } from './search/protocol';

/** The most rows one list read returns. */
const MAX_PAGE = 1000;
const KNOWN_FILTERS = new Set<keyof SessionFilter>(['startedFrom', 'startedBefore']);

/** Whether the start-time index answers the filter alone (else the dashboard store does, in memory). */
function byIndexOnly(filter: SessionFilter = {}): boolean {
  return Object.entries(filter).every(([key, value]) => KNOWN_FILTERS.has(key as keyof SessionFilter) || value === undefined || value === '' || (Array.isArray(value) && !value.length));
}

function rangeOf(db: RumscopeDb, filter: SessionFilter = {}) {
  const from = filter.startedFrom ?? -Infinity;
  const before = filter.startedBefore ?? Infinity;
  return db.sessions.where('startedAt').between(from, before, true, false);
}

async function listSessions(db: RumscopeDb, dashboard: () => DashboardStore, query: SessionQuery, holdsAll: boolean): Promise<SessionPage> {
  const sort: SessionSort = query.sort ?? NEWEST_FIRST;
  const offset = Math.max(0, Math.floor(query.offset ?? 0));
  const limit = Math.min(MAX_PAGE, Math.max(0, Math.floor(query.limit ?? DEFAULT_PAGE_SIZE)));
  // Once the dashboard holds the columns, a window anywhere in the list is a slice of its rows (the start-time index
  // would walk every entry before the offset: ~0.5 s at 100,000 when scrolled to the end).
  if (!byIndexOnly(query.filter) || holdsAll) return { sessions: await dashboard().window(query.filter ?? {}, sort, offset, limit), offset };
  const range = rangeOf(db, query.filter);
  if (sort.key === 'startedAt') {
    // The index gives the order: only the window's rows are read.
    const ordered = sort.direction === 'desc' ? range.reverse() : range;
    return { sessions: await ordered.offset(offset).limit(limit).toArray(), offset };
  }
  // No index for this column (yet): read the filtered rows and sort them here.
  const all = await range.toArray();
  all.sort(compareSessions(sort));
  return { sessions: all.slice(offset, offset + limit), offset };
}

/** The tab's current load: the newest top-frame load, else the newest load of any frame. */
function currentLoad(loads: LoadRecord[]): LoadRecord | undefined {
  const newest = (rows: LoadRecord[]) => rows.reduce<LoadRecord | undefined>((a, b) => (!a || b.startedAt >= a.startedAt ? b : a), undefined);
  return newest(loads.filter((l) => l.frameId === 0)) ?? newest(loads);
}

/** Texts' answers kept at most (the last few searches typed). */
const KEPT_SEARCHES = 8;

/**
 * The keys of the sessions matching a search text, read once per text while nothing is written: one new filter asks
 * it for the list, the count, the facet counts and the KPIs, and each would otherwise read the postings again (and
 * the same array lets the dashboard keep its rows). Any write of sessions or events (postings are written with the
 * events) forgets every answer.
 */
export function memoSearchKeys(
  watchChanges: SessionSource['watchChanges'],
  read: (text: string, kinds?: SearchKind[]) => Promise<Float64Array>,
): (text: string, kinds?: SearchKind[]) => Promise<Float64Array> {
  const kept = new Map<string, Promise<Float64Array>>();
  let following = false;
  return (text, kinds) => {
    if (!following) {
      following = true;
      watchChanges((change) => {
        if (change.sessions || change.events) kept.clear();
      });
    }
    const key = JSON.stringify([text, kinds ?? null]);
    const known = kept.get(key);
    if (known) return known;
    const answer = read(text, kinds);
    // A failed read is not kept: the next question reads again.
    answer.catch(() => kept.get(key) === answer && kept.delete(key));
    kept.set(key, answer);
    if (kept.size > KEPT_SEARCHES) kept.delete(kept.keys().next().value!);
    return answer;
  };
}

/** Search in this page (no Worker given): its reader, with the snippets' ranking library, loaded on the first question. */
function lazyStoredSearch(db: RumscopeDb): SearchService {
  let kept: Promise<SearchService> | null = null;
  const searcher = () => (kept ??= import('./search/storedSearch').then(({ createStoredSearch }) => createStoredSearch(db)));
  return {
    sessionKeys: async (text, kinds) => (await searcher()).sessionKeys(text, kinds),
    snippets: async (ids, query) => (await searcher()).snippets(ids, query),
    close: () => void kept?.then((s) => s.close(), () => {}),
  };
}

export interface DexieSourceOptions {
  /** Where search is answered: the panel host's Worker (extension/panelHost/search); default in this page. Both read the stored postings. */
  search?: SearchService;
  /** How the dashboard keeps its columns between openings. */
  dashboard?: DashboardStoreOptions;
}

export function createDexieSessionSource(db: RumscopeDb, options: DexieSourceOptions = {}): SessionSource {
  let cursor = 0;
  const watchChanges: SessionSource['watchChanges'] = (onChange) => {
    const listener = (parts: ObservabilitySet) => {
      const change = changeFromParts(db.name, parts, String(cursor + 1));
      if (!change) return;
      cursor++;
      onChange(change);
    };
    Dexie.on.storagemutated.subscribe(listener);
    return () => Dexie.on.storagemutated.unsubscribe(listener);
  };
  const searcher = options.search ?? lazyStoredSearch(db);
  const searchKeys = memoSearchKeys(watchChanges, (text, kinds) => searcher.sessionKeys(text, kinds));
  // Made on the first dashboard question: a plain list never reads more than its window.
  let store: DashboardStore | null = null;
  const dashboard = () => (store ??= createDashboardStore(db, watchChanges, searchKeys, options.dashboard));
  /** The ids of the stored sessions matching a text (for the cohorts, answered over the records). */
  const searchIds = async (text: string, kinds?: SearchKind[]) => dashboard().idsOf(await searchKeys(text, kinds));
  return {
    watchChanges,

    getFacetCounts: (filter) => dashboard().facetCounts(filter),
    getKpis: (filter, kpiOptions = {}) => dashboard().kpis(filter, kpiOptions),
    async search(query) {
      if (!query.text.trim()) return [];
      // Which sessions: the postings, read once per text for the hits, the list, its count, the facets and the KPIs.
      const keys = await searchKeys(query.text, query.kinds);
      // Newest first from the columns the dashboard holds (it reads them for the same question's facets anyway).
      const top = await dashboard().newestOf(keys, query.limit ?? SEARCH_DEFAULTS.limit);
      // Only the hits that show snippets have their texts read.
      const shown = top.slice(0, query.snippets ?? SEARCH_DEFAULTS.snippets);
      const snippets = shown.length ? await searcher.snippets(shown, query) : {};
      return top.map((sessionId, i) => ({ sessionId, score: top.length - i, snippets: snippets[sessionId] ?? [] }));
    },

    async getCohorts(filter, query = {}) {
      // Every session is history (returning users, new regions): the store's records, read once and kept current.
      return cohortsOver(await dashboard().allRecords(), filter, query, Date.now(), searchIds, (text) => searchIds(text, ['url']));
    },

    listSessions: (query) => listSessions(db, dashboard, query, store?.holdsAll() ?? false),

    countSessions: async (filter) => {
      if (!byIndexOnly(filter)) return dashboard().count(filter!);
      // A bound that narrows: counted in its index range. A filter whose parts are all empty (a cleared search is
      // `{ search: undefined }`) counts every session, from the totals below.
      if (filter?.startedFrom !== undefined || filter?.startedBefore !== undefined) return rangeOf(db, filter).count();
      // Every session: the running totals every write of `sessions` keeps (one read), not IndexedDB's count(),
      // which walks the whole store (0.2–0.9 s at 100,000 sessions) and holds the panel's first list behind it.
      return (await readTotals(db))?.sessions ?? db.sessions.count();
    },

    getSession: async (sessionId) => (await db.sessions.get(sessionId)) ?? null,

    async getEvents(sessionId, query) {
      const types = query?.types ? new Set<string>(query.types) : null;
      const events: StoredEvent[] = await db.events
        .where('[sessionId+time]')
        .between([sessionId, -Infinity], [sessionId, Infinity], true, true)
        .toArray();
      return types ? events.filter((e) => types.has(e.type)) : events;
    },

    async getTabInfo(tabId): Promise<TabInfo> {
      const [loads, stats] = await Promise.all([db.loads.where('tabId').equals(tabId).toArray(), db.tabStats.get(tabId)]);
      return {
        tabId,
        // A load whose session was deleted keeps sessionId '' (storage/sessionStore.ts deleteSessions).
        currentSessionId: currentLoad(loads)?.sessionId || null,
        dropped: stats?.dropped ?? 0,
        droppedByReason: stats?.reasons ?? {},
      };
    },

    async getStorage(): Promise<StorageStatus> {
      const [usage, warning, totals] = await db.meta.bulkGet(['usage', 'storageWarning', TOTALS_KEY]);
      return {
        // The last retention pass's record, with what is stored now from the running totals (kept by every write).
        usage: usage?.key === 'usage' ? { ...usage.value, ...(totals?.key === TOTALS_KEY ? totals.value : {}) } : null,
        warning: warning?.key === 'storageWarning' ? warning.value : null,
      };
    },

    // The replay's readers (and their codec) are loaded when a replay is first asked for, not with the list.
    getReplay: async (sessionId, window) => (await import('../storage/replayStore')).readReplay(db, sessionId, window),

    async getReplayAssets(sessionId) {
      const { readSessionAssets } = await import('../storage/assetStore');
      const { refs, bodies } = await readSessionAssets(db, sessionId);
      return { refs, bodies: [...bodies].map(([hash, body]) => ({ hash, contentType: body.contentType, data: body.data })) };
    },
  };
}

