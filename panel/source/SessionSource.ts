/**
 * Where the Sessions panel reads from. Subscribe-style and read-only: each watcher calls `onValue`
 * with the current value as soon as it has one, again whenever it changes, and stops on unsubscribe.
 *
 * Implementations: dexieSource (the extension's IndexedDB, live via liveQuery). An HTTP source for the
 * server dashboard can implement the same interface by polling or server-sent events; `SessionQuery`
 * is plain data so it serialises to query parameters.
 */
import type { DropReason, ReplayData, RumEventType, SessionRecord, StorageUsage, StorageWarning, StoredEvent } from '../../sdk/schema';

export type Unsubscribe = () => void;

export interface WatchOptions {
  /** Called when the source fails (database closed, request failed). The watcher may stop after it. */
  onError?: (error: unknown) => void;
}

/**
 * Which sessions to list. Newest first (by startedAt). Filters, search and KPIs add optional fields
 * here (user email, error count range, country, browser, ...); a source ignores none silently.
 */
export interface SessionQuery {
  /** Only sessions started at or after this UTC ms. */
  startedFrom?: number;
  /** Only sessions started before this UTC ms. */
  startedBefore?: number;
  /** At most this many sessions (default: all). */
  limit?: number;
}

export interface EventWatchOptions extends WatchOptions {
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

export interface SessionSource {
  watchSessions(query: SessionQuery, onValue: (sessions: SessionRecord[]) => void, options?: WatchOptions): Unsubscribe;
  /** null when there is no such session (never was, or deleted). */
  watchSession(sessionId: string, onValue: (session: SessionRecord | null) => void, options?: WatchOptions): Unsubscribe;
  /** The session's events in time order. */
  watchEvents(sessionId: string, onValue: (events: StoredEvent[]) => void, options?: EventWatchOptions): Unsubscribe;
  /** Sources without tabs (the server) emit { currentSessionId: null, dropped: 0 }. */
  watchTabInfo(tabId: number, onValue: (info: TabInfo) => void, options?: WatchOptions): Unsubscribe;
  /** Storage used and the quota warning; a source without them may leave it out (the panel then shows neither). */
  watchStorage?(onValue: (status: StorageStatus) => void, options?: WatchOptions): Unsubscribe;
  /** The session's replay recording, decompressed (empty records when it has none); a source without replays leaves it out. */
  getReplay?(sessionId: string): Promise<ReplayData>;
}
