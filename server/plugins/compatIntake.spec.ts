import { deflateSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SERVER_ROUTES, type CompatIntakeResponse, type CreateApplicationResponse, type SessionDetailResponse, type SessionListResponse } from '../../sdk/schema';
import { ADMIN, countRows, login, memberHeaders, seedAdmin, startTestApp, type Login, type TestApp } from '../testing/harness';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../testing/testStores';

const PAGE = 'http://shop.test/';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

/** Events shaped as @datadog/browser-rum 7.x sends them (only the fields the intake reads, plus some noise). */
const view = (date: number, extra: Record<string, unknown> = {}) => ({
  type: 'view',
  date,
  application: { id: 'app' },
  session: { id: 'peer-session-1', type: 'user', has_replay: false },
  view: { id: 'view-1', url: PAGE, referrer: '', loading_type: 'initial_load', first_contentful_paint: 120_000_000, action: { count: 1 }, error: { count: 0 }, resource: { count: 0 }, long_task: { count: 0 }, is_active: true, ...extra },
  usr: { id: 'u1', email: 'buyer@example.com' },
  context: { plan: 'gold' },
  service: 'shop',
  version: '2.0.0',
  ddtags: 'env:prod,service:shop',
  display: { viewport: { width: 1280, height: 720 } },
  _dd: { format_version: 2, document_version: 1, browser_sdk_version: '7.16.2' },
});
const click = (date: number, id: string) => ({
  type: 'action',
  date,
  session: { id: 'peer-session-1' },
  view: { id: 'view-1', url: PAGE },
  action: { id, type: 'click', target: { name: 'Buy' } },
  _dd: { action: { target: { selector: '#buy' }, position: { x: 3, y: 4 } } },
});
const ndjson = (events: unknown[]) => events.map((e) => JSON.stringify(e)).join('\n');

describe.each(DIALECTS)('compatible intake on %s', { timeout: 60_000 }, (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let admin: Login;
  let clientToken: string;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestApp(database, { maxUploadBytes: 64 * 1024, uploadsPerMinute: 1000 });
    await seedAdmin(t.store);
    admin = await login(t.app, ADMIN.email, ADMIN.password);
    const created = await t.app.inject({ method: 'POST', url: SERVER_ROUTES.applications, headers: memberHeaders(admin), payload: { name: 'shop' } });
    expect(created.statusCode).toBe(201);
    clientToken = created.json<CreateApplicationResponse>().clientToken;
  });
  afterEach(async () => {
    await t.close();
    await database.drop();
  });

  const datadogUrl = (track = 'rum', token = clientToken, extra = '') => `/api/v2/${track}?ddsource=browser&dd-api-key=${token}&dd-evp-origin=browser&dd-request-id=r1${extra}`;
  const post = (url: string, payload: string | Buffer, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': UA, ...headers } });
  const sessions = async () => (await t.app.inject({ method: 'GET', url: SERVER_ROUTES.sessions, headers: memberHeaders(admin) })).json<SessionListResponse>().items;
  const stored = async () => ({ sessions: await countRows(t.store, 'sessions'), events: await countRows(t.store, 'events') });

  it('maps a batch onto one session, and stores a retried batch and a repeated view update once', async () => {
    const now = Date.now() - 5000;
    const batch = ndjson([view(now), click(now + 10, 'a1'), view(now + 20, { is_active: true })]);
    const first = await post(datadogUrl('rum', clientToken, '&dd-evp-encoding=deflate&_dd.api=fetch'), deflateSync(batch));
    expect(first.statusCode).toBe(202);
    expect(first.headers['access-control-allow-origin']).toBe('*');
    expect(first.json<CompatIntakeResponse>()).toMatchObject({ received: 3, refused: 0 });
    const afterFirst = await stored();
    // The SDK's retry of the same payload (its retry counters are in the query).
    const retry = await post(datadogUrl('rum', clientToken, '&dd-evp-encoding=deflate&_dd.retry_count=1&_dd.retry_after=500'), deflateSync(batch));
    expect(retry.json<CompatIntakeResponse>()).toMatchObject({ received: 3, stored: 0 });
    expect(await stored()).toEqual(afterFirst);
    // The view ends: one view_end and its final vitals, nothing else twice.
    await post(datadogUrl(), ndjson([view(now + 30, { is_active: false, time_spent: 3_000_000_000, cumulative_layout_shift: 0.02 })]));
    const [item] = await sessions();
    expect(item!.session).toMatchObject({
      id: expect.stringMatching(/^dd-/),
      site: 'http://shop.test',
      sdk: { name: 'datadog', version: '7.16.2' },
      counts: { views: 1, actions: 1 },
      user: { id: 'u1', email: 'buyer@example.com' },
      global: { plan: 'gold' },
      app: { service: 'shop', env: 'prod', version: '2.0.0' },
      browser: { name: 'Chrome' },
    });
    const detail = (await t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.sessions}/${item!.session.id}`, headers: memberHeaders(admin) })).json<SessionDetailResponse>();
    expect(detail.events.map((e) => (e.type === 'vital' ? `vital:${e.name}` : e.type))).toEqual(['view', 'context', 'vital:FCP', 'action', 'vital:CLS', 'view_end']);
    expect(detail.events.find((e) => e.type === 'view_end')).toMatchObject({ timeSpent: 3000 });
    expect(detail.events.find((e) => e.type === 'action')).toMatchObject({ name: 'Buy', selector: '#buy', x: 3, y: 4 });
  });

  it('takes the OpenObserve paths, the proxy forms and gzip, and keeps two peer sessions apart', async () => {
    const now = Date.now() - 5000;
    const oo = await post(`/rum/v1/shop-org/rum?o2source=browser&o2-api-key=${clientToken}&o2-evp-origin-version=0.4.1`, ndjson([view(now)]));
    expect(oo.statusCode).toBe(202);
    const other = { ...view(now + 5), session: { id: 'peer-session-2', type: 'user' }, view: { id: 'view-9', url: PAGE } };
    const proxied = await post(`${'/api/compat/proxy'}?ddforward=${encodeURIComponent(datadogUrl('rum'))}`, gzipSync(ndjson([other])), { 'content-encoding': 'gzip' });
    expect(proxied.statusCode).toBe(202);
    const list = await sessions();
    expect(list.map((i) => i.session.sdk?.name).sort()).toEqual(['datadog', 'openobserve']);
    expect(list.every((i) => i.session.counts.views === 1)).toBe(true);
    const only = (sdk: string) => t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.sessions}?sdk=${sdk}`, headers: memberHeaders(admin) }).then((r) => r.json<SessionListResponse>().items.map((i) => i.session.sdk?.name ?? 'rumscope'));
    expect(await only('datadog')).toEqual(['datadog']);
    expect(await only('rumscope')).toEqual([]);
    const o2proxy = await post(`/api/compat/proxy?o2forward=${encodeURIComponent(`/rum/v1/default/rum?o2-api-key=${clientToken}`)}`, ndjson([view(now + 10)]));
    expect(o2proxy.statusCode).toBe(202);
    expect(await sessions()).toHaveLength(2);
  });

  it('files logs under the RUM session they name, and keeps a replay segment once, saying why it does not play', async () => {
    const now = Date.now() - 5000;
    await post(datadogUrl(), ndjson([view(now)]));
    const log = { date: now + 1, message: 'payment refused', status: 'error', origin: 'logger', session_id: 'peer-session-1', view: { id: 'view-1', url: PAGE }, error: { kind: 'PaymentError', stack: 'PaymentError: x' } };
    expect((await post(`/api/v2/logs?dd-api-key=${clientToken}`, ndjson([log, { ...log, status: 'warn', message: 'slow' }]))).statusCode).toBe(202);
    const segment = deflateSync(JSON.stringify({ records: [{ type: 4, timestamp: now, data: { href: PAGE, width: 1, height: 1 } }, { type: 2, format: 1, timestamp: now, data: [[1, [null, '#document']]] }] }));
    const meta = { application: { id: 'app' }, session: { id: 'peer-session-1' }, view: { id: 'view-1' }, start: now, end: now, records_count: 2, index_in_view: 0, has_full_snapshot: true, source: 'browser', creation_reason: 'init' };
    const form = () => {
      const data = new FormData();
      data.append('segment', new Blob([segment], { type: 'application/octet-stream' }), 'peer-session-1-1');
      data.append('event', new Blob([JSON.stringify(meta)], { type: 'application/json' }));
      return data;
    };
    const send = async () => {
      const request = new Request('http://x/', { method: 'POST', body: form() });
      return post(datadogUrl('replay'), Buffer.from(await request.arrayBuffer()), { 'content-type': request.headers.get('content-type')! });
    };
    expect((await send()).json<CompatIntakeResponse>()).toMatchObject({ stored: 1 });
    expect((await send()).json<CompatIntakeResponse>()).toMatchObject({ stored: 0 });
    const [item] = await sessions();
    expect(item!.session).toMatchObject({ counts: { errors: 1 }, replay: true, foreignReplay: { format: 'datadog-change', segments: 1, records: 2 } });
    expect(item!.session.foreignReplay!.reason).toMatch(/change records/);
  });

  it('refuses a missing, wrong or revoked client token before reading the body, and a member upload token', async () => {
    const body = ndjson([view(Date.now())]);
    expect((await post('/api/v2/rum?ddsource=browser', body)).statusCode).toBe(401);
    expect((await post(datadogUrl('rum', 'rsc_wrong'), body)).statusCode).toBe(403);
    const { token: memberToken } = await seedMemberToken(t);
    expect((await post(datadogUrl('rum', memberToken), body)).statusCode).toBe(403);
    const apps = (await t.app.inject({ method: 'GET', url: SERVER_ROUTES.applications, headers: memberHeaders(admin) })).json<{ items: { id: string }[] }>().items;
    expect((await t.app.inject({ method: 'DELETE', url: `${SERVER_ROUTES.applications}/${apps[0]!.id}`, headers: memberHeaders(admin) })).statusCode).toBe(204);
    expect((await post(datadogUrl(), body)).statusCode).toBe(403);
    expect(await stored()).toEqual({ sessions: 0, events: 0 });
    // The client token cannot read.
    expect((await t.app.inject({ method: 'GET', url: `${SERVER_ROUTES.sessions}?dd-api-key=${clientToken}` })).statusCode).toBe(401);
  });

  it('answers every malformed body of every endpoint with a 4xx and stores nothing', async () => {
    const now = Date.now();
    const big = 'x'.repeat(70 * 1024);
    const bomb = deflateSync(Buffer.alloc(8 * 1024 * 1024, 32));
    let deep: unknown = {};
    for (let i = 0; i < 40; i++) deep = { a: deep };
    const rumBodies: [string, string | Buffer, Record<string, string>?, string?][] = [
      ['empty', ''],
      ['not JSON', 'hello'],
      ['a JSON array', '[1,2]'],
      ['truncated JSON', '{"type":"view","date":'],
      ['no session', JSON.stringify({ ...view(now), session: {} })],
      ['no view', JSON.stringify({ ...view(now), view: null })],
      ['a javascript: page', JSON.stringify({ ...view(now), view: { id: 'v', url: 'javascript:alert(1)' } })],
      ['unknown type only', JSON.stringify({ ...view(now), type: 'bogus' })],
      ['too deep', JSON.stringify(deep)],
      ['forbidden key', '{"__proto__":{"x":1},"type":"view"}'],
      ['not UTF-8', Buffer.from([0xff, 0xfe, 0xfd])],
      ['too large', big],
      ['a deflate bomb', bomb, {}, '&dd-evp-encoding=deflate'],
      ['truncated deflate', deflateSync(ndjson([view(now)])).subarray(0, 10), {}, '&dd-evp-encoding=deflate'],
      ['deflate that is not', 'plain text', {}, '&dd-evp-encoding=deflate'],
      ['an unknown encoding', ndjson([view(now)]), {}, '&dd-evp-encoding=br'],
      ['SQL in the session id', JSON.stringify({ ...view(now), session: { id: "x'); DROP TABLE sessions;--" }, view: { id: '../../etc/passwd', url: 'http://a/' }, date: 'x' })],
    ];
    const statuses: string[] = [];
    for (const track of ['rum', 'logs']) {
      for (const [name, payload, headers, query] of rumBodies) {
        for (const url of [datadogUrl(track, clientToken, query ?? ''), `/rum/v1/org/${track}?o2-api-key=${clientToken}${(query ?? '').replace('dd-', 'o2-')}`]) {
          const response = await post(url, payload, headers);
          statuses.push(`${track} ${name}: ${response.statusCode}`);
          expect(response.statusCode, `${url} ${name}`).toBeGreaterThanOrEqual(400);
          expect(response.statusCode, `${url} ${name}`).toBeLessThan(500);
          expect(response.statusCode, `${url} ${name}`).not.toBe(429);
        }
      }
    }
    const replayBodies: [string, Buffer, string][] = [
      ['not multipart', Buffer.from('hello'), 'text/plain'],
      ['a broken multipart', Buffer.from('--zz\r\nnope'), 'multipart/form-data; boundary=zz'],
      ...(await replayCorpus(now)),
    ];
    for (const [name, payload, type] of replayBodies) {
      for (const url of [datadogUrl('replay'), `/rum/v1/org/replay?o2-api-key=${clientToken}`]) {
        const response = await post(url, payload, { 'content-type': type });
        expect(response.statusCode, `${url} ${name}`).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, `${url} ${name}`).toBeLessThan(500);
      }
    }
    for (const url of ['/api/compat/proxy', '/api/compat/proxy?ddforward=https://evil.test/api/v2/rum', `/api/compat/proxy?ddforward=${encodeURIComponent('/api/v2/../admin?dd-api-key=' + clientToken)}`, `/api/v2/profile?dd-api-key=${clientToken}`]) {
      const response = await post(url, ndjson([view(now)]));
      expect(response.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, url).toBeLessThan(500);
    }
    expect(statuses.length).toBeGreaterThan(60);
    expect(await stored()).toEqual({ sessions: 0, events: 0 });
    expect(Number((await t.store.db.selectFrom('foreign_replay_segments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBe(0);
  }, 120_000);

  it('rate-limits an application per client address with Retry-After', async () => {
    await t.close();
    t = await startTestApp(database, { uploadsPerMinute: 5 });
    let last = 0;
    let retryAfter: string | undefined;
    for (let i = 0; i < 7 && last !== 429; i++) {
      const response = await post(datadogUrl(), ndjson([click(Date.now(), `c${i}`)]));
      last = response.statusCode;
      retryAfter = response.headers['retry-after'] as string | undefined;
    }
    expect(last).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  }, 60_000);
});

async function seedMemberToken(t: TestApp): Promise<{ token: string }> {
  const { createUploadToken, createUser } = await import('../accounts/accounts');
  const user = await createUser(t.store, { email: 'member@example.com', password: 'another long password', role: 'member' });
  return createUploadToken(t.store, user.id, 'laptop');
}

/** Multipart bodies that are well-formed as multipart but wrong as replay segments. */
async function replayCorpus(now: number): Promise<[string, Buffer, string][]> {
  const meta = { session: { id: 's' }, view: { id: 'v' }, start: now, end: now, records_count: 1, index_in_view: 0 };
  const cases: [string, [string, Blob][]][] = [
    ['no event part', [['segment', new Blob([deflateSync('{"records":[]}')])]]],
    ['no segment part', [['event', new Blob([JSON.stringify(meta)])]]],
    ['event not JSON', [['segment', new Blob([deflateSync('{}')])], ['event', new Blob(['{nope'])]]],
    ['no session in the event', [['segment', new Blob([deflateSync('{"records":[{"type":2,"timestamp":1}]}')])], ['event', new Blob([JSON.stringify({ ...meta, session: {} })])]]],
    ['segment not deflate', [['segment', new Blob(['plain'])], ['event', new Blob([JSON.stringify(meta)])]]],
    ['segment without records', [['segment', new Blob([deflateSync('{"records":[]}')])], ['event', new Blob([JSON.stringify(meta)])]]],
    ['segment bomb', [['segment', new Blob([deflateSync(Buffer.alloc(8 * 1024 * 1024, 32))])], ['event', new Blob([JSON.stringify(meta)])]]],
    ['end before start', [['segment', new Blob([deflateSync('{"records":[{"type":2,"timestamp":1}]}')])], ['event', new Blob([JSON.stringify({ ...meta, end: now - 10 })])]]],
  ];
  const out: [string, Buffer, string][] = [];
  for (const [name, parts] of cases) {
    const form = new FormData();
    for (const [key, blob] of parts) form.append(key, blob, key);
    const request = new Request('http://x/', { method: 'POST', body: form });
    out.push([name, Buffer.from(await request.arrayBuffer()), request.headers.get('content-type')!]);
  }
  return out;
}
