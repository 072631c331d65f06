/** Admins manage members; every member manages their own upload tokens (admins: anyone's). */
import type { CreateApplicationResponse, CreateTokenResponse, CreateUserRequest, CreateUserResponse } from '../../sdk/schema';
import { SERVER_ROUTES } from '../../sdk/schema';
import { createUserRequestSchema, parseWith } from '../../sdk/schema/validateServer';
import { AccountExistsError, accountInfo, createLoginLink, createUploadToken, createUser, tokenInfo } from '../accounts/accounts';
import { applicationInfo, createApplication } from '../accounts/applications';
import { HttpError, type RoutePlugin } from '../http';
import { requireAdmin, requireMember } from './authenticate';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

export const adminRoutes: RoutePlugin = async (app, ctx) => {
  const { store, config } = ctx;
  const admin = requireAdmin(ctx);
  const member = requireMember(ctx);
  const linkUrl = (path: string, origin: string) => (config.publicUrl ?? origin) + path;

  app.get(SERVER_ROUTES.users, { preHandler: admin }, async () => {
    const rows = await store.db.selectFrom('users').selectAll().orderBy('created_at').execute();
    return { items: rows.map(accountInfo) };
  });

  app.post<{ Body: CreateUserRequest }>(
    SERVER_ROUTES.users,
    { preHandler: admin, schema: { body: { type: 'object', required: ['email'] } } },
    async (request, reply) => {
      const parsed = parseWith(createUserRequestSchema, request.body);
      if (!parsed.ok) throw new HttpError(400, parsed.reason);
      let user;
      try {
        user = await createUser(store, parsed.value);
      } catch (error) {
        if (error instanceof AccountExistsError) throw new HttpError(409, error.message);
        throw error;
      }
      const loginLink = parsed.value.password ? null : linkUrl(await createLoginLink(store, user.id), `${request.protocol}://${request.host}`);
      request.log.info({ userId: user.id, by: request.account!.user.id }, 'user created');
      return reply.code(201).send({ user, loginLink } satisfies CreateUserResponse);
    },
  );

  app.post<{ Params: { id: string } }>(`${SERVER_ROUTES.users}/:id/login-link`, { preHandler: admin, schema: { params: idParams } }, async (request) => {
    const user = await store.db.selectFrom('users').select('id').where('id', '=', request.params.id).executeTakeFirst();
    if (!user) throw new HttpError(404, 'no such user');
    return { loginLink: linkUrl(await createLoginLink(store, user.id), `${request.protocol}://${request.host}`) };
  });

  app.delete<{ Params: { id: string } }>(`${SERVER_ROUTES.users}/:id`, { preHandler: admin, schema: { params: idParams } }, async (request, reply) => {
    if (request.params.id === request.account!.user.id) throw new HttpError(409, 'you cannot remove yourself');
    const result = await store.db.deleteFrom('users').where('id', '=', request.params.id).executeTakeFirst();
    if (!Number(result.numDeletedRows)) throw new HttpError(404, 'no such user');
    request.log.info({ userId: request.params.id, by: request.account!.user.id }, 'user removed');
    return reply.code(204).send();
  });

  app.get(SERVER_ROUTES.tokens, { preHandler: member }, async (request) => {
    const { user } = request.account!;
    let query = store.db.selectFrom('upload_tokens').selectAll().orderBy('created_at');
    if (user.role !== 'admin') query = query.where('user_id', '=', user.id);
    return { items: (await query.execute()).map(tokenInfo) };
  });

  app.post<{ Body: { name: string; userId?: string } }>(
    SERVER_ROUTES.tokens,
    {
      preHandler: member,
      schema: {
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 128 }, userId: { type: 'string', maxLength: 64 } },
        },
      },
    },
    async (request, reply) => {
      const { user } = request.account!;
      const owner = request.body.userId ?? user.id;
      if (owner !== user.id && user.role !== 'admin') throw new HttpError(403, 'only an admin can create a token for someone else');
      const exists = await store.db.selectFrom('users').select('id').where('id', '=', owner).executeTakeFirst();
      if (!exists) throw new HttpError(404, 'no such user');
      const created = await createUploadToken(store, owner, request.body.name.trim());
      return reply.code(201).send(created satisfies CreateTokenResponse);
    },
  );

  app.delete<{ Params: { id: string } }>(`${SERVER_ROUTES.tokens}/:id`, { preHandler: member, schema: { params: idParams } }, async (request, reply) => {
    const { user } = request.account!;
    let query = store.db.updateTable('upload_tokens').set({ revoked_at: Date.now() }).where('id', '=', request.params.id);
    if (user.role !== 'admin') query = query.where('user_id', '=', user.id);
    const result = await query.executeTakeFirst();
    if (!Number(result.numUpdatedRows)) throw new HttpError(404, 'no such token');
    return reply.code(204).send();
  });

  // Applications instrumented with a peer SDK (the compatible intake): admins create them and revoke their client tokens.
  app.get(SERVER_ROUTES.applications, { preHandler: admin }, async () => {
    const rows = await store.db.selectFrom('applications').selectAll().orderBy('created_at').execute();
    return { items: rows.map(applicationInfo) };
  });

  app.post<{ Body: { name: string } }>(
    SERVER_ROUTES.applications,
    {
      preHandler: admin,
      schema: { body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 128 } } } },
    },
    async (request, reply) => {
      const created = await createApplication(store, request.body.name.trim(), request.account!.user.id);
      request.log.info({ applicationId: created.info.id, by: request.account!.user.id }, 'application created');
      return reply.code(201).send(created satisfies CreateApplicationResponse);
    },
  );

  app.delete<{ Params: { id: string } }>(`${SERVER_ROUTES.applications}/:id`, { preHandler: admin, schema: { params: idParams } }, async (request, reply) => {
    const result = await store.db.updateTable('applications').set({ revoked_at: Date.now() }).where('id', '=', request.params.id).where('revoked_at', 'is', null).executeTakeFirst();
    if (!Number(result.numUpdatedRows)) throw new HttpError(404, 'no such application');
    return reply.code(204).send();
  });
};
