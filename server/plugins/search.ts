/**
 * Search on the team server (GET /api/sessions/search, a member's cookie): the text, case-insensitive, in the
 * events that carry what a tester looks for (page and API URLs, error and console messages, action names) and
 * in the session's own record (global context, user, app). Plain SQL LIKE through Kysely on both dialects: the
 * text is a bound parameter with its wildcards escaped.
 */
import { sql } from 'kysely';
import type { SearchHit, SearchKind, SessionSearchResponse, StoredEvent } from '../../sdk/schema';
import { SERVER_ROUTES } from '../../sdk/schema';
import type { RoutePlugin } from '../http';
import { requireMember } from './authenticate';

const KIND_OF_EVENT: Record<string, SearchKind> = { view: 'url', api: 'api', error: 'error', action: 'action', console: 'console' };
const SNIPPETS_PER_HIT = 3;

/** The searchable text of one event, as the extension's index takes it. */
function textOf(event: StoredEvent): string {
  switch (event.type) {
    case 'view':
    case 'api':
      return event.url;
    case 'error':
      return event.message;
    case 'action':
      return event.name;
    case 'console':
      return event.message;
    default:
      return '';
  }
}

function snippet(text: string, needle: string): string {
  const at = text.toLowerCase().indexOf(needle);
  if (at < 0 || text.length <= 160) return text.slice(0, 160);
  const start = Math.max(0, at - 60);
  return `${start ? '…' : ''}${text.slice(start, start + 160)}${start + 160 < text.length ? '…' : ''}`;
}

export const searchRoutes: RoutePlugin = async (app, ctx) => {
  const { store } = ctx;
  app.get<{ Querystring: { q: string; limit: number } }>(
    SERVER_ROUTES.search,
    {
      preHandler: requireMember(ctx),
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['q'],
          properties: { q: { type: 'string', minLength: 1, maxLength: 256 }, limit: { type: 'integer', minimum: 1, maximum: 5000, default: 1000 } },
        },
      },
    },
    async (request): Promise<SessionSearchResponse> => {
      const needle = request.query.q.trim().toLowerCase();
      if (!needle) return { hits: [] };
      const pattern = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const like = (column: string) => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
      const hits = new Map<string, SearchHit>();
      const add = (sessionId: string, kind: SearchKind, text: string) => {
        const hit = hits.get(sessionId) ?? { sessionId, score: 0, snippets: [] };
        hit.score++;
        if (hit.snippets.length < SNIPPETS_PER_HIT) hit.snippets.push({ kind, text: snippet(text, needle), terms: [needle] });
        hits.set(sessionId, hit);
      };
      const events = await store.db
        .selectFrom('events')
        .select(['session_id', 'body'])
        .where('type', 'in', Object.keys(KIND_OF_EVENT))
        .where(like('body'))
        .limit(20_000)
        .execute();
      for (const row of events) {
        const event = JSON.parse(row.body) as StoredEvent;
        const text = textOf(event);
        // The body matched; count it only when the searchable text itself holds the needle (not a key name).
        if (text.toLowerCase().includes(needle)) add(row.session_id, KIND_OF_EVENT[event.type]!, text);
      }
      const sessions = await store.db.selectFrom('sessions').select(['id', 'record']).where(like('record')).limit(request.query.limit).execute();
      for (const row of sessions) {
        const record = JSON.parse(row.record) as { global?: unknown; user?: unknown; app?: unknown };
        const context = JSON.stringify({ global: record.global, user: record.user, app: record.app });
        if (context.toLowerCase().includes(needle)) add(row.id, 'attribute', context);
      }
      const sorted = [...hits.values()].sort((a, b) => b.score - a.score || a.sessionId.localeCompare(b.sessionId));
      return { hits: sorted.slice(0, request.query.limit) };
    },
  );
};
