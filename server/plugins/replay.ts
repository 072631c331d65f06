/**
 * Replay segments: intake (POST /api/intake/replay, upload token, on the intake's rules: gzip, both size caps,
 * rate limit, 2xx only once committed) and the player's read (GET /api/sessions/:id/replay, a member's cookie).
 * Rows are keyed [loadId+seq]: a re-sent segment is stored once and counted once in its session's replay stats.
 */
import type { ReplayData, ReplaySegmentReason, ReplaySegmentRow, ReplayUploadResponse } from '../../sdk/schema';
import { SERVER_ROUTES } from '../../sdk/schema';
import { validateReplayUpload } from '../../sdk/schema/validateServer';
import { buildSegmentRow, decodeReplay } from '../../sdk/src/replay/segmentCodec';
import { sqlRepository } from '../db/sqlRepository';
import type { ReplaySegmentsTable } from '../db/schema';
import { HttpError, type RoutePlugin } from '../http';
import { requireMember } from './authenticate';
import { INTAKE_CORS, intakeOptions, registerIntakeJsonParser } from './intake';
import { insertReplayRow, storedReplayStats } from './replayRows';

/** Bytes a segment row costs in its session's size beyond its compressed data (as the extension counts it). */
const ROW_OVERHEAD = 200;

function toRow(table: ReplaySegmentsTable): ReplaySegmentRow {
  return {
    sessionId: table.session_id,
    loadId: table.load_id,
    seq: table.seq,
    viewId: table.view_id,
    reason: table.reason as ReplaySegmentReason,
    start: table.start_at,
    end: table.end_at,
    records: table.records,
    fullSnapshot: table.full_snapshot === 1,
    rawChars: table.raw_chars,
    bytes: table.bytes,
    data: table.data,
  };
}

export const replayRoutes: RoutePlugin = async (app, ctx) => {
  const { store } = ctx;
  registerIntakeJsonParser(app, ctx);

  app.options(SERVER_ROUTES.replayUpload, async (_request, reply) => reply.code(204).headers(INTAKE_CORS).send());
  app.post(SERVER_ROUTES.replayUpload, { ...intakeOptions(ctx), schema: { body: { type: 'object', required: ['protocol', 'segments'] } } }, async (request, reply) => {
    reply.headers({ 'access-control-allow-origin': '*' });
    const token = request.uploadToken!;
    const checked = validateReplayUpload(request.body);
    if (!checked.ok) throw new HttpError(400, `invalid replay upload: ${checked.reason}`);
    // Redacted and compressed before the transaction; the session is known only inside it.
    const built = checked.value.map((segment) => ({ ...segment, row: buildSegmentRow('', segment.loadId, segment.seq, segment.payload) }));

    const result = await sqlRepository(store, { uploader: token.userId }).transaction(async (tx): Promise<ReplayUploadResponse> => {
      // Every segment's session first: nothing is written unless all of them are known and the token's member's.
      const viaLoad = new Set<string>();
      for (const segment of built) {
        let sessionId = segment.sessionId;
        if (!sessionId) {
          const load = await tx.getLoad(segment.loadId);
          if (!load?.sessionId) return { status: 'unknown_load', loadId: segment.loadId };
          sessionId = load.sessionId;
          viaLoad.add(sessionId);
        }
        const owner = await tx.ownerOf(sessionId);
        if (owner === undefined) throw new HttpError(404, `no session ${sessionId}: upload the session before its replay`);
        if (owner !== token.userId) throw new HttpError(409, `session ${sessionId} was uploaded by another member`);
        segment.row.sessionId = sessionId;
      }
      let stored = 0;
      const added = new Map<string, ReplaySegmentRow[]>();
      for (const { row } of built) {
        const inserted = await insertReplayRow(tx.trx, row);
        if (!inserted) continue;
        stored++;
        added.set(row.sessionId, [...(added.get(row.sessionId) ?? []), row]);
      }
      for (const [sessionId, rows] of added) {
        const session = await tx.getSession(sessionId);
        if (!session) continue;
        // The stats from what is stored (an extension's uploaded record already counts its segments).
        const stats = await storedReplayStats(tx.trx, sessionId);
        if (stats) session.replayStats = stats;
        // The SDK's sessions are sized here; an uploaded record came with its size.
        if (viaLoad.has(sessionId)) session.bytes = (session.bytes ?? 0) + rows.reduce((n, row) => n + row.bytes + ROW_OVERHEAD, 0);
        session.replay = true;
        await tx.putSession(session);
      }
      return { status: 'stored', stored, duplicates: built.length - stored };
    });
    request.log.info({ tokenId: token.id, ...result }, 'replay upload');
    return reply.code(result.status === 'stored' ? 200 : 409).send(result);
  });

  app.get<{ Params: { id: string } }>(
    `${SERVER_ROUTES.sessions}/:id/replay`,
    { preHandler: requireMember(ctx), schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } } },
    async (request): Promise<ReplayData> => {
      const session = await store.db.selectFrom('sessions').select('id').where('id', '=', request.params.id).executeTakeFirst();
      if (!session) throw new HttpError(404, 'no such session');
      const rows = await store.db.selectFrom('replay_segments').selectAll().where('session_id', '=', session.id).orderBy('start_at').orderBy('seq').execute();
      return decodeReplay(rows.map(toRow));
    },
  );
};
