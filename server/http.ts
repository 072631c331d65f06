/** Small helpers shared by the route plugins. */
import type { FastifyInstance } from 'fastify';
import type { Store } from './db/openDatabase';
import type { ServerConfig } from './config';

export interface AppContext {
  store: Store;
  config: ServerConfig;
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Options every route plugin receives. */
export type RoutePlugin = (app: FastifyInstance, ctx: AppContext) => Promise<void>;

/** `${startedAt}:${id}` as an opaque URL-safe cursor. */
export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(cursor: string): unknown[] {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parts)) return parts;
  } catch {
    // fall through
  }
  throw new HttpError(400, 'invalid cursor');
}
