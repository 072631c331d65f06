/**
 * The panel's SessionSource over the team server's read API (the dashboard's host). Reads are single requests
 * with the member's cookie; the change feed polls "changes since cursor" (only ids travel, never the list).
 */
import type { SessionRecord } from '../../sdk/schema';
import { cohortsOver, facetsOver, kpisOver } from '../../panel/dashboard/answerOver';
import type { ApiError, SessionSearchResponse, SessionChangesResponse, SessionCountResponse, SessionDetailResponse, SessionListResponse } from '../../sdk/schema';
import { SERVER_ROUTES, sessionAssetPath, sessionAssetsPath, sessionReplayPath, type ReplayAssetsData, type ReplayData, type SessionAssetsResponse } from '../../sdk/schema';
import { filterToParams } from '../sessionListParams';
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

/** Asset bodies fetched at once (the browser's connections per origin). */
const ASSET_FETCHES = 6;

export function createHttpSessionSource(options: HttpSourceOptions = {}): SessionSource {
  const base = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const pollMs = options.pollMs ?? 2000;

  async function get<T>(path: string, params: Record<string, string | number | string[] | undefined> = {}): Promise<T> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (Array.isArray(value)) for (const item of value) query.append(key, item);
      else if (value !== undefined) query.set(key, String(value));
    }
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

  // The dashboard's counts need every session of the bounds (each facet is counted with the others applied).
  const bounds = (filter: SessionFilter = {}) => ({ from: filter.startedFrom, to: filter.startedBefore });

  /** The server's search (URLs, API calls, errors, actions, console, context). */
  const searchIds = async (text: string) => new Set((await get<SessionSearchResponse>(SERVER_ROUTES.search, { q: text, limit: 100_000, snippets: 0 })).hits.map((hit) => hit.sessionId));

  async function recentSessions(filter: SessionFilter): Promise<SessionRecord[]> {
    const out: SessionRecord[] = [];
    while (out.length < DASHBOARD_SESSIONS_MAX) {
      const page = await get<SessionListResponse>(SERVER_ROUTES.sessions, { ...bounds(filter), offset: out.length, limit: SERVER_PAGE_MAX, sort: 'startedAt', direction: 'desc' });
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
      const offset = query.offset ?? 0;
      const limit = Math.min(query.limit ?? DEFAULT_PAGE_SIZE, SERVER_PAGE_MAX);
      const page = await get<SessionListResponse>(SERVER_ROUTES.sessions, { ...filterToParams(query.filter), offset, limit, sort: sort.key, direction: sort.direction });
      return { sessions: page.items.map((item) => item.session), offset } satisfies SessionPage;
    },

    async countSessions(filter) {
      return (await get<SessionCountResponse>(SERVER_ROUTES.count, filterToParams(filter))).count;
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
      return (await get<SessionSearchResponse>(SERVER_ROUTES.search, { q: query.text, limit: Number.isFinite(query.limit) ? query.limit : 100_000, kinds: query.kinds, snippets: query.snippets })).hits;
    },

    /** The session's replay as the server stores it (records decompressed by the server, in time order). */
    async getReplay(sessionId) {
      return get<ReplayData>(sessionReplayPath(sessionId));
    },

    /**
     * The session's kept stylesheets, fonts and images as the extension's panel gets them: its references, and each
     * body it names once (fetched by hash, cacheable). A body that cannot be fetched is left out: the player lists
     * its URL as missing and falls back to the live one.
     */
    async getReplayAssets(sessionId): Promise<ReplayAssetsData> {
      const { refs } = await get<SessionAssetsResponse>(sessionAssetsPath(sessionId));
      const hashes = [...new Set(refs.flatMap((ref) => (ref.hash ? [ref.hash] : [])))];
      const bodies: ReplayAssetsData['bodies'] = [];
      const next = async (): Promise<void> => {
        const hash = hashes.pop();
        if (hash === undefined) return;
        const response = await doFetch(`${base}${sessionAssetPath(sessionId, hash)}`, { credentials: 'same-origin' }).catch(() => null);
        if (response?.ok) bodies.push({ hash, contentType: response.headers.get('content-type') ?? 'application/octet-stream', data: new Uint8Array(await response.arrayBuffer()) });
        return next();
      };
      await Promise.all(Array.from({ length: ASSET_FETCHES }, next));
      return { refs, bodies };
    },

    async getTabInfo(tabId) {
      return { tabId, currentSessionId: null, dropped: 0, droppedByReason: {} };
    },
  };
}
