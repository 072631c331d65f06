/** The OpenAPI document lists every route the app registers (read back from Fastify's router), with the parameters its schemas validate. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_ROUTES } from '../../sdk/schema';
import { SESSION_FILTER_PARAMS_SCHEMA } from '../sessionListParams';
import { startTestApp, type TestApp } from '../testing/harness';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../testing/testStores';
import { openApiPath, type OpenApiDocument } from './openapi';

/** [method, url] of every route in Fastify's own router, from its printed radix tree (the segments of a branch joined). */
function routerRoutes(tree: string): [string, string][] {
  const out: [string, string][] = [];
  const stack: { depth: number; path: string }[] = [];
  for (const line of tree.split('\n')) {
    const at = line.indexOf('── ');
    if (at < 0) continue;
    const depth = at;
    const match = /^(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(at + 3))!;
    while (stack.length && stack.at(-1)!.depth >= depth) stack.pop();
    const path = (stack.at(-1)?.path ?? '') + match[1];
    stack.push({ depth, path });
    for (const method of match[2]?.split(', ') ?? []) out.push([method, path]);
  }
  return out;
}

type Parameter = { name: string; in: string; required: boolean; schema: { type?: string } };

describe.each(DIALECTS)('the OpenAPI document on %s', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let doc: OpenApiDocument;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestApp(database);
    const response = await t.app.inject({ method: 'GET', url: SERVER_ROUTES.openapi });
    expect(response.statusCode).toBe(200);
    doc = response.json<OpenApiDocument>();
  });
  afterAll(async () => {
    await t.close();
    await database.drop();
  });

  it('documents every registered route, and nothing that is not one', () => {
    const routes = routerRoutes(t.app.printRoutes()).filter(([method, url]) => !(method === 'HEAD' && t.app.hasRoute({ method: 'GET', url })));
    expect(routes.length).toBeGreaterThan(30);
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(routes.map(([method, url]) => `${method} ${openApiPath(url)}`).sort());
    expect(doc.openapi).toBe('3.0.3');
    expect(new Set(Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId))).size).toBe(documented.length);
  });

  it('takes parameters and bodies from the route schemas', () => {
    const list = doc.paths[SERVER_ROUTES.sessions]!.get!.parameters as Parameter[];
    const names = list.map((p) => p.name);
    for (const name of [...Object.keys(SESSION_FILTER_PARAMS_SCHEMA), 'sort', 'direction', 'limit', 'cursor', 'offset']) expect(names).toContain(name);
    expect(list.find((p) => p.name === 'country')).toMatchObject({ in: 'query', required: false, schema: { type: 'array' } });
    expect((doc.paths[SERVER_ROUTES.search]!.get!.parameters as Parameter[]).find((p) => p.name === 'q')).toMatchObject({ required: true, schema: { type: 'string' } });
    expect(doc.paths[`${SERVER_ROUTES.sessions}/{id}`]!.get!.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 64 } }]);
    // A session's replay assets: the references, and a body by its sha-256.
    expect(doc.paths[`${SERVER_ROUTES.sessions}/{id}/assets`]!.get!.summary).toMatch(/replay assets/);
    expect((doc.paths[`${SERVER_ROUTES.sessions}/{id}/assets/{hash}`]!.get!.parameters as Parameter[])[1]).toEqual({ name: 'hash', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } });
    expect(doc.paths[SERVER_ROUTES.login]!.post!.requestBody).toMatchObject({ content: { 'application/json': { schema: { type: 'object' } } } });
    // Every path parameter of a path is declared.
    for (const [path, operations] of Object.entries(doc.paths)) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(operations)) expect(((op.parameters ?? []) as Parameter[]).filter((p) => p.in === 'path').map((p) => p.name), path).toEqual(inPath);
    }
  });
});
