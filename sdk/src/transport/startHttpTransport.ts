/**
 * The standalone SDK's HTTP transport to the team server (POST /api/intake/batch and /api/intake/replay).
 *
 * Events of one session in one page load form a stream: a random load id, events numbered 0, 1, 2… The
 * server stores each [load id + seq] once, so anything may be sent twice (a retry after a lost answer, the
 * exit path overlapping a request in flight) and is stored once. One request at a time in normal operation;
 * a retry (network error, 408, 429, 5xx) waits with exponential backoff; an event leaves the memory only once
 * the server acknowledged it. At page exit (pagehide) and when the page is hidden, what is queued leaves at
 * once as keepalive requests. Replay segments follow the same rules, keyed by their load and replay number.
 */
import { SERVER_ROUTES, type RumEvent, type SdkBatchRequest, type SdkBatchResponse, type ReplayUploadRequest } from '../../schema';
import type { LifeCycle } from '../lifeCycle';
import type { Guard } from '../tools/guard';
import { randomId } from '../tools/time';
import { addEventListener, clearTimeout, removeEventListener, setTimeout } from '../tools/safeGlobals';
import { backoffMs, KEEPALIVE_MAX_BYTES, postToIntake, type PostResult } from './postToIntake';

export interface HttpTransportOptions {
  /** The server's origin (and path prefix, if any), without a trailing slash. */
  baseUrl: string;
  token: string;
  sessionId: () => string | undefined;
  /** The site's anonymous visitor id (new vs returning users), sent with each batch. */
  visitorId?: () => string | undefined;
  /** The page's URL as it may leave the page (redacted). */
  pageUrl: () => string;
  /** Time from the first queued event to its batch. */
  flushDelayMs?: number;
  post?: typeof postToIntake;
}

/** A batch leaves early once it has this many events or characters. */
const BATCH_MAX_EVENTS = 200;
const BATCH_MAX_CHARS = 128 * 1024;
/** Most events kept waiting for the server (oldest dropped first, and counted). */
const QUEUE_MAX_EVENTS = 5000;
/** Replay: segments per request, and most kept waiting. */
const REPLAY_BATCH_MAX_SEGMENTS = 10;
const REPLAY_BATCH_MAX_CHARS = 1024 * 1024;
const REPLAY_QUEUE_MAX_SEGMENTS = 200;

interface Stream {
  sessionId: string;
  loadId: string;
  /** Seq of the next event queued, and of the next replay segment. */
  nextSeq: number;
  nextReplaySeq: number;
  /** Queued and not yet acknowledged, in seq order. */
  pending: { seq: number; event: RumEvent; json: string }[];
}

interface Segment {
  loadId: string;
  seq: number;
  segment: string;
}

export function startHttpTransport(lifeCycle: LifeCycle, guard: Guard, options: HttpTransportOptions) {
  const post = options.post ?? postToIntake;
  const flushDelayMs = options.flushDelayMs ?? 3000;
  const intakePrefix = `${options.baseUrl}/api/intake/`;
  const target = (route: string) => ({ url: `${options.baseUrl}${route}`, token: options.token });
  const streams = new Map<string, Stream>();
  const replayQueue: Segment[] = [];
  let dropped = 0;
  let leaving = false;
  let stopped = false;

  const streamOf = (sessionId: string): Stream => {
    let stream = streams.get(sessionId);
    if (!stream) {
      stream = { sessionId, loadId: randomId(), nextSeq: 0, nextReplaySeq: 0, pending: [] };
      streams.set(sessionId, stream);
    }
    return stream;
  };

  /** One serial channel (events, or replay): one request in flight, backoff on retry, a timer for the next send. */
  function channel(sendNext: (atExit: boolean) => Promise<PostResult | null>) {
    let inFlight = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    const schedule = (delay: number) => {
      if (stopped || inFlight || timer !== undefined) return;
      timer = setTimeout(run, delay);
    };
    const run = guard(() => {
      timer = undefined;
      if (inFlight) return;
      inFlight = true;
      void sendNext(false).then(
        guard((result: PostResult | null) => {
          inFlight = false;
          if (result === null) return;
          if (result.kind === 'retry') {
            schedule(backoffMs(attempt++, result.retryAfterMs));
            return;
          }
          attempt = 0;
          schedule(0);
        }),
      );
    });
    return {
      /** Something was queued: send it after `delay` unless a send is already due. */
      soon: (delay: number) => {
        if (attempt === 0) schedule(delay);
      },
      now: () => {
        if (timer !== undefined && attempt === 0) {
          clearTimeout(timer);
          timer = undefined;
        }
        schedule(0);
      },
      stop: () => clearTimeout(timer),
    };
  }

  // Events.
  const acknowledge = (stream: Stream, result: PostResult, batch: { first: number; count: number }) => {
    if (result.kind === 'refused') {
      // The server will never take these (a revoked token, an invalid batch): drop them, counted.
      const before = stream.pending.length;
      stream.pending = stream.pending.filter((item) => item.seq < batch.first || item.seq >= batch.first + batch.count);
      dropped += before - stream.pending.length;
      return;
    }
    if (result.kind !== 'answered') return;
    const answer = result.body as SdkBatchResponse | null;
    if (!answer || typeof answer.upTo !== 'number') return;
    if (answer.status === 'gap' && stream.pending.length && stream.pending[0]!.seq > answer.upTo) {
      // The server misses events this page no longer has: number what is left from where the server is.
      stream.pending.forEach((item, index) => (item.seq = answer.upTo + index));
      stream.nextSeq = answer.upTo + stream.pending.length;
      return;
    }
    while (stream.pending.length && stream.pending[0]!.seq < answer.upTo) stream.pending.shift();
  };

  const batchOf = (stream: Stream, maxChars: number) => {
    const items: Stream['pending'] = [];
    let chars = 0;
    for (const item of stream.pending) {
      if (items.length && (items.length >= BATCH_MAX_EVENTS || chars + item.json.length > maxChars)) break;
      items.push(item);
      chars += item.json.length + 1;
    }
    const first = items[0]!.seq;
    const visitorId = options.visitorId?.();
    const request: Omit<SdkBatchRequest, 'events'> = { protocol: 1, loadId: stream.loadId, first, url: options.pageUrl(), sessionId: stream.sessionId, ...(visitorId && { visitorId }) };
    const json = `${JSON.stringify(request).slice(0, -1)},"events":[${items.map((item) => item.json).join(',')}]}`;
    return { json, first, count: items.length };
  };

  const sendEvents = async (atExit: boolean): Promise<PostResult | null> => {
    const stream = [...streams.values()].find((s) => s.pending.length);
    if (!stream) return null;
    const batch = batchOf(stream, atExit ? KEEPALIVE_MAX_BYTES - 512 : BATCH_MAX_CHARS);
    const result = await post(target(SERVER_ROUTES.sdkBatch), batch.json, { atExit });
    acknowledge(stream, result, batch);
    return result;
  };
  const events = channel(sendEvents);

  const queuedChars = () => [...streams.values()].reduce((n, s) => n + s.pending.reduce((m, item) => m + item.json.length, 0), 0);

  // Replay segments.
  const sendReplay = async (atExit: boolean): Promise<PostResult | null> => {
    if (!replayQueue.length) return null;
    const segments: Segment[] = [];
    let chars = 0;
    for (const item of replayQueue) {
      if (segments.length && (segments.length >= REPLAY_BATCH_MAX_SEGMENTS || chars + item.segment.length > (atExit ? KEEPALIVE_MAX_BYTES - 512 : REPLAY_BATCH_MAX_CHARS))) break;
      segments.push(item);
      chars += item.segment.length;
    }
    const body: ReplayUploadRequest = { protocol: 1, segments };
    const result = await post(target(SERVER_ROUTES.replayUpload), JSON.stringify(body), { atExit });
    if (result.kind === 'answered' && result.status === 409) {
      // The load's events have not reached the server yet: try again after them.
      return { kind: 'retry', status: 409, retryAfterMs: null };
    }
    if (result.kind === 'answered' || result.kind === 'refused') {
      for (const segment of segments) {
        const at = replayQueue.indexOf(segment);
        if (at >= 0) replayQueue.splice(at, 1);
      }
    }
    return result;
  };
  const replay = channel(sendReplay);

  /** Sends what is queued at once, as keepalive requests (the page may be gone before a timer fires). */
  const sendAllNow = guard(() => {
    // Events first (the replay of a load needs its events), each stream from its first unacknowledged event;
    // a request already in flight may overlap: the server stores each event once.
    let budget = KEEPALIVE_MAX_BYTES;
    for (const stream of streams.values()) {
      if (!stream.pending.length || budget <= 0) continue;
      const batch = batchOf(stream, Math.min(KEEPALIVE_MAX_BYTES, budget) - 512);
      budget -= batch.json.length;
      void post(target(SERVER_ROUTES.sdkBatch), batch.json, { atExit: true }).then(guard((result: PostResult) => acknowledge(stream, result, batch)));
    }
    if (replayQueue.length) void sendReplay(true);
  });

  const onPageShow = guard((event: PageTransitionEvent) => {
    if (event.persisted) leaving = false;
  });
  addEventListener('pageshow', onPageShow, { capture: true });

  const unsubscribe = lifeCycle.subscribe(
    'event',
    guard((event: RumEvent) => {
      const sessionId = options.sessionId();
      if (!sessionId || stopped) return;
      // The transport's own requests are not the app's.
      if ((event.type === 'resource' || event.type === 'api') && event.url.startsWith(intakePrefix)) return;
      const stream = streamOf(sessionId);
      stream.pending.push({ seq: stream.nextSeq++, event, json: JSON.stringify(event) });
      const total = [...streams.values()].reduce((n, s) => n + s.pending.length, 0);
      if (total > QUEUE_MAX_EVENTS) {
        const oldest = [...streams.values()].find((s) => s.pending.length)!;
        // Its seq is consumed: the server is told where the stream goes on by the gap answer.
        oldest.pending.shift();
        dropped++;
      }
      if (leaving) sendAllNow();
      else if (stream.pending.length >= BATCH_MAX_EVENTS || queuedChars() >= BATCH_MAX_CHARS) events.now();
      else events.soon(flushDelayMs);
    }),
  );

  return {
    /** A replay segment (the JSON of a ReplaySegmentPayload) of the session `sessionId`. */
    sendSegment: guard((sessionId: string, segment: string) => {
      if (stopped) return;
      const stream = streamOf(sessionId);
      replayQueue.push({ loadId: stream.loadId, seq: stream.nextReplaySeq++, segment });
      if (replayQueue.length > REPLAY_QUEUE_MAX_SEGMENTS) replayQueue.shift();
      if (leaving) sendAllNow();
      else replay.soon(flushDelayMs);
    }),
    leave(persisted?: boolean) {
      leaving = !persisted;
      sendAllNow();
    },
    handOver: () => sendAllNow(),
    dropped: () => dropped,
    /** Events queued and not yet acknowledged (for tests and getInternalContext-style checks). */
    pendingEvents: () => [...streams.values()].reduce((n, s) => n + s.pending.length, 0),
    stop() {
      sendAllNow();
      stopped = true;
      events.stop();
      replay.stop();
      unsubscribe();
      removeEventListener('pageshow', onPageShow, { capture: true });
    },
  };
}

export type HttpTransport = ReturnType<typeof startHttpTransport>;
