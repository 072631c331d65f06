/**
 * Intake of sessions uploaded by the extension (POST /api/intake/sessions, upload token only). The body may be
 * gzip; it is capped both as sent and once decompressed (413). Everything is validated before anything is
 * written, and written in one transaction: a 2xx means committed. A batch id already stored is answered from
 * its receipt; events keyed by [loadId+seq] and sessions by id make any re-send a no-op. A bundle's replay assets
 * (references and `assetBodies`) are stored with their sessions, each body once per sha-256 (recomputed here: a body
 * whose bytes do not match its hash refuses the whole upload).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ingestBatch, ingestBatchIn, type BatchInput } from '../../sdk/model';
import type { ReplaySegmentRow, SdkBatchResponse, SessionRecord, UploadResponse } from '../../sdk/schema';
import { SERVER_ROUTES, UPLOAD_TOKEN_HEADER } from '../../sdk/schema';
import { checkUploadRequest, validateSdkBatch } from '../../sdk/schema/validateServer';
import { decodeAssetBodies } from '../../sdk/src/replay/assets/assetBodies';
import { storeSessionAssets } from '../db/replayAssets';
import { sqlRepository, type SqlTx } from '../db/sqlRepository';
import { inflate } from '../compat/readBody';
import { HttpError, type AppContext, type RoutePlugin } from '../http';
import { hitRateLimit } from '../rateLimit';
import { uploadTokenOf } from './authenticate';
import { bundleReplayRows, insertReplayRow, storedReplayStats } from './replayRows';

/** Inserts a bundle's segment rows; the session's replay figures from what is stored then. */
async function storeRows(trx: SqlTx['trx'], rows: ReplaySegmentRow[]) {
  for (const row of rows) await insertReplayRow(trx, row);
  return storedReplayStats(trx, rows[0]!.sessionId);
}

class ConflictError extends HttpError {}

/**
 * The intake's JSON bodies (registered in each intake plugin's own context): the body as sent is capped by the
 * route's bodyLimit (413 before it is all read), a gzip body is then decompressed in one synchronous call capped at
 * the same size (413: a gzip bomb stops there), and parsed with JSON.parse. Keys such as `__proto__` stay plain
 * data and are refused by the validators' poison check (inspectJson).
 */
export function registerIntakeJsonParser(app: FastifyInstance, ctx: AppContext): void {
  const limit = ctx.config.maxUploadBytes;
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: limit }, (request, body, done) => {
    try {
      const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
      if (encoding !== 'identity' && encoding !== 'gzip') throw new HttpError(415, `unsupported content-encoding ${encoding} (use gzip or none)`);
      const bytes = inflate(body as Buffer, encoding, limit);
      if (!bytes.length) throw new HttpError(400, 'the body is empty: send a JSON object');
      let value: unknown;
      try {
        value = JSON.parse(bytes.toString('utf8'));
      } catch (error) {
        throw new HttpError(400, `the body is not valid JSON: ${(error as Error).message}`);
      }
      done(null, value);
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/** Route options every intake route shares: token and rate limit before the body is read (registerIntakeJsonParser reads it). */
export function intakeOptions(ctx: AppContext) {
  const { store, config } = ctx;
  const limit = config.maxUploadBytes;
  return {
    bodyLimit: limit,
    // Authenticate and rate-limit before the body is read.
    onRequest: async (request: FastifyRequest) => {
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') throw new HttpError(415, `send the batch as application/json (got ${type || 'no content-type'})`);
      const token = await uploadTokenOf(ctx, request);
      const rate = await hitRateLimit(store, `upload:${token.id}`, 60_000);
      if (rate.count > config.uploadsPerMinute) {
        throw new HttpError(429, 'too many uploads; retry later', { 'retry-after': String(rate.retryAfter) });
      }
      request.uploadToken = token;
    },
  };
}

/** CORS for the intake: the standalone SDK posts from the app's own origin, the extension from its own (no cookies). */
export const INTAKE_CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': `content-type, content-encoding, authorization, ${UPLOAD_TOKEN_HEADER}`,
  'access-control-allow-methods': 'POST',
  'access-control-max-age': '600',
};

export const intakeRoutes: RoutePlugin = async (app, ctx) => {
  const { store } = ctx;
  const intake = intakeOptions(ctx);
  registerIntakeJsonParser(app, ctx);

  app.post(SERVER_ROUTES.upload, { ...intake, schema: { body: { type: 'object', required: ['format', 'sessions'] } } }, async (request, reply) => {
    reply.headers({ 'access-control-allow-origin': '*' });
    const token = request.uploadToken!;
    const checked = checkUploadRequest(request.body);
    if (!checked.ok) throw new HttpError(400, `invalid upload: ${checked.reason}`);
    const { bundle: batch, eventJson } = checked.value;
    const events = batch.sessions.reduce((n, s) => n + s.events.length, 0);
    const response: UploadResponse = { batchId: batch.batchId ?? null, sessions: batch.sessions.length, events, duplicate: false };
    // A bundle exported by the extension carries its sessions' recordings: cut and compressed before the transaction.
    const replays = new Map(batch.sessions.filter((s) => s.replay?.length).map((s) => [s.session.id, bundleReplayRows(s.session.id, s.replay!)]));
    // Its kept stylesheets, fonts and images: each body's sha-256 recomputed here, before anything is written.
    const bodies = await decodeAssetBodies(batch.assetBodies).catch((error: Error) => {
      throw new HttpError(400, `invalid upload: ${error.message}`);
    });
    const assets = { refs: 0, bodies: 0, bytes: 0 };
    // PostgreSQL: READ COMMITTED for the sessions and events alone (the sync's batches): each of their statements is
    // a keyed upsert or an INSERT … ON CONFLICT whose RETURNING says what it added, the receipt and the owner are
    // settled by the writes themselves (the receipt's unique key, putUpload's owner condition), so a concurrent upload of
    // the same batch or session waits for the other's row and then sees it. Under SERIALIZABLE, uploads of different
    // sessions aborted one another (their index probes read the pages the others insert into): a third of the
    // bench's uploads ran twice. A recording or replay assets keep SERIALIZABLE: an asset body is read while another
    // transaction (retention) may delete its last reference, which only SERIALIZABLE sees.
    const carriesReplay = !!batch.assetBodies?.length || batch.sessions.some((s) => s.replay?.length || s.assets?.length);
    const isolation = carriesReplay ? 'serializable' : 'read committed';

    const result = await sqlRepository(store, { uploader: token.userId }).transaction(async (tx) => {
      Object.assign(assets, { refs: 0, bodies: 0, bytes: 0 }); // PostgreSQL may run the transaction again
      if (batch.batchId) {
        const inserted = await tx.trx
          .insertInto('upload_receipts')
          .values({ batch_id: batch.batchId, token_id: token.id, created_at: Date.now(), response: JSON.stringify(response) })
          .onConflict((oc) => oc.column('batch_id').doNothing())
          .returning('batch_id')
          .executeTakeFirst();
        if (!inserted) {
          const stored = await tx.trx.selectFrom('upload_receipts').select('response').where('batch_id', '=', batch.batchId).executeTakeFirstOrThrow();
          return { ...(JSON.parse(stored.response) as UploadResponse), duplicate: true };
        }
      }
      const owners = await tx.ownersOf(batch.sessions.map(({ session }) => session.id));
      for (const { session } of batch.sessions) {
        const owner = owners.get(session.id);
        if (owner !== undefined && owner !== token.userId) throw new ConflictError(409, `session ${session.id} was uploaded by another member`);
      }
      // The batch's sessions and events in a few multi-row statements (not a few per session).
      const sessions: SessionRecord[] = [];
      for (const { session } of batch.sessions) {
        const rows = replays.get(session.id);
        // A recording is stored with its session unless the server holds one already (the extension's sync sent it).
        const stats = rows && !(await storedReplayStats(tx.trx, session.id)) ? await storeRows(tx.trx, rows) : null;
        sessions.push(stats ? { ...session, replay: true, replayStats: stats } : session);
      }
      // Each event's JSON as the validation made it (once), stored as its body.
      const refused = await tx.putUpload(sessions, batch.sessions.flatMap((entry) => entry.events), eventJson.flat());
      if (refused.length) throw new ConflictError(409, `session ${refused[0]} was uploaded by another member`);
      for (const { session, assets: sessionAssets } of batch.sessions) {
        if (sessionAssets?.length) {
          // Deduplicated by hash across sessions: a body already stored is referenced, not stored again.
          const stored = await storeSessionAssets(tx.trx, session.id, sessionAssets, bodies, Date.now());
          assets.refs += stored.refs;
          assets.bodies += stored.bodies;
          assets.bytes += stored.bytes;
        }
      }
      return response;
    }, { isolation });
    await store.db.updateTable('upload_tokens').set({ last_used_at: Date.now() }).where('id', '=', token.id).execute();
    request.log.info({ tokenId: token.id, batchId: result.batchId, sessions: result.sessions, events: result.events, duplicate: result.duplicate, assets }, 'upload stored');
    return reply.code(result.duplicate ? 200 : 201).send(result);
  });

  for (const route of [SERVER_ROUTES.sdkBatch, SERVER_ROUTES.upload]) app.options(route, async (_request, reply) => reply.code(204).headers(INTAKE_CORS).send());
  app.post(SERVER_ROUTES.sdkBatch, { ...intake, schema: { body: { type: 'object', required: ['loadId', 'events'] } } }, async (request, reply) => {
    reply.headers({ 'access-control-allow-origin': '*' });
    const token = request.uploadToken!;
    const checked = validateSdkBatch(request.body);
    if (!checked.ok) throw new HttpError(400, `invalid batch: ${checked.reason}`);
    const { loadId, first, url, events, sessionId, visitorId } = checked.value;
    const repository = sqlRepository(store, { uploader: token.userId });
    const input = { loadId, tabId: -1, frameId: 0, site: new URL(url).origin, url, first, events, now: Date.now() };
    // The SDK's visitor id: a session this batch starts carries it (new vs returning users).
    const visitorIdFor = () => visitorId ?? null;
    const result = sessionId
      ? await repository.transaction((tx) => ingestVisitorBatch(tx, input, sessionId, token.userId, visitorIdFor))
      : await ingestBatch(repository, input, { visitorIdFor });
    if (result.status === 'foreign') throw new HttpError(409, 'this load id belongs to another page');
    request.log.info({ tokenId: token.id, loadId, status: result.status, upTo: result.upTo }, 'sdk batch');
    const body: SdkBatchResponse = result.status === 'gap' ? result : { status: 'stored', upTo: result.upTo, stored: result.stored, session: result.session };
    return reply.code(result.status === 'gap' ? 409 : 200).send(body);
  });
};

/**
 * The standalone SDK's batch for its visitor's own session: the app's one token serves every visitor, so the
 * session is the one the SDK names (created under that id, owned by the token's member), never the site's latest.
 */
async function ingestVisitorBatch(tx: SqlTx, input: BatchInput, sessionId: string, uploader: string, visitorIdFor: () => string | null) {
  const owner = await tx.ownerOf(sessionId);
  if (owner !== undefined && owner !== uploader) throw new ConflictError(409, `session ${sessionId} was uploaded by another member`);
  const visitorTx: SqlTx = { ...tx, latestSession: () => tx.getSession(sessionId) };
  // A session of this id that the server already closed is not reopened: the next one gets a new id.
  return ingestBatchIn(visitorTx, input, { newId: () => (owner === undefined ? sessionId : crypto.randomUUID()), visitorIdFor });
}

declare module 'fastify' {
  interface FastifyRequest {
    uploadToken?: { id: string; userId: string };
  }
}
