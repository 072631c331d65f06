/**
 * The demo app and the test fixtures, served on 127.0.0.1. Used by `npm start` and by the e2e tests.
 * Routes: / and *.html from demo/, /fixtures/* from tests/fixtures/, /api/* small JSON endpoints.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

function api(req: IncomingMessage, res: ServerResponse, path: string) {
  const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify(body));
  };
  const status = /^\/api\/status\/(\d{3})$/.exec(path);
  if (status) return send(Number(status[1]), { status: Number(status[1]) });
  if (path === '/api/ok') return send(200, { ok: true, time: Date.now() });
  if (path === '/api/slow') return void setTimeout(() => send(200, { ok: true, slow: true }), 300);
  if (path === '/api/echo') {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => send(200, { method: req.method, length: body.length }));
    return;
  }
  if (path === '/api/detail' || path === '/api/login') {
    // Network detail fixtures: echo what arrived (so the page can check its own call), with a token in the reply
    // and a cookie set, which the extension must redact or never see.
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(body || '{}') as Record<string, unknown>;
      } catch {
        parsed = { text: body };
      }
      const reply = path === '/api/login' ? { ok: true, access_token: 'LOGIN-REPLY-CANARY' } : { ok: true, item: parsed.item ?? null, token: 'REPLY-TOKEN-CANARY' };
      send(200, reply, { 'x-server': 'demo', 'set-cookie': 'server_sid=SET-COOKIE-CANARY; Path=/; HttpOnly' });
    });
    return;
  }
  if (path === '/api/reset') {
    // A "network failure": the connection is destroyed without a response.
    req.socket.destroy();
    return;
  }
  send(404, { error: 'not found' });
}

async function serveFile(res: ServerResponse, base: string, rel: string) {
  const file = normalize(join(base, rel));
  if (!file.startsWith(base)) {
    res.writeHead(403).end();
    return;
  }
  try {
    const body = await readFile(file);
    // Replay asset fixtures are served as a CDN serves static files (cacheable; fonts usable from other origins).
    const cdn = rel.startsWith('assets/') && base.endsWith('fixtures');
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': cdn ? 'public, max-age=0' : 'no-store',
      ...(cdn ? { 'access-control-allow-origin': '*' } : {}),
    });
    res.end(body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
}

export interface DemoServer {
  server: Server;
  origin: string;
  close(): Promise<void>;
}

export async function startDemoServer(port = 0, host = '127.0.0.1'): Promise<DemoServer> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = decodeURIComponent(url.pathname);
    if (path.startsWith('/api/')) return api(req, res, path);
    if (path.startsWith('/fixtures/')) return void serveFile(res, join(root, 'tests/fixtures'), path.slice('/fixtures/'.length));
    // SPA fallback: /app/... routes all serve the demo's index.
    const rel = path === '/' || path.startsWith('/app/') ? 'index.html' : path.slice(1);
    return void serveFile(res, join(root, 'demo'), rel);
  });
  await new Promise<void>((ok) => server.listen(port, host, ok));
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    origin: `http://${host}:${actualPort}`,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}
