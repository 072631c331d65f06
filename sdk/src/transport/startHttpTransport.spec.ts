// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RumEvent, SdkBatchRequest } from '../../schema';
import { createLifeCycle } from '../lifeCycle';
import { createGuard } from '../tools/guard';
import type { PostResult } from './postToIntake';
import { startHttpTransport } from './startHttpTransport';

const click = (i: number) => ({ type: 'action', time: i, tz: 0, viewId: 'v', action: 'click', name: `c${i}`, selector: '#b', x: 0, y: 0, rage: false, dead: false, errorClick: false }) as RumEvent;

/** A server as the real one answers: per load, the next seq expected; a batch past it is a gap. */
function fakeServer(fail: (call: number) => PostResult | null = () => null) {
  const nextSeq = new Map<string, number>();
  const stored: { loadId: string; seq: number; name: string; session?: string }[] = [];
  const calls: { url: string; atExit: boolean; body: SdkBatchRequest }[] = [];
  const post = vi.fn(async (target: { url: string }, json: string, options: { atExit?: boolean } = {}): Promise<PostResult> => {
    const body = JSON.parse(json) as SdkBatchRequest;
    calls.push({ url: target.url, atExit: !!options.atExit, body });
    const failure = fail(calls.length);
    if (failure) return failure;
    const next = nextSeq.get(body.loadId) ?? 0;
    if (body.first > next) return { kind: 'answered', status: 409, body: { status: 'gap', upTo: next } };
    body.events.forEach((event, i) => {
      const seq = body.first + i;
      if (seq >= next) stored.push({ loadId: body.loadId, seq, name: (event as { name: string }).name, session: body.sessionId });
    });
    const upTo = Math.max(next, body.first + body.events.length);
    nextSeq.set(body.loadId, upTo);
    return { kind: 'answered', status: 200, body: { status: 'stored', upTo, stored: 0, session: { sampled: true, replay: false } } };
  });
  return { post, stored, calls };
}

describe('startHttpTransport', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const start = (server: ReturnType<typeof fakeServer>, sessionId = () => 's1' as string | undefined) => {
    const lifeCycle = createLifeCycle((error) => {
      throw error;
    });
    const transport = startHttpTransport(lifeCycle, createGuard(() => {}), {
      baseUrl: 'https://rum.test',
      token: 't',
      sessionId,
      visitorId: () => 'visitor-1',
      pageUrl: () => 'https://app.test/',
      flushDelayMs: 1000,
      post: server.post,
    });
    return { lifeCycle, transport };
  };

  it('batches after the delay, retries a 503 with growing backoff, and the server gets every event once, in order', async () => {
    const server = fakeServer((call) => (call <= 3 ? { kind: 'retry', status: 503, retryAfterMs: null } : null));
    const { lifeCycle, transport } = start(server);
    for (let i = 0; i < 5; i++) lifeCycle.notify('event', click(i));
    expect(server.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(server.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(499);
    expect(server.calls).toHaveLength(1); // first retry after 0.5 s
    await vi.advanceTimersByTimeAsync(1);
    expect(server.calls).toHaveLength(2);
    lifeCycle.notify('event', click(5));
    await vi.advanceTimersByTimeAsync(1000);
    expect(server.calls).toHaveLength(3); // then 1 s
    await vi.advanceTimersByTimeAsync(2000);
    expect(server.calls).toHaveLength(4); // then 2 s: this one is stored
    await vi.advanceTimersByTimeAsync(5000);
    expect(server.stored.map((e) => e.name)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5']);
    expect(new Set(server.stored.map((e) => e.session))).toEqual(new Set(['s1']));
    expect(server.calls.every((c) => c.url === 'https://rum.test/api/intake/batch' && !c.atExit)).toBe(true);
    // Every batch names the site's visitor (new vs returning users on the server).
    expect(new Set(server.calls.map((c) => c.body.visitorId))).toEqual(new Set(['visitor-1']));
    expect(transport.pendingEvents()).toBe(0);
    transport.stop();
  });

  it('at pagehide sends what is queued at once as a keepalive request, overlapping a request in flight harmlessly', async () => {
    const server = fakeServer();
    const { lifeCycle, transport } = start(server);
    lifeCycle.notify('event', click(0));
    lifeCycle.notify('event', click(1));
    transport.leave(false);
    expect(server.calls.map((c) => [c.atExit, c.body.first, c.body.events.length])).toEqual([[true, 0, 2]]);
    lifeCycle.notify('event', click(2)); // after pagehide (view_end, a late vital): sent at once
    expect(server.calls.at(-1)!.atExit).toBe(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(server.stored.map((e) => e.name)).toEqual(['c0', 'c1', 'c2']);
    transport.stop();
  });

  it('starts a new load for a new session, drops a batch the server refuses (counted), and renumbers after a gap', async () => {
    let session = 's1';
    let refuse = true;
    const server = fakeServer((call) => (call === 1 && refuse ? { kind: 'refused', status: 400 } : null));
    const { lifeCycle, transport } = start(server, () => session);
    lifeCycle.notify('event', click(0));
    await vi.advanceTimersByTimeAsync(1000);
    refuse = false;
    expect(transport.dropped()).toBe(1);
    lifeCycle.notify('event', click(1)); // seq 1 on a load the server has seen nothing of: a gap, then renumbered
    await vi.advanceTimersByTimeAsync(3000);
    session = 's2';
    lifeCycle.notify('event', click(2));
    await vi.advanceTimersByTimeAsync(3000);
    expect(server.stored.map((e) => [e.name, e.seq, e.session])).toEqual([['c1', 0, 's1'], ['c2', 0, 's2']]);
    expect(new Set(server.stored.map((e) => e.loadId)).size).toBe(2);
    transport.stop();
  });

  it('leaves out its own intake requests (resource timing, fetch tracking)', async () => {
    const server = fakeServer();
    const { lifeCycle, transport } = start(server);
    lifeCycle.notify('event', { type: 'resource', time: 1, tz: 0, viewId: 'v', url: 'https://rum.test/api/intake/batch', resourceType: 'fetch', duration: 1, timing: null, transferSize: null, renderBlocking: null } as RumEvent);
    lifeCycle.notify('event', click(0));
    await vi.advanceTimersByTimeAsync(1000);
    expect(server.stored.map((e) => e.name)).toEqual(['c0']);
    transport.stop();
  });
});
