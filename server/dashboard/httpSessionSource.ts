/**
 * The panel's SessionSource over the team server's read API (the dashboard's host). Reads are single requests
 * with the member's cookie; the change feed polls "changes since cursor" (only ids travel, never the list).
 */
import type { ApiError, SessionChangesResponse, SessionCountResponse, SessionDetailResponse, SessionListResponse } from '../../sdk/schema';
import { SERVER_ROUTES } from '../../sdk/schema';
import type { SessionFilter, SessionPage, SessionSource } from '../../panel/source/SessionSource';
import { DEFAULT_PAGE_SIZE, NEWEST_FIRST } from '../../panel/source/SessionSource';

export interface HttpSourceOptions {
  /** Server origin ('' = the page's own). */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Time between two polls of the change feed. */
  pollMs?: number;
}

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

  const range = (filter: SessionFilter = {}) => ({ from: filter.startedFrom, to: filter.startedBefore });

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

    async getTabInfo(tabId) {
      return { tabId, currentSessionId: null, dropped: 0, droppedByReason: {} };
    },
  };
}
