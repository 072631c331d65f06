/**
 * GET /api/openapi.json: an OpenAPI 3.0 document of every route the app registers, generated from the routes
 * themselves (collected by an onRoute hook as each plugin registers them): path and query parameters and request
 * bodies from their JSON schemas, so the document cannot drift from what the server validates. Fastify's
 * automatic HEAD twins of GET routes are left out.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { SERVER_ROUTES } from '../../sdk/schema';

declare module 'fastify' {
  interface FastifySchema {
    /** One line for the OpenAPI document. */
    summary?: string;
  }
}

type JsonSchema = { type?: string; properties?: Record<string, JsonSchema & { description?: string }>; required?: readonly string[]; description?: string; [key: string]: unknown };

interface Operation {
  operationId: string;
  summary: string;
  tags: string[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

export interface OpenApiDocument {
  openapi: '3.0.3';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, unknown>;
}

/** `/api/sessions/:id` → `/api/sessions/{id}`; a wildcard `*` → `{wildcard}`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{wildcard}');
}

const API_ERROR = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' } },
};

const DESCRIPTION = [
  'Rumscope team server. Payload types: sdk/schema/server.ts.',
  'Reads and admin routes take a member\'s session cookie (`rumscope_session`, from POST /api/auth/login); a cookie request',
  'that changes anything also needs the `x-rumscope-csrf` header. Intake routes take an upload token (`x-rumscope-token`',
  'or `Authorization: Bearer`), which can never read. The compatible intake (/api/v2/*, /rum/v1/*, /api/compat/proxy)',
  'takes an application\'s client token in `dd-api-key` / `o2-api-key`. Every error is an ApiError.',
].join(' ');

function operation(route: RouteOptions, method: string, path: string): Operation {
  const schema = (route.schema ?? {}) as { querystring?: JsonSchema; params?: JsonSchema; body?: JsonSchema; summary?: string };
  const parameters: unknown[] = [];
  const pathNames = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  for (const name of pathNames) {
    const own = schema.params?.properties?.[name === 'wildcard' ? '*' : name];
    parameters.push({ name, in: 'path', required: true, schema: own ?? { type: 'string' } });
  }
  for (const [name, property] of Object.entries(schema.querystring?.properties ?? {})) {
    const { description, ...own } = property;
    parameters.push({
      name,
      in: 'query',
      required: schema.querystring?.required?.includes(name) ?? false,
      ...(description ? { description } : {}),
      schema: own,
      ...(own.type === 'array' ? { style: 'form', explode: true } : {}),
    });
  }
  const segments = path.split('/').filter(Boolean);
  const tag = segments[0] === 'api' ? (segments[1] ?? 'api') : (segments[0] ?? 'dashboard');
  return {
    operationId: `${method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: schema.summary ?? `${method.toUpperCase()} ${path}`,
    tags: [tag],
    ...(parameters.length ? { parameters } : {}),
    ...(schema.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema.body } } } } : {}),
    responses: {
      '2XX': { description: 'Success (JSON, or the page / file asked for)' },
      default: { description: 'An error', content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } } },
    },
  };
}

export function openApiDocument(routes: readonly RouteOptions[], version: string): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const gets = new Set(routes.flatMap((r) => ([r.method].flat().includes('GET') ? [r.url] : [])));
  for (const route of routes) {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD' && gets.has(route.url)) continue;
      const path = openApiPath(route.url);
      (paths[path] ??= {})[method.toLowerCase()] = operation(route, method.toLowerCase(), path);
    }
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Rumscope team server', version, description: DESCRIPTION },
    paths,
    components: {
      schemas: { ApiError: API_ERROR },
      securitySchemes: {
        memberCookie: { type: 'apiKey', in: 'cookie', name: 'rumscope_session' },
        csrf: { type: 'apiKey', in: 'header', name: 'x-rumscope-csrf' },
        uploadToken: { type: 'apiKey', in: 'header', name: 'x-rumscope-token' },
      },
    },
  };
}

/**
 * Collects every route registered on `app` from now on (call before registering the plugins) and serves the
 * document at /api/openapi.json.
 */
export function serveOpenApi(app: FastifyInstance, version: string): void {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  let document: OpenApiDocument | null = null;
  app.get(SERVER_ROUTES.openapi, { schema: { summary: 'This document' } }, async () => (document ??= openApiDocument(routes, version)));
}
