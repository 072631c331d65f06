/**
 * A session's replay assets for the player (docs/replay-assets.md), behind the session's own access (a member's
 * cookie): GET /api/sessions/:id/assets lists its references, GET /api/sessions/:id/assets/:hash serves a body the
 * session references (404 otherwise, so a hash reveals nothing about sessions one may not read). Bodies are
 * content-addressed: immutable, cached privately for a year.
 */
import type { SessionAssetsResponse } from '../../sdk/schema';
import { SERVER_ROUTES } from '../../sdk/schema';
import { listSessionAssetRefs, readSessionAssetBody } from '../db/replayAssets';
import { HttpError, type RoutePlugin } from '../http';
import { requireMember } from './authenticate';

const sessionId = { type: 'string', minLength: 1, maxLength: 64 } as const;

/**
 * Media types served as stored: what the extension keeps (stylesheets, fonts, images). Anything else an upload
 * named is served as application/octet-stream, so that no stored body is ever rendered as a page of this origin.
 */
const SERVED_TYPES = /^(text\/css|image\/[\w.+-]+|font\/[\w.+-]+|application\/(x-)?font-[\w.+-]+|application\/vnd\.ms-fontobject|application\/octet-stream)$/;

export function servedAssetType(stored: string): string {
  const type = stored.split(';')[0]!.trim().toLowerCase();
  return SERVED_TYPES.test(type) ? type : 'application/octet-stream';
}

export const replayAssetRoutes: RoutePlugin = async (app, ctx) => {
  const { store } = ctx;
  const member = requireMember(ctx);

  app.get<{ Params: { id: string } }>(
    `${SERVER_ROUTES.sessions}/:id/assets`,
    {
      preHandler: member,
      schema: { summary: "The session's replay assets: kept (with the body's sha-256) or skipped (with the reason)", params: { type: 'object', required: ['id'], properties: { id: sessionId } } },
    },
    async (request): Promise<SessionAssetsResponse> => {
      const session = await store.db.selectFrom('sessions').select('id').where('id', '=', request.params.id).executeTakeFirst();
      if (!session) throw new HttpError(404, 'no such session');
      return { refs: await listSessionAssetRefs(store.db, session.id) };
    },
  );

  app.get<{ Params: { id: string; hash: string } }>(
    `${SERVER_ROUTES.sessions}/:id/assets/:hash`,
    {
      preHandler: member,
      schema: {
        summary: 'A kept replay asset body the session references, by its hex sha-256 (its stored media type; immutable)',
        params: { type: 'object', required: ['id', 'hash'], properties: { id: sessionId, hash: { type: 'string', pattern: '^[0-9a-f]{64}$' } } },
      },
    },
    async (request, reply) => {
      const body = await readSessionAssetBody(store.db, request.params.id, request.params.hash);
      if (!body) throw new HttpError(404, 'no such asset in this session');
      return reply
        .headers({
          'content-type': servedAssetType(body.contentType),
          'x-content-type-options': 'nosniff',
          // Never a document of this origin, even opened directly (an SVG's scripts do not run).
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
          'cache-control': 'private, max-age=31536000, immutable',
          etag: `"${request.params.hash}"`,
        })
        .send(Buffer.from(body.data.buffer, body.data.byteOffset, body.data.byteLength));
    },
  );
};
