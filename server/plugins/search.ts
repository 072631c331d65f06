/**
 * Search on the team server (GET /api/sessions/search, a member's cookie): server/db/search.ts answers it.
 */
import type { SessionSearchResponse } from '../../sdk/schema';
import { SERVER_ROUTES } from '../../sdk/schema';
import { searchSessions } from '../db/search';
import type { RoutePlugin } from '../http';
import { requireMember } from './authenticate';

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
    async (request): Promise<SessionSearchResponse> => ({ hits: await searchSessions(store.db, request.query.q, request.query.limit) }),
  );
};
