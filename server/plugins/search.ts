/**
 * Search on the team server (GET /api/sessions/search, a member's cookie): the search index of server/db/search.ts.
 */
import type { SearchKind, SessionSearchResponse } from '../../sdk/schema';
import { SEARCH_KINDS, SERVER_ROUTES } from '../../sdk/schema';
import { searchSessions } from '../db/search';
import type { RoutePlugin } from '../http';
import { requireMember } from './authenticate';

export const searchRoutes: RoutePlugin = async (app, ctx) => {
  const { store } = ctx;
  app.get<{ Querystring: { q: string; limit: number; kinds?: SearchKind[]; snippets?: number } }>(
    SERVER_ROUTES.search,
    {
      preHandler: requireMember(ctx),
      schema: {
        summary: 'Sessions whose texts hold every term (the last as a prefix), best first, with snippets',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['q'],
          properties: {
            q: { type: 'string', minLength: 1, maxLength: 256, description: 'Terms a session must all have (the last one as a prefix)' },
            limit: { type: 'integer', minimum: 1, maximum: 100_000, default: 1000 },
            kinds: { type: 'array', maxItems: SEARCH_KINDS.length, items: { type: 'string', enum: [...SEARCH_KINDS] }, description: 'Only these kinds of text (default all)' },
            snippets: { type: 'integer', minimum: 0, maximum: 1000, description: 'How many of the best hits carry snippets (default 50)' },
          },
        },
      },
    },
    async (request): Promise<SessionSearchResponse> => {
      const { q, limit, kinds, snippets } = request.query;
      return { hits: await searchSessions(store.db, { text: q, limit, kinds, snippets }) };
    },
  );
};
