/** The dashboard's HTTP SessionSource against a real server on 127.0.0.1 (SQLite file), with a member's cookie. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_ROUTES } from '../../sdk/schema';
import type { SourceChange } from '../../panel/source/SessionSource';
import { startServer, type RunningServer } from '../main';
import { ADMIN, seedAdmin, uploadHeaders } from '../testing/harness';
import { keptAssetRef, makeAssetBody, makeEvents, makeSession, makeUpload, skippedAssetRef } from '../testing/fixtures';
import { createTestDatabase, testConfig, type TestDatabase } from '../testing/testStores';
import { createHttpSessionSource } from './httpSessionSource';

const T0 = 1_700_000_000_000;

describe('the dashboard over HTTP', () => {
  let database: TestDatabase;
  let server: RunningServer;
  let token: string;
  let cookie: string;
  let staticDir: string;

  const upload = (ids: string[], start = T0) =>
    fetch(server.url + SERVER_ROUTES.upload, {
      method: 'POST',
      headers: uploadHeaders(token),
      body: JSON.stringify(makeUpload(ids.map((id, i) => ({ session: makeSession(id, start + i * 1000, { lastEventAt: start + i * 1000 + (i + 1) * 10_000 }), events: makeEvents(id, `l-${id}`, start + i * 1000, 3) })))),
    });

  beforeAll(async () => {
    staticDir = mkdtempSync(join(tmpdir(), 'rumscope-static-'));
    mkdirSync(join(staticDir, 'assets'));
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>dash</title>');
    writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    database = await createTestDatabase('sqlite');
    server = await startServer(testConfig(database.url, { staticDir }));
    ({ token } = await seedAdmin(server.store));
    const login = await fetch(server.url + SERVER_ROUTES.login, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect((await upload(['a', 'b', 'c'])).status).toBe(201);
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
    rmSync(staticDir, { recursive: true, force: true });
  });

  const source = () =>
    createHttpSessionSource({ baseUrl: server.url, pollMs: 50, fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), cookie } }) });

  it('lists, counts, sorts and reads sessions and their events', async () => {
    const s = source();
    expect((await s.listSessions({})).sessions.map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect((await s.listSessions({ offset: 1, limit: 1 })).sessions.map((r) => r.id)).toEqual(['b']);
    expect((await s.listSessions({ sort: { key: 'timeSpent', direction: 'desc' } })).sessions.map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(await s.countSessions({ startedFrom: T0 + 1000 })).toBe(2);
    expect((await s.getSession('b'))?.id).toBe('b');
    expect(await s.getSession('nope')).toBeNull();
    expect((await s.getEvents('a', { types: ['action'] })).map((e) => e.type)).toEqual(['action']);
    expect(await s.getTabInfo(3)).toEqual({ tabId: 3, currentSessionId: null, dropped: 0, droppedByReason: {} });
    expect((await s.listSessions({ sort: { key: 'errors', direction: 'asc' }, filter: { errors: { preset: 'some' } } })).sessions.map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(await s.countSessions({ errors: { preset: 'none' } })).toBe(0);
  });

  it('reports sessions uploaded after it started watching', async () => {
    const s = source();
    const changes: SourceChange[] = [];
    const stop = s.watchChanges((change) => changes.push(change));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(changes).toEqual([]);
    expect((await upload(['d'], T0 + 60_000)).status).toBe(201);
    await expect.poll(() => changes.flatMap((c) => (c.sessions === 'all' ? [] : [...(c.sessions ?? [])])), { timeout: 5000 }).toContain('d');
    stop();
  });

  it('fails a read without a login with the server’s message', async () => {
    const anonymous = createHttpSessionSource({ baseUrl: server.url });
    await expect(anonymous.listSessions({})).rejects.toThrow('log in first');
  });

  it('serves the built dashboard at / and its assets, and nothing outside the folder', async () => {
    const page = await fetch(server.url + '/');
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<title>dash</title>');
    expect((await fetch(server.url + '/assets/app.js')).status).toBe(200);
    expect((await fetch(server.url + '/assets/..%2f..%2fpackage.json')).status).toBe(404);
    expect((await fetch(server.url + '/assets/%2e%2e/%2e%2e/index.html')).status).toBe(404);
  });

  it("reads a session's kept replay assets as the player wants them: its references and each body once", async () => {
    const font = makeAssetBody('wOF2 pretend font', 'font/woff2');
    const css = makeAssetBody('.x { background: url(font.woff2) }', 'text/css');
    const bundle = {
      ...makeUpload([{ session: makeSession('with-assets', T0 + 90_000), events: [], assets: [keptAssetRef('https://a.test/x.css', 'stylesheet', css), keptAssetRef('https://a.test/f.woff2', 'css', font), keptAssetRef('https://b.test/f.woff2', 'css', font), skippedAssetRef('https://a.test/p.png', 'http', '404')] }]),
      assetBodies: [css, font],
    };
    expect((await fetch(server.url + SERVER_ROUTES.upload, { method: 'POST', headers: uploadHeaders(token), body: JSON.stringify(bundle) })).status).toBe(201);
    const assets = await source().getReplayAssets!('with-assets');
    expect(assets.refs.map((ref) => [ref.url, ref.hash, ref.reason ?? null])).toEqual([
      ['https://a.test/f.woff2', font.hash, null],
      ['https://a.test/p.png', null, 'http'],
      ['https://a.test/x.css', css.hash, null],
      ['https://b.test/f.woff2', font.hash, null],
    ]);
    const bodies = new Map(assets.bodies.map((body) => [body.hash, body]));
    expect(bodies.size).toBe(2);
    expect(new TextDecoder().decode(bodies.get(font.hash)!.data)).toBe('wOF2 pretend font');
    expect(bodies.get(font.hash)!.contentType).toBe('font/woff2');
    expect(new TextDecoder().decode(bodies.get(css.hash)!.data)).toBe('.x { background: url(font.woff2) }');
    expect(bodies.get(css.hash)!.contentType).toMatch(/^text\/css/);
    await expect(source().getReplayAssets!('nope')).rejects.toThrow('no such session');
  });
});
