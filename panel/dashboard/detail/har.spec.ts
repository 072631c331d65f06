import { describe, expect, it } from 'vitest';
import { phasesOf } from './phases';
import type { StoredEvent } from '../../../sdk/schema';
import { harTime, harTimings, toHar, type Har } from './har';
import { events, payCall, session, T } from '../../../tests/unit/support/detailFixtures';

/**
 * HAR 1.2's required fields and types (the spec's "required" members, checked by hand: the project carries
 * no JSON schema package for it).
 */
function validateHar(har: Har): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => ok || problems.push(what);
  const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const isStr = (v: unknown) => typeof v === 'string';
  const isDate = (v: unknown) => isStr(v) && !Number.isNaN(Date.parse(v as string)) && /T.*(Z|[+-]\d\d:\d\d)$/.test(v as string);
  const pairs = (list: unknown, where: string) =>
    need(Array.isArray(list) && list.every((p) => isStr(p?.name) && isStr(p?.value)), `${where}: name/value pairs`);
  const log = har.log;
  need(log.version === '1.2', 'log.version');
  need(isStr(log.creator.name) && isStr(log.creator.version), 'log.creator');
  if (log.browser) need(isStr(log.browser.name) && isStr(log.browser.version), 'log.browser');
  const pageIds = new Set<string>();
  for (const p of log.pages) {
    need(isDate(p.startedDateTime) && isStr(p.id) && isStr(p.title), `page ${p.id}`);
    need(isNum(p.pageTimings.onLoad) && isNum(p.pageTimings.onContentLoad), `page ${p.id} timings`);
    pageIds.add(p.id);
  }
  log.entries.forEach((e, i) => {
    const at = `entry ${i}`;
    need(isDate(e.startedDateTime), `${at} startedDateTime`);
    need(e.pageref === undefined || pageIds.has(e.pageref), `${at} pageref`);
    need(isNum(e.time) && e.time >= 0, `${at} time`);
    const r = e.request;
    need(isStr(r.method) && isStr(r.url) && isStr(r.httpVersion) && isNum(r.headersSize) && isNum(r.bodySize), `${at} request`);
    pairs(r.headers, `${at} request.headers`);
    pairs(r.queryString, `${at} request.queryString`);
    need(Array.isArray(r.cookies), `${at} request.cookies`);
    if (r.postData) need(isStr(r.postData.mimeType), `${at} postData`);
    const s = e.response;
    need(isNum(s.status) && isStr(s.statusText) && isStr(s.httpVersion) && isStr(s.redirectURL) && isNum(s.headersSize) && isNum(s.bodySize), `${at} response`);
    pairs(s.headers, `${at} response.headers`);
    need(Array.isArray(s.cookies), `${at} response.cookies`);
    need(isNum(s.content.size) && isStr(s.content.mimeType), `${at} content`);
    need(typeof e.cache === 'object', `${at} cache`);
    const t = e.timings;
    need([t.send, t.wait, t.receive].every((v) => isNum(v) && v >= 0), `${at} send/wait/receive`);
    need([t.blocked, t.dns, t.connect, t.ssl].every((v) => isNum(v) && (v === -1 || v >= 0)), `${at} optional timings`);
    need(Math.abs(harTime(t) - e.time) < 0.05, `${at} time = sum of timings`);
  });
  return problems;
}

describe('HAR export', () => {
  const har = toHar(session, events, { version: '0.1.0' });

  it('is valid HAR 1.2 with one page per view and one entry per API call and resource', () => {
    expect(validateHar(har)).toEqual([]);
    expect(har.log.pages.map((p) => [p.id, p.title, p.pageTimings.onLoad])).toEqual([
      ['v1', 'Shop', 310],
      ['v2', 'Checkout', 20],
      ['v3', 'Checkout', 200],
    ]);
    expect(har.log.entries.map((e) => [e.request.method, e.request.url, e.response.status, e._resourceType, e.pageref])).toEqual([
      ['GET', 'http://127.0.0.1:5173/app.js', 0, 'script', 'v1'],
      ['GET', 'https://cdn.test/font.woff2', 0, 'font', 'v1'],
      ['POST', payCall.url, 500, 'fetch', 'v2'],
    ]);
    expect(har.log.creator).toEqual({ name: 'Rumscope', version: '0.1.0' });
    expect(har.log.browser).toEqual({ name: 'Chrome', version: '131.0' });
  });

  it('carries headers and bodies with secrets redacted', () => {
    const pay = har.log.entries[2]!;
    expect(pay.startedDateTime).toBe(new Date(T + 5_000).toISOString());
    expect(pay.request.headers).toEqual([
      { name: 'Content-Type', value: 'application/json' },
      { name: 'Authorization', value: 'REDACTED' },
      { name: 'X-Trace', value: "it's" },
    ]);
    expect(pay.request.queryString).toEqual([
      { name: 'token', value: 'REDACTED' },
      { name: 'cart', value: '7' },
    ]);
    expect(pay.request.postData).toEqual({ mimeType: 'application/json', text: '{"amount":"12.50"}' });
    expect(pay.response.headers).toEqual([
      { name: 'content-type', value: 'application/json' },
      { name: 'set-cookie', value: 'REDACTED' },
    ]);
    expect(pay.response.content).toEqual({ size: 27, mimeType: 'application/json', text: '{"error":"card declined"}' });
    expect(JSON.stringify(har)).not.toContain('sekret');
    expect(JSON.stringify(har)).not.toContain('sid=1');
  });

  it.each([
    ['full breakdown', 120, { dns: 2, connect: 10, tls: 4, request: 80, response: 8 }, { blocked: 20, dns: 2, connect: 10, ssl: 4, send: 0, wait: 80, receive: 8 }, 120],
    ['no breakdown (cross-origin)', 40, null, { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: 40, receive: 0 }, 40],
    ['partial breakdown', 30, { dns: null, connect: null, tls: 0, request: 25, response: 5 }, { blocked: 0, dns: -1, connect: -1, ssl: 0, send: 0, wait: 25, receive: 5 }, 30],
  ] as const)('timings: %s', (_, duration, timing, expected, time) => {
    const t = harTimings(duration, timing);
    expect(t).toEqual(expected);
    expect(harTime(t)).toBe(time);
  });

  it("lists a fetch once, as its API call, even when its Resource Timing entry comes first (Firefox's clock)", () => {
    const load = events.find((e) => e.type === 'api')!.loadId;
    const timingOf = (url: string, ms: number): StoredEvent => ({
      ...events[1]!,
      seq: 900 + ms,
      time: T + ms,
      viewId: 'v2',
      loadId: load,
      type: 'resource',
      url,
      resourceType: 'fetch',
      duration: 120,
      timing: null,
      transferSize: 27,
      renderBlocking: null,
    } as StoredEvent);
    const beacon = 'http://127.0.0.1:5173/api/beacon';
    const withTimings = toHar(session, [...events, timingOf(payCall.url, 4_999), timingOf(beacon, 6_000)]);
    expect(validateHar(withTimings)).toEqual([]);
    expect(withTimings.log.entries.filter((e) => e.request.url === payCall.url).map((e) => e.response.status)).toEqual([500]);
    // A fetch with no API call of its own (the call was not captured) stays, status unknown.
    expect(withTimings.log.entries.filter((e) => e.request.url === beacon).map((e) => [e.response.status, e._resourceType])).toEqual([[0, 'fetch']]);
  });

  it('handles a session without network entries', () => {
    const empty = toHar({ ...session, browser: { name: null, version: null } }, []);
    expect(validateHar(empty)).toEqual([]);
    expect(empty.log.entries).toEqual([]);
    expect(empty.log.browser).toBeUndefined();
  });
});

describe('phases', () => {
  it.each([
    ['breakdown', 120, { dns: 2, connect: 10, tls: 4, request: 80, response: 8 }, [['queue', 0, 20], ['dns', 20, 2], ['connect', 22, 6], ['tls', 28, 4], ['request', 32, 80], ['response', 112, 8]]],
    ['hidden breakdown', 40, null, [['request', 0, 40]]],
    ['zero duration', 0, null, []],
    ['no queue, reused connection', 10, { dns: 0, connect: 0, tls: 0, request: 7, response: 3 }, [['request', 0, 7], ['response', 7, 3]]],
  ] as const)('%s', (_, duration, timing, expected) => {
    expect(phasesOf(duration, timing).map((p) => [p.name, p.start, p.duration])).toEqual(expected);
  });
});
