/**
 * Serves the built team dashboard (scripts/buildDashboard.ts) from the static folder: `/` is its page, and
 * `/assets/*` its files. Paths are resolved inside the folder only; anything else is a 404.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { HttpError, type RoutePlugin } from '../http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

export const dashboardRoutes: RoutePlugin = async (app, ctx) => {
  const dir = ctx.config.staticDir ? resolve(ctx.config.staticDir) : null;

  async function send(path: string, immutable: boolean) {
    if (!dir) throw new HttpError(404, 'the dashboard is not built: run `npx tsx scripts/buildDashboard.ts`');
    const file = resolve(dir, path);
    if (file !== dir && !file.startsWith(dir + sep)) throw new HttpError(404, 'not found');
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) throw new HttpError(404, 'not found');
    return {
      body: await readFile(file),
      headers: {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'x-content-type-options': 'nosniff',
      },
    };
  }

  app.get('/', async (_request, reply) => {
    const { body, headers } = await send('index.html', false);
    // blob: for the replay's kept stylesheets, fonts and images (the player serves them from blob: URLs of this
    // page; its sandboxed iframe inherits this policy).
    return reply
      .headers({ ...headers, 'content-security-policy': "default-src 'self'; img-src 'self' data: blob:; font-src 'self' data: blob:; style-src 'self' 'unsafe-inline' blob:; frame-ancestors 'none'" })
      .send(body);
  });
  app.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
    const { body, headers } = await send(join('assets', request.params['*']), true);
    return reply.headers(headers).send(body);
  });
};
