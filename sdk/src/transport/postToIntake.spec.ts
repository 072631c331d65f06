import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { UPLOAD_TOKEN_HEADER } from '../../schema';
import { backoffMs, postToIntake } from './postToIntake';

const target = { url: 'http://127.0.0.1:8787/api/sdk/batch', token: 'rst_upload_token' };

/** A fetch that records each request and answers with `status` (and `headers`). */
function recordingFetch(status = 202, headers: Record<string, string> = {}, answer: unknown = { ok: true }) {
  const requests: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    requests.push({ url, init });
    return new Response(status === 204 ? null : JSON.stringify(answer), { status, headers });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, requests };
}

const bodyText = (body: BodyInit | null | undefined) =>
  typeof body === 'string' ? body : gunzipSync(Buffer.from(body as Uint8Array)).toString('utf8');

describe('postToIntake', () => {
  it('gzips a batch of 1 KB or more, with its token and content-encoding; the server reads back the same JSON', async () => {
    const json = JSON.stringify({ events: Array.from({ length: 40 }, (_, i) => ({ type: 'action', name: `Add tea ${i}` })) });
    const { fetch, requests } = recordingFetch();
    expect(await postToIntake(target, json, { fetch })).toEqual({ kind: 'answered', status: 202, body: { ok: true } });
    const { init } = requests[0]!;
    const headers = init.headers as Record<string, string>;
    expect(headers).toMatchObject({ 'content-type': 'application/json', 'content-encoding': 'gzip', [UPLOAD_TOKEN_HEADER]: target.token });
    expect(init.body).toBeInstanceOf(Uint8Array);
    expect((init.body as Uint8Array).byteLength).toBeLessThan(json.length / 3);
    expect(bodyText(init.body)).toBe(json);
    expect(init).toMatchObject({ method: 'POST', credentials: 'omit', keepalive: true });
  });

  it('sends a small batch, and any batch at page exit, as plain JSON (at exit there is no time for a stream)', async () => {
    const big = JSON.stringify({ events: 'x'.repeat(5_000) });
    const { fetch, requests } = recordingFetch();
    await postToIntake(target, '{"events":[]}', { fetch });
    await postToIntake(target, big, { fetch, atExit: true });
    expect(requests.map((r) => [(r.init.headers as Record<string, string>)['content-encoding'], typeof r.init.body, r.init.keepalive])).toEqual([
      [undefined, 'string', true],
      [undefined, 'string', true],
    ]);
  });

  it('retries on a network error, 408, 429 (with its Retry-After) and 5xx; refuses other 4xx', async () => {
    const failing = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof globalThis.fetch;
    expect(await postToIntake(target, '{}', { fetch: failing })).toEqual({ kind: 'retry', status: 0, retryAfterMs: null });
    expect(await postToIntake(target, '{}', { fetch: recordingFetch(429, { 'retry-after': '7' }).fetch })).toEqual({ kind: 'retry', status: 429, retryAfterMs: 7_000 });
    expect(await postToIntake(target, '{}', { fetch: recordingFetch(408).fetch })).toMatchObject({ kind: 'retry', status: 408 });
    expect(await postToIntake(target, '{}', { fetch: recordingFetch(503).fetch })).toMatchObject({ kind: 'retry', status: 503 });
    expect(await postToIntake(target, '{}', { fetch: recordingFetch(401).fetch })).toEqual({ kind: 'refused', status: 401 });
    expect(await postToIntake(target, '{}', { fetch: recordingFetch(413).fetch })).toEqual({ kind: 'refused', status: 413 });
  });

  it('backs off 0.5 s, 1 s, 2 s … up to 30 s; a Retry-After wins, up to 5 minutes', () => {
    expect([0, 1, 2, 3, 10].map((n) => backoffMs(n, null))).toEqual([500, 1_000, 2_000, 4_000, 30_000]);
    expect(backoffMs(0, 7_000)).toBe(7_000);
    expect(backoffMs(0, 3_600_000)).toBe(300_000);
  });
});
