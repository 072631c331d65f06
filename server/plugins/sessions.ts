/** The dashboard's read API: sessions newest first (keyset-paginated), one session with its events, and a change feed. */
import { sql, type SelectQueryBuilder } from 'kysely';
import type { SessionChangesResponse, SessionCountResponse, SessionDetailResponse, SessionListResponse, SessionRecord, SessionSummary, StoredEvent } from '../../sdk/schema';
import { SERVER_ROUTES } from '../../sdk/schema';
import type { Store } from '../db/openDatabase';
import type { Database } from '../db/schema';
import { HttpError, decodeCursor, encodeCursor, type RoutePlugin } from '../http';
import { requireMember } from './authenticate';

const MAX_CHANGES = 500;

function summaryQuery(store: Store) {
  return store.db
    .selectFrom('sessions')
    .leftJoin('users', 'users.id', 'sessions.uploaded_by')
    .select(['sessions.id', 'sessions.record', 'sessions.uploaded_at', 'sessions.started_at', 'users.id as uploader_id', 'users.email as uploader_email', 'users.name as uploader_name']);
}

type SummaryRow = {
  id: string;
  record: string;
  uploaded_at: number;
  started_at: number;
  uploader_id: string | null;
  uploader_email: string | null;
  uploader_name: string | null;
};

function toSummary(row: SummaryRow): SessionSummary {
  return {
    session: JSON.parse(row.record) as SessionRecord,
    uploadedBy: row.uploader_id ? { id: row.uploader_id, email: row.uploader_email ?? '', name: row.uploader_name ?? '' } : null,
    uploadedAt: row.uploaded_at,
  };
}

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'integer', minimum: 0 },
    to: { type: 'integer', minimum: 0 },
    site: { type: 'string', maxLength: 2048 },
    /** Which SDK recorded it ('rumscope': the extension or Rumscope's own SDK). */
    sdk: { type: 'string', enum: ['rumscope', 'datadog', 'openobserve'] },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    cursor: { type: 'string', maxLength: 4096 },
    /** Rows to skip instead of a cursor (the panel's pages). */
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    /** startedAt (default) or timeSpent, then asc or desc (default). */
    sort: { type: 'string', enum: ['startedAt', 'timeSpent'] },
    direction: { type: 'string', enum: ['asc', 'desc'] },
  },
} as const;

type Range = { from?: number; to?: number; site?: string; sdk?: 'rumscope' | 'datadog' | 'openobserve' };

function filtered<Q extends SelectQueryBuilder<Database, 'sessions', any>>(query: Q, { from, to, site, sdk }: Range): Q {
  let q = query;
  if (from !== undefined) q = q.where('sessions.started_at', '>=', from) as Q;
  if (to !== undefined) q = q.where('sessions.started_at', '<', to) as Q;
  if (site) q = q.where('sessions.site', '=', site) as Q;
  if (sdk) q = (sdk === 'rumscope' ? q.where('sessions.sdk', 'is', null) : q.where('sessions.sdk', '=', sdk)) as Q;
  return q;
}

export const sessionsRoutes: RoutePlugin = async (app, ctx) => {
  const { store } = ctx;
  const member = requireMember(ctx);

  app.get<{ Querystring: Range & { limit: number; cursor?: string; offset?: number; sort?: 'startedAt' | 'timeSpent'; direction?: 'asc' | 'desc' } }>(
    SERVER_ROUTES.sessions,
    { preHandler: member, schema: { querystring: listQuery } },
    async (request) => {
      const { limit, cursor, offset, sort = 'startedAt', direction = 'desc' } = request.query;
      let query = filtered(summaryQuery(store) as unknown as SelectQueryBuilder<Database, 'sessions', SummaryRow>, request.query);
      if (offset !== undefined || sort !== 'startedAt' || direction !== 'desc') {
        if (cursor) throw new HttpError(400, 'use either cursor (newest first) or offset with sort, not both');
        const key = sort === 'timeSpent' ? sql<number>`sessions.last_event_at - sessions.started_at` : sql<number>`sessions.started_at`;
        const rows = await query.orderBy(key, direction).orderBy('sessions.id', direction).offset(offset ?? 0).limit(limit).execute();
        return { items: rows.map(toSummary), nextCursor: null } satisfies SessionListResponse;
      }
      if (cursor) {
        const [startedAt, id] = decodeCursor(cursor);
        if (typeof startedAt !== 'number' || typeof id !== 'string') throw new HttpError(400, 'invalid cursor');
        query = query.where((eb) =>
          eb.or([eb('sessions.started_at', '<', startedAt), eb.and([eb('sessions.started_at', '=', startedAt), eb('sessions.id', '<', id)])]),
        );
      }
      const rows = await query.orderBy('sessions.started_at', 'desc').orderBy('sessions.id', 'desc').limit(limit + 1).execute();
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const nextCursor = rows.length > limit && last ? encodeCursor([last.started_at, last.id]) : null;
      return { items: page.map(toSummary), nextCursor } satisfies SessionListResponse;
    },
  );

  app.get<{ Querystring: Range }>(
    SERVER_ROUTES.count,
    { preHandler: member, schema: { querystring: { ...listQuery, properties: { from: listQuery.properties.from, to: listQuery.properties.to, site: listQuery.properties.site, sdk: listQuery.properties.sdk } } } },
    async (request) => {
      const row = await filtered(store.db.selectFrom('sessions'), request.query)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return { count: Number(row.n) } satisfies SessionCountResponse;
    },
  );

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
      const rows = ids.length ? ((await summaryQuery(store).where('sessions.id', 'in', ids).execute()) as SummaryRow[]) : [];
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
      const row = (await summaryQuery(store).where('sessions.id', '=', request.params.id).executeTakeFirst()) as SummaryRow | undefined;
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
