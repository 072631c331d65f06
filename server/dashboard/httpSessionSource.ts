/**
 * The panel's SessionSource over the team server's read API (the dashboard's host). Reads are single requests
 * with the member's cookie; the change feed polls "changes since cursor" (only ids travel, never the list).
 */
import type { SessionRecord } from '../../sdk/schema';
import { cohortsOver, facetsOver, kpisOver } from '../../panel/dashboard/answerOver';
import type { ApiError, SessionSearchResponse, SessionChangesResponse, SessionCountResponse, SessionDetailResponse, SessionListResponse } from '../../sdk/schema';
import { SDK_LABELS, SDK_NAMES, SERVER_ROUTES, sessionReplayPath, type ReplayData } from '../../sdk/schema';
import type { SessionFilter, SessionPage, SessionSource } from '../../panel/source/SessionSource';
import { DEFAULT_PAGE_SIZE, NEWEST_FIRST } from '../../panel/source/SessionSource';

export interface HttpSourceOptions {
  /** Server origin ('' = the page's own). */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Time between two polls of the change feed. */
  pollMs?: number;
}

/** Sessions the dashboard's counts and KPIs are computed over (the newest ones). */
const DASHBOARD_SESSIONS_MAX = 5000;

/** Most rows the server returns per request. */
const SERVER_PAGE_MAX = 500;

export function createHttpSessionSource(options: HttpSourceOptions = {}): SessionSource {
  const base = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const pollMs = options.pollMs ?? 2000;

  async function get<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== undefined) query.set(key, String(value));
    const qs = query.toString();
    const response = await doFetch(`${base}${path}${qs ? `?${qs}` : ''}`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as ApiError | null;
      const error = new Error(body?.message ?? `the server answered ${response.status}`) as Error & { status?: number };
      error.status = response.status;
      throw error;
    }
    return (await response.json()) as T;
  }

  // One "Recorded by" value is answered by the server (several, or none: every SDK).
  const sdkOf = (labels: string[] | undefined) => (labels?.length === 1 ? SDK_NAMES.find((name) => SDK_LABELS[name] === labels[0]) : undefined);
  const range = (filter: SessionFilter = {}) => ({ from: filter.startedFrom, to: filter.startedBefore, sdk: sdkOf(filter.sdk) });

  /** The server's search (URLs, API calls, errors, actions, console, context). */
  const searchHits = async (text: string, limit?: number) => (await get<SessionSearchResponse>(SERVER_ROUTES.search, { q: text, limit })).hits;
  const searchIds = async (text: string) => new Set((await searchHits(text, 5000)).map((hit) => hit.sessionId));

  async function recentSessions(filter: SessionFilter): Promise<SessionRecord[]> {
    const out: SessionRecord[] = [];
    while (out.length < DASHBOARD_SESSIONS_MAX) {
      const page = await get<SessionListResponse>(SERVER_ROUTES.sessions, { ...range(filter), offset: out.length, limit: SERVER_PAGE_MAX, sort: 'startedAt', direction: 'desc' });
      for (const item of page.items) out.push(item.session);
      if (page.items.length < SERVER_PAGE_MAX) break;
    }
    return out;
  }

  return {
    watchChanges(onChange, watchOptions) {
      let cursor: string | null = null;
      let stopped = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const poll = async () => {
        try {
          if (cursor === null) {
            cursor = (await get<SessionChangesResponse>(SERVER_ROUTES.changes, { cursor: 'now' })).cursor;
          } else {
            const page: SessionChangesResponse = await get<SessionChangesResponse>(SERVER_ROUTES.changes, { cursor });
            if (page.cursor !== cursor) {
              cursor = page.cursor;
              const ids = page.items.map((item) => item.session.id);
              if (!stopped) onChange({ cursor, sessions: ids, events: ids });
            }
          }
        } catch (error) {
          watchOptions?.onError?.(error);
        }
        if (!stopped) timer = setTimeout(() => void poll(), pollMs);
      };
      void poll();
      return () => {
        stopped = true;
        clearTimeout(timer);
      };
    },

    async listSessions(query) {
      const sort = query.sort ?? NEWEST_FIRST;
      if (sort.key !== 'startedAt' && sort.key !== 'timeSpent') throw new Error(`the team server cannot sort by ${sort.key} yet`);
      const offset = query.offset ?? 0;
      const limit = Math.min(query.limit ?? DEFAULT_PAGE_SIZE, SERVER_PAGE_MAX);
      const page = await get<SessionListResponse>(SERVER_ROUTES.sessions, { ...range(query.filter), offset, limit, sort: sort.key, direction: sort.direction });
      return { sessions: page.items.map((item) => item.session), offset } satisfies SessionPage;
    },

    async countSessions(filter) {
      return (await get<SessionCountResponse>(SERVER_ROUTES.count, range(filter))).count;
    },

    async getSession(sessionId) {
      try {
        return (await get<SessionDetailResponse>(`${SERVER_ROUTES.sessions}/${encodeURIComponent(sessionId)}`)).item.session;
      } catch (error) {
        if ((error as { status?: number }).status === 404) return null;
        throw error;
      }
    },

    async getEvents(sessionId, query) {
      const detail = await get<SessionDetailResponse>(`${SERVER_ROUTES.sessions}/${encodeURIComponent(sessionId)}`);
      const types = query?.types ? new Set<string>(query.types) : null;
      return types ? detail.events.filter((event) => types.has(event.type)) : detail.events;
    },

    // The dashboard's questions are answered over the most recent sessions of the filter's start bounds (at most
    // DASHBOARD_SESSIONS_MAX), with the same functions as the extension; search text through the server's search.
    async getFacetCounts(filter) {
      return facetsOver(await recentSessions(filter), filter, Date.now(), searchIds);
    },

    async getKpis(filter, kpiOptions = {}) {
      return kpisOver(await recentSessions(filter), filter, kpiOptions, Date.now(), searchIds);
    },

    async getCohorts(filter, query = {}) {
      return cohortsOver(await recentSessions(filter), filter, query, Date.now(), searchIds);
    },

    async search(query) {
      const wanted = query.kinds ? new Set(query.kinds) : null;
      const hits = await searchHits(query.text, query.limit);
      return wanted ? hits.map((hit) => ({ ...hit, snippets: hit.snippets.filter((s) => wanted.has(s.kind)) })).filter((hit) => hit.snippets.length) : hits;
    },

    /** The session's replay as the server stores it (records decompressed by the server, in time order). */
    async getReplay(sessionId) {
      return get<ReplayData>(sessionReplayPath(sessionId));
    },

    async getTabInfo(tabId) {
      return { tabId, currentSessionId: null, dropped: 0, droppedByReason: {} };
    },
  };
}
