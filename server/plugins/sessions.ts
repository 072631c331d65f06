/**
 * The dashboard's read API: the session list with every filter and sort of the panel (keyset- or
 * offset-paginated; the storage layer's SessionQueries answer it), one session with its events, and a change feed.
 */
import type { SessionChangesResponse, SessionCountResponse, SessionDetailResponse, SessionListResponse, StoredEvent } from '../../sdk/schema';
import { SERVER_ROUTES } from '../../sdk/schema';
import type { SessionFilter, SessionSort, SessionSortKey } from '../../panel/source/SessionSource';
import { summaryQuery, toSummary, type ListPosition, type SummaryRow } from '../db/sessionQueries';
import { filterFromParams, SESSION_FILTER_PARAMS_SCHEMA, SESSION_SORT_PARAMS_SCHEMA, type SessionFilterParams } from '../sessionListParams';
import { HttpError, decodeCursor, encodeCursor, type RoutePlugin } from '../http';
import { requireMember } from './authenticate';

const MAX_CHANGES = 500;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...SESSION_FILTER_PARAMS_SCHEMA,
    ...SESSION_SORT_PARAMS_SCHEMA,
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    cursor: { type: 'string', maxLength: 4096, description: "The previous page's nextCursor (same filter and sort)" },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000, description: 'Rows to skip instead of a cursor (the panel\'s pages)' },
  },
} as const;

const countQuery = { type: 'object', additionalProperties: false, properties: SESSION_FILTER_PARAMS_SCHEMA } as const;

type ListParams = SessionFilterParams & { limit: number; cursor?: string; offset?: number; sort?: SessionSortKey; direction?: 'asc' | 'desc' };

function parseFilter(params: SessionFilterParams): SessionFilter {
  try {
    return filterFromParams(params);
  } catch (error) {
    throw new HttpError(400, (error as Error).message);
  }
}

/** A cursor names its sort, so a page of another order is refused instead of skipping rows. */
function positionOf(cursor: string, sort: SessionSort): ListPosition {
  const [key, direction, value, startedAt, id] = decodeCursor(cursor);
  if (key !== sort.key || direction !== sort.direction) throw new HttpError(400, 'the cursor belongs to another sort order');
  if ((typeof value !== 'number' && typeof value !== 'string') || typeof startedAt !== 'number' || typeof id !== 'string') throw new HttpError(400, 'invalid cursor');
  return { value, startedAt, id };
}

export const sessionsRoutes: RoutePlugin = async (app, ctx) => {
  const { store } = ctx;
  const member = requireMember(ctx);

  app.get<{ Querystring: ListParams }>(SERVER_ROUTES.sessions, { preHandler: member, schema: { summary: 'Sessions matching the filter, in the sort asked for (cursor or offset pages)', querystring: listQuery } }, async (request) => {
    const { limit, cursor, offset, sort: key = 'startedAt', direction = 'desc', ...params } = request.query;
    if (cursor && offset !== undefined) throw new HttpError(400, 'use either cursor or offset, not both');
    const sort: SessionSort = { key, direction };
    const page = await store.queries.listSessions({ filter: parseFilter(params), sort, limit, offset, after: cursor ? positionOf(cursor, sort) : undefined, now: Date.now() });
    const next = page.next && encodeCursor([key, direction, page.next.value, page.next.startedAt, page.next.id]);
    return { items: page.items, nextCursor: next } satisfies SessionListResponse;
  });

  app.get<{ Querystring: SessionFilterParams }>(SERVER_ROUTES.count, { preHandler: member, schema: { summary: 'How many sessions match the filter', querystring: countQuery } }, async (request) => {
    return { count: await store.queries.countSessions(parseFilter(request.query), Date.now()) } satisfies SessionCountResponse;
  });

  app.get<{ Querystring: { cursor?: string } }>(
    SERVER_ROUTES.changes,
    { preHandler: member, schema: { querystring: { type: 'object', additionalProperties: false, properties: { cursor: { type: 'string', pattern: '^([0-9]{1,15}|now)$' } } } } },
    async (request) => {
      if (request.query.cursor === 'now') {
        const last = await store.db.selectFrom('session_changes').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
        return { items: [], cursor: String(last?.id ?? 0) } satisfies SessionChangesResponse;
      }
      const after = Number(request.query.cursor ?? 0);
      const changes = await store.db
        .selectFrom('session_changes')
        .select(['id', 'session_id'])
        .where('id', '>', after)
        .orderBy('id')
        .limit(MAX_CHANGES)
        .execute();
      const ids = [...new Set(changes.map((c) => c.session_id))];
      const rows = ids.length ? ((await summaryQuery(store.db).where('sessions.id', 'in', ids).execute()) as SummaryRow[]) : [];
      const byId = new Map(rows.map((row) => [row.id, row]));
      const items = ids.flatMap((id) => (byId.has(id) ? [toSummary(byId.get(id)!)] : []));
      const cursor = String(changes.at(-1)?.id ?? after);
      return { items, cursor } satisfies SessionChangesResponse;
    },
  );

  app.get<{ Params: { id: string } }>(
    `${SERVER_ROUTES.sessions}/:id`,
    { preHandler: member, schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } } },
    async (request) => {
      const row = (await summaryQuery(store.db).where('sessions.id', '=', request.params.id).executeTakeFirst()) as SummaryRow | undefined;
      if (!row) throw new HttpError(404, 'no such session');
      const events = await store.db
        .selectFrom('events')
        .select('body')
        .where('session_id', '=', row.id)
        .orderBy('time')
        .orderBy('load_id')
        .orderBy('seq')
        .execute();
      return { item: toSummary(row), events: events.map((e) => JSON.parse(e.body) as StoredEvent) } satisfies SessionDetailResponse;
    },
  );
};
