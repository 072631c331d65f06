/**
 * The compatible intake: what the real @datadog/browser-rum and @openobserve/browser-rum SDKs post, unchanged
 * (paths and bodies read from their own source: js-core/transport/endpointBuilder, browser-core/transport,
 * browser-rum/segmentCollection). See COMPAT_ROUTES. The client token (`dd-api-key` / `o2-api-key` in the query)
 * is an application's: checked, with the rate limit, before the body is read (missing → 401, wrong or revoked →
 * 403). Bodies: NDJSON (text/plain, deflate when `*-evp-encoding=deflate`), multipart replay segments. Limits
 * before (route body limit) and after decompression (413); bad input → 4xx; 2xx only after the commit. The
 * SDKs post without custom headers (no CORS preflight) but read the status: every answer allows any origin.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CompatIntakeResponse, SdkName } from '../../sdk/schema';
import { COMPAT_ROUTES } from '../../sdk/schema';
import { findApplication } from '../accounts/applications';
import { inspectSegment, parseSegmentMetadata } from '../compat/foreignReplay';
import { ingestCompat, storeForeignSegment, type CompatSessionBatch } from '../compat/ingestCompat';
import { mapLogEvent } from '../compat/mapLogEvent';
import { mapRumEvent, type MapResult } from '../compat/mapRumEvent';
import { decodeUtf8, inflate, parseMultipart, parseNdjson, type Encoding } from '../compat/readBody';
import { HttpError, type RoutePlugin } from '../http';
import { hitRateLimit } from '../rateLimit';

type Track = 'rum' | 'logs' | 'replay';

interface CompatTarget {
  sdk: SdkName;
  track: Track;
  /** The intake's query parameters (for the proxy form: those inside `ddforward` / `o2forward`). */
  params: URLSearchParams;
}

declare module 'fastify' {
  interface FastifyRequest {
    compat?: { target: CompatTarget; application: { id: string; createdBy: string | null } };
  }
}

const TRACKS = new Set<string>(['rum', 'logs', 'replay']);
const DATADOG_PATH = /^\/api\/v2\/([a-z]+)$/;
const OPENOBSERVE_PATH = /^\/rum\/v1\/([A-Za-z0-9_.-]{1,128})\/([a-z]+)$/;

/** Which SDK and track a request is for, from its URL (the proxy form carries the intake's path and query inside). */
export function compatTarget(rawUrl: string): CompatTarget {
  const url = new URL(rawUrl, 'http://intake.invalid');
  let path = url.pathname;
  let params = url.searchParams;
  if (path === COMPAT_ROUTES.proxy) {
    const forward = url.searchParams.get('ddforward') ?? url.searchParams.get('o2forward');
    if (!forward || !forward.startsWith('/')) throw new HttpError(400, 'the proxy form needs ddforward (Datadog) or o2forward (OpenObserve) with the intake path');
    const inner = new URL(forward, 'http://intake.invalid');
    path = inner.pathname;
    params = inner.searchParams;
  }
  const datadog = DATADOG_PATH.exec(path);
  const openobserve = OPENOBSERVE_PATH.exec(path);
  const sdk: SdkName | null = datadog ? 'datadog' : openobserve ? 'openobserve' : null;
  const track = datadog?.[1] ?? openobserve?.[2];
  if (!sdk || !track || !TRACKS.has(track)) throw new HttpError(404, `no compatible intake at ${path.slice(0, 200)}`);
  return { sdk, track: track as Track, params };
}

const prefix = (sdk: SdkName) => (sdk === 'datadog' ? 'dd' : 'o2');

const CORS = { 'access-control-allow-origin': '*' };

export const compatIntakeRoutes: RoutePlugin = async (app, ctx) => {
  const { store, config } = ctx;
  const limit = config.maxUploadBytes;

  // The SDKs send text/plain, a bare Blob or multipart: every body is read as bytes here and parsed below.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limit }, (_request, body, done) => done(null, body));

  const onRequest = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.headers(CORS);
    const target = compatTarget(request.url);
    const token = target.params.get(`${prefix(target.sdk)}-api-key`);
    if (!token) throw new HttpError(401, `a client token is required (${prefix(target.sdk)}-api-key)`);
    const application = await findApplication(store, token);
    if (!application) throw new HttpError(403, 'this client token is not an application of this server (or it was revoked)');
    const rate = await hitRateLimit(store, `compat:${application.id}:${request.ip}`, 60_000);
    if (rate.count > config.uploadsPerMinute) throw new HttpError(429, 'too many requests; retry later', { 'retry-after': String(rate.retryAfter) });
    request.compat = { target, application };
  };

  const encodingOf = (request: FastifyRequest, target: CompatTarget): Encoding => {
    const declared = (target.params.get(`${prefix(target.sdk)}-evp-encoding`) ?? request.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (declared === 'deflate' || declared === 'gzip' || declared === 'identity') return declared;
    throw new HttpError(415, `unsupported encoding ${declared.slice(0, 32)} (deflate, gzip or none)`);
  };

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const { target, application } = request.compat!;
    const body = request.body;
    if (!Buffer.isBuffer(body) || !body.length) throw new HttpError(400, 'the body is empty');
    const now = Date.now();
    if (target.track === 'replay') return handleReplay(request, reply, body, now);

    const text = decodeUtf8(inflate(body, encodingOf(request, target), limit));
    const lines = parseNdjson(text);
    const userAgent = String(request.headers['user-agent'] ?? '');
    const sessions = new Map<string, CompatSessionBatch>();
    const reasons: string[] = [];
    let refused = 0;
    let sdkVersion = target.params.get(`${prefix(target.sdk)}-evp-origin-version`);
    for (const line of lines) {
      const mapped: MapResult = target.track === 'rum' ? mapRumEvent(line, { userAgent }) : mapLogEvent(line);
      if (!mapped.ok || !/^https?:\/\/[^/]/i.test(mapped.value.url)) {
        refused++;
        if (reasons.length < 5) reasons.push(mapped.ok ? 'the page URL must be http(s)' : mapped.reason);
        continue;
      }
      const { sessionId, url, items } = mapped.value;
      sdkVersion = mapped.value.sdkVersion ?? sdkVersion;
      const batch = sessions.get(sessionId) ?? { externalSessionId: sessionId, url, items: [], hasReplay: false };
      batch.items.push(...items);
      if ((line as { session?: { has_replay?: unknown } }).session?.has_replay === true) batch.hasReplay = true;
      sessions.set(sessionId, batch);
    }
    if (!sessions.size) throw new HttpError(400, `no event could be read: ${reasons.join('; ')}`);
    const result = await ingestCompat(store, {
      sdk: target.sdk,
      sdkVersion: sdkVersion?.slice(0, 64) ?? null,
      applicationId: application.id,
      uploader: application.createdBy,
      sessions: [...sessions.values()],
      now,
    });
    await store.db.updateTable('applications').set({ last_used_at: now }).where('id', '=', application.id).execute();
    request.log.info({ applicationId: application.id, sdk: target.sdk, track: target.track, received: lines.length, stored: result.stored }, 'compat batch');
    const response: CompatIntakeResponse = {
      received: lines.length,
      stored: result.stored,
      refused: refused + result.refused,
      ...(reasons.length + result.reasons.length ? { reasons: [...reasons, ...result.reasons] } : {}),
    };
    return reply.code(202).send(response);
  };

  const handleReplay = async (request: FastifyRequest, reply: FastifyReply, body: Buffer, now: number) => {
    const { target, application } = request.compat!;
    const parts = await parseMultipart(body, String(request.headers['content-type'] ?? ''));
    const event = parts.find((part) => part.name === 'event');
    if (!event) throw new HttpError(400, 'the multipart body has no event part (the segment metadata)');
    let metadata: unknown;
    try {
      metadata = JSON.parse(decodeUtf8(event.bytes, 'event part'));
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(400, 'the event part is not JSON');
    }
    // Images the recorder uploads beside its segments (an `image` part): not kept, the segments are not played here.
    if (!parts.some((part) => part.name === 'segment') && parts.some((part) => part.name === 'image')) return reply.code(202).send({ received: 0, stored: 0, refused: 1, reasons: ['replay images are not kept'] });
    const segment = parts.find((part) => part.name === 'segment');
    if (!segment) throw new HttpError(400, 'the multipart body has no segment part');
    const meta = parseSegmentMetadata(metadata);
    const inspected = inspectSegment(segment.bytes, limit);
    const stored = await storeForeignSegment(store, { sdk: target.sdk, applicationId: application.id, uploader: application.createdBy, meta, data: segment.bytes, inspected, now });
    request.log.info({ applicationId: application.id, sdk: target.sdk, records: inspected.records, duplicate: stored.duplicate }, 'compat replay segment');
    return reply.code(202).send({ received: 1, stored: stored.duplicate ? 0 : 1, refused: 0 } satisfies CompatIntakeResponse);
  };

  const route = { bodyLimit: limit, onRequest };
  for (const path of [COMPAT_ROUTES.datadog, COMPAT_ROUTES.openobserve, COMPAT_ROUTES.proxy]) {
    app.post(path, route, handle);
    app.options(path, async (_request, reply) =>
      reply.code(204).headers({ ...CORS, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type, content-encoding', 'access-control-max-age': '600' }).send(),
    );
  }
};
