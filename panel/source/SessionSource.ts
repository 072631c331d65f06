/**
 * Where the Sessions panel reads from. The panel knows nothing of its host: the extension implements this
 * over its IndexedDB (extension/panelHost/dexieSessionSource.ts), the server dashboard over HTTP.
 *
 * Shape, chosen so an HTTP implementation is a thin client:
 * - reads are one-shot and async, take plain serialisable arguments (SessionQuery maps to query
 *   parameters) and resolve to plain JSON-like values;
 * - one change feed (`watchChanges`) says WHAT changed (which sessions, which sessions' events, tabs,
 *   storage) with a cursor; the panel decides when to read again (panel/source/live.ts: at most once a
 *   second, never while hidden, only the reads the change concerns). The server's feed is "changes since
 *   cursor" (long poll or server-sent events), never the whole list.
 */
import type {
  CohortQuery,
  CohortReport,
  SessionFilter as DashboardFilter,
  DropReason,
  FacetCounts,
  KpiReport,
  ReplayData,
  ReplayAssetsData,
  ReplayWindowQuery,
  RumEventType,
  SearchHit,
  SearchQuery,
  SessionRecord,
  StorageUsage,
  StorageWarning,
  StoredEvent,
} from '../../sdk/schema';

export type Unsubscribe = () => void;

/** Columns the list sorts by. `startedAt` is indexed in every source; others may cost a scan. */
export const SESSION_SORT_KEYS = ['startedAt', 'timeSpent', 'errors', 'email', 'location'] as const;
export type SessionSortKey = (typeof SESSION_SORT_KEYS)[number];

export interface SessionSort {
  key: SessionSortKey;
  direction: 'asc' | 'desc';
}

/** The default order: newest first. */
export const NEWEST_FIRST: SessionSort = { key: 'startedAt', direction: 'desc' };

/**
 * Which sessions. Every field is optional and all given ones combine (AND): the dashboard's filters
 * (sdk/schema/dashboard.ts: time range, user email, error count, country, browser, duration, environment,
 * version, site, search text...) plus absolute start bounds. Presets relative to "now" (past hour...) are
 * resolved by the source when it answers. A source that cannot answer a field rejects with an Error rather
 * than ignoring it silently.
 */
export interface SessionFilter extends DashboardFilter {
  /** Only sessions started at or after this UTC ms. */
  startedFrom?: number;
  /** Only sessions started before this UTC ms. */
  startedBefore?: number;
}

/** One window of the list: filter, order and the rows [offset, offset + limit). */
export interface SessionQuery {
  filter?: SessionFilter;
  /** Default NEWEST_FIRST. */
  sort?: SessionSort;
  /** Rows to skip (default 0). */
  offset?: number;
  /** Rows to return (default 100). A source may cap it. */
  limit?: number;
}

export const DEFAULT_PAGE_SIZE = 100;

export interface SessionPage {
  sessions: SessionRecord[];
  /** The query's offset (echoed, so a late answer can be matched to its request). */
  offset: number;
}

export interface KpiQueryOptions {
  /** The trend's days start at midnight in this zone (minutes east of UTC); default UTC. */
  tzOffsetMinutes?: number;
}

export interface EventQuery {
  /** Event types to include; default all. The timeline leaves out replay chunks, which are large. */
  types?: readonly RumEventType[];
}

/** What the panel knows about the tab it inspects. */
export interface TabInfo {
  tabId: number;
  /** sessionId of the tab's most recent load (top frame preferred); null before the tab sent anything. */
  currentSessionId: string | null;
  /** Messages the background refused from this tab. */
  dropped: number;
  droppedByReason: Partial<Record<DropReason, number>>;
}

/** What the store says about its space: how much is used and the last time a write was refused. */
export interface StorageStatus {
  usage: StorageUsage | null;
  warning: StorageWarning | null;
}

/** `'all'`: something changed there but the source cannot say which (a bulk delete, a missed notice). */
export type ChangedIds = readonly string[] | 'all';

/**
 * One notice of the change feed. Parts that did not change are absent. A consumer that cannot tell
 * whether a notice concerns it reads again: notices may over-report, never under-report.
 */
export interface SourceChange {
  /** Opaque and increasing per source (the server: its change log position). */
  cursor: string;
  /** Session records written or deleted. */
  sessions?: ChangedIds;
  /** Sessions whose events were written or deleted. */
  events?: ChangedIds;
  /** What the source knows of tabs (current loads, refused messages) changed. */
  tabs?: true;
  /** Storage usage or warning changed. */
  storage?: true;
}

export interface SessionSource {
  /** The change feed. `onChange` is called after each change, not with the current state. */
  watchChanges(onChange: (change: SourceChange) => void, options?: { onError?: (error: unknown) => void }): Unsubscribe;

  /** One window of the list. */
  listSessions(query: SessionQuery): Promise<SessionPage>;
  /** How many sessions match (answered from an index or SQL count, never by reading the rows). */
  countSessions(filter?: SessionFilter): Promise<number>;
  /** null when there is no such session (never was, or deleted). */
  getSession(sessionId: string): Promise<SessionRecord | null>;
  /** The session's events in time order. */
  getEvents(sessionId: string, query?: EventQuery): Promise<StoredEvent[]>;
  /** Sources without tabs (the server) answer { currentSessionId: null, dropped: 0 }. */
  getTabInfo(tabId: number): Promise<TabInfo>;
  /** Values present in each filter widget with their counts, each facet counted with the other parts of the filter applied. */
  getFacetCounts(filter: SessionFilter): Promise<FacetCounts>;
  /** KPIs of the matching sessions, their daily trend and, with a time range, the previous period's. */
  getKpis(filter: SessionFilter, options?: KpiQueryOptions): Promise<KpiReport>;
  /** Sessions whose URLs, API calls, errors, actions or custom attributes match, best first, with snippets. */
  search(query: SearchQuery): Promise<SearchHit[]>;
  /** Cohorts (version, weekday, new vs returning, feature) and performance by segment of the matching sessions; a source without them leaves it out. */
  getCohorts?(filter: SessionFilter, query?: CohortQuery): Promise<CohortReport>;
  /** Storage used and the quota warning; a source without them leaves it out (the panel then shows neither). */
  getStorage?(): Promise<StorageStatus>;
  /**
   * The session's replay recording, decompressed (empty records when it has none); a source without replays
   * leaves it out. With `window`: only the segments of that time window (ReplayWindowQuery), with `window` and
   * `range` in the answer, so that the player reads a long recording piece by piece.
   */
  getReplay?(sessionId: string, window?: ReplayWindowQuery): Promise<ReplayData>;
  /** The stylesheets, fonts and images kept with the session's recording; a source without them leaves it out (the player then loads the live URLs). */
  getReplayAssets?(sessionId: string): Promise<ReplayAssetsData>;
}
