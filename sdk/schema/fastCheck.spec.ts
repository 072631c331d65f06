import * as v from 'valibot';
import { describe, expect, test } from 'vitest';
import { makeSession } from '../../tests/unit/support/sessionFixtures';
import { LIMITS } from './bridge';
import { SCHEMA_VERSION, type RumEvent, type StoredEvent } from './events';
import { EXPORT_FORMAT, EXPORT_VERSION } from './storage';
import { compileCheck, compileWithClosures } from './fastCheck';
import { eventSchema, inspectJson, schemaParts } from './validate';
import { checkExportBundle, sessionRecordSchema, validateStoredEvent } from './validateServer';

const base = { time: 1_765_800_740_000, tz: 330, viewId: 'view-1' };
const timing = { dns: 1, connect: 2, tls: null, request: 3.5, response: 4 };
const headers = [{ name: 'content-type', value: 'application/json' }];

/** One event of every type, with their optional fields present and absent. */
const EVENTS: RumEvent[] = [
  { ...base, type: 'view', url: 'http://a.test/?q=1', referrer: '', title: 'A', navigation: 'initial', loadingTime: null },
  { ...base, type: 'view', url: 'http://a.test/', referrer: 'http://b.test/', title: 'A', navigation: 'manual', loadingTime: 12, name: 'checkout' },
  { ...base, type: 'view_end', timeSpent: 5, counts: { actions: 0, errors: 1, apiCalls: 2, resources: 3, longTasks: 4 } },
  { ...base, type: 'view_end', timeSpent: 5, counts: { actions: 0, errors: 0, apiCalls: 0, resources: 0, longTasks: 0 }, name: 'n', timings: { hero: 120 } },
  { ...base, type: 'action', action: 'click', name: 'Add tea', selector: '#add', x: 10, y: 20.5, rage: false, dead: true, errorClick: false },
  { ...base, type: 'action', action: 'custom', name: 'c', selector: null, x: null, y: null, rage: false, dead: false, errorClick: true, context: { a: [1, 'b', null, { c: true }] } },
  { ...base, type: 'error', source: 'uncaught', errorType: 'TypeError', message: 'x is undefined', stack: 'at f', frames: [{ fn: 'f', url: 'http://a.test/a.js', line: 1, column: 2 }] },
  { ...base, type: 'error', source: 'custom', errorType: 'E', message: '', stack: null, frames: [{ fn: null, url: null, line: null, column: null }], context: {} },
  { ...base, type: 'api', via: 'fetch', method: 'GET', url: '/api', status: 0, duration: 12, requestSize: null, responseSize: null, timing: null },
  {
    ...base,
    type: 'api',
    via: 'xhr',
    method: 'POST',
    url: '/api/cart',
    status: 201,
    duration: 1.25,
    requestSize: 30,
    responseSize: 4000,
    timing,
    detail: { requestHeaders: headers, responseHeaders: [], requestBody: { mimeType: 'application/json', size: 30, text: '{"a":1}' }, responseBody: { mimeType: 'image/png', size: null, truncated: true, omitted: 'binary' } },
  },
  { ...base, type: 'console', level: 'warn', message: 'deprecated', args: ['x', 1, null, [true], { k: 'v' }], count: 2 },
  { ...base, type: 'console', level: 'trace', message: 'm', args: [], count: 1, stack: 'Error\n at x' },
  { ...base, type: 'resource', url: 'http://a.test/app.js', resourceType: 'script', duration: 3, timing, transferSize: 900, renderBlocking: null },
  { ...base, type: 'vital', name: 'CLS', value: null, supported: false, rating: null },
  { ...base, type: 'vital', name: 'LCP', value: 1200, supported: true, rating: 'good', attribution: { element: '#hero' } },
  { ...base, type: 'long_task', kind: 'long-animation-frame', duration: 60 },
  { ...base, type: 'replay', records: [{ type: 2, data: { node: { id: 1 } } }, 3, 'x'] },
  {
    ...base,
    type: 'context',
    cause: 'start',
    device: {
      userAgent: 'UA',
      clientHints: { brands: [{ brand: 'Chromium', version: '156' }], platform: 'Linux', mobile: false },
      screen: { width: 1, height: 2 },
      viewport: { width: 1, height: 2 },
      pixelRatio: 2,
      language: 'en',
      timeZone: 'UTC',
      connectionType: null,
      effectiveType: '4g',
      maxTouchPoints: 0,
    },
    app: { service: 's', env: null, version: null },
    user: { id: 'u1', email: 'a@b.test', extra: undefined },
    global: { plan: 'pro' },
  },
  { ...base, type: 'telemetry', overheadMs: 0.5, dropped: 0 },
  { ...base, type: 'activity', kind: 'scroll' },
] as RumEvent[];

const stored = (event: RumEvent, seq: number): StoredEvent => ({ ...event, sessionId: 's1', loadId: 'l1', seq, tabId: 3, frameId: 0, schema: SCHEMA_VERSION }) as StoredEvent;
/** As it arrives over HTTP: through JSON (no undefined values). */
const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Values put in place of a field: wrong types, edges of the limits, nested structures. */
const deep = (levels: number): unknown => (levels === 0 ? 'leaf' : { d: deep(levels - 1) });
const REPLACEMENTS: unknown[] = [
  null, undefined, true, 0, -1, 1.5, 1e300, -0, Number.NaN, Number.POSITIVE_INFINITY, '', 'x', 'x'.repeat(65), 'x'.repeat(2049), 'x'.repeat(16 * 1024 + 1),
  [], [1], ['a', null], {}, { a: 1 }, { width: 1, height: 2 }, 'initial', 'click', 'good', 'GET', 'view', 'action', 'https://a.test/', deep(8), deep(13),
  JSON.parse('{"__proto__":{"x":1}}'), JSON.parse('{"constructor":1}'),
];

/** Every variant of `value` with one field (at any depth) removed, replaced, or with an extra key beside it. */
function* mutations(value: unknown, limit = 4): Generator<unknown> {
  if (limit === 0 || typeof value !== 'object' || value === null) return;
  const entries = Array.isArray(value) ? value.map((item, i) => [i, item] as const) : Object.entries(value);
  const copy = () => (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  if (!Array.isArray(value)) {
    yield { ...(value as object), extra: 1 };
  } else {
    yield [...value, { odd: true }];
    yield [];
  }
  for (const [key, item] of entries) {
    const without = copy();
    if (Array.isArray(without)) without.splice(key as number, 1);
    else delete without[key];
    yield without;
    for (const replacement of REPLACEMENTS) {
      const changed = copy();
      changed[key] = replacement;
      yield changed;
    }
    for (const inner of mutations(item, limit - 1)) {
      const changed = copy();
      changed[key] = inner;
      yield changed;
    }
  }
}

/** The promise of compileCheck: true only where valibot accepts and gives back the input unchanged. */
function expectNeverLooser(schema: v.GenericSchema, check: (input: unknown) => boolean, input: unknown): boolean {
  const fast = check(input);
  if (fast) {
    const result = v.safeParse(schema, input);
    expect(result.success, JSON.stringify(input)?.slice(0, 300)).toBe(true);
    expect(result.output).toStrictEqual(input);
  }
  return fast;
}

// The generated predicates (the server) and the closures (where code from strings is refused: the extension), alike.
describe.each([
  ['generated code', compileCheck],
  ['closures', compileWithClosures],
])('compileCheck as %s', (_name, compile) => {
  test('compiles the contract: events, session records, JSON values', () => {
    expect(compile(eventSchema)).toBeTypeOf('function');
    expect(compile(sessionRecordSchema)).toBeTypeOf('function');
    expect(compile(schemaParts.jsonRecord)).toBeTypeOf('function');
  });

  test('compiles a lazy schema once: the getter is not asked again per value (each answer would be compiled and kept)', () => {
    let calls = 0;
    const tree: v.GenericSchema = v.lazy(() => {
      calls++;
      return v.union([v.string(), v.array(tree)]);
    });
    const check = compile(tree)!;
    for (let i = 0; i < 100; i++) expect(check(['a', ['b', []]])).toBe(true);
    expect(check(['a', [1]])).toBe(false);
    expect(calls).toBe(1);
  });

  test('gives up (null) on what it does not know: transformations, defaults, a lazy schema chosen by the input', () => {
    expect(compile(v.lazy((input) => (typeof input === 'string' ? v.string() : v.number())))).toBeNull();
    expect(compile(v.pipe(v.string(), v.trim()))).toBeNull();
    expect(compile(v.strictObject({ a: v.optional(v.string(), 'x') }))).toBeNull();
    expect(compile(v.nullable(v.number(), 0))).toBeNull();
  });

  test('accepts every well-formed event of the corpus, as valibot does', () => {
    const check = compile(eventSchema)!;
    for (const event of EVENTS.map(viaJson)) expect(expectNeverLooser(eventSchema, check, event), event.type).toBe(true);
  });

  test('is never looser than valibot over thousands of broken events (a field removed, replaced or added, at any depth)', () => {
    const check = compile(eventSchema)!;
    let refused = 0;
    let total = 0;
    for (const event of EVENTS.map(viaJson)) {
      for (const mutated of mutations(event)) {
        total++;
        if (!expectNeverLooser(eventSchema, check, mutated)) refused++;
      }
    }
    expect(total).toBeGreaterThan(5000);
    expect(refused).toBeGreaterThan(total / 2);
  });

  test('session records: the fixtures pass, broken ones are never accepted where valibot refuses', () => {
    const check = compile(sessionRecordSchema)!;
    const sessions = [
      makeSession(),
      makeSession({ user: { id: 'u', email: 'e@x.test' }, global: { a: { b: [1] } }, replayStats: { segments: 1, bytes: 2, rawChars: 3, start: 4, end: 5 }, incognito: true, bytes: 10, visitorId: 'v' }),
      makeSession({ vitals: { LCP: { value: 1, time: 2 } }, sdk: { name: 'rumscope', version: null }, endedAt: 5, endReason: 'user', deviceType: null, screen: null }),
    ].map(viaJson);
    for (const session of sessions) expect(expectNeverLooser(sessionRecordSchema, check, session)).toBe(true);
    for (const session of sessions) for (const mutated of mutations(session, 3)) expectNeverLooser(sessionRecordSchema, check, mutated);
  });
});

test('the generated predicates and the closures give the same verdict on every event, session and their mutations', () => {
  const pairs = [eventSchema, sessionRecordSchema].map((schema) => [compileCheck(schema)!, compileWithClosures(schema)!] as const);
  let compared = 0;
  const inputs = (schema: number) => (schema === 0 ? EVENTS.map(viaJson) : [viaJson(makeSession()), viaJson(makeSession({ user: { id: 'u', email: 'e@x.test' }, global: { a: { b: [1] } } }))]);
  for (const [i, [generated, closures]] of pairs.entries()) {
    for (const value of inputs(i)) {
      for (const input of [value, ...mutations(value, 3)]) {
        expect(generated(input), JSON.stringify(input)?.slice(0, 200)).toBe(closures(input));
        compared++;
      }
    }
  }
  expect(compared).toBeGreaterThan(10_000);
});

test('compileCheck where code from strings is refused (an extension page or service worker): the closures, as strict', () => {
  const original = globalThis.Function;
  let refused = 0;
  globalThis.Function = function refusing() {
    refused++;
    throw new EvalError("Refused to evaluate a string as JavaScript because 'unsafe-eval' is not an allowed source");
  } as unknown as FunctionConstructor;
  let check: ReturnType<typeof compileCheck>;
  try {
    check = compileCheck(eventSchema);
  } finally {
    globalThis.Function = original;
  }
  expect(refused).toBe(1);
  expect(check).toBeTypeOf('function');
  for (const event of EVENTS.map(viaJson)) expect(expectNeverLooser(eventSchema, check!, event)).toBe(true);
  expect(check!({ ...viaJson(EVENTS[0]!), extra: 1 })).toBe(false);
});

describe('checkExportBundle: the fast path gives what validateStoredEvent gives', () => {
  const bundleOf = (events: unknown[]) => ({
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    schema: SCHEMA_VERSION,
    exportedAt: 1,
    source: { name: 'rumscope-extension', version: '0.1.0' },
    sessions: [{ session: viaJson(makeSession()), events }],
  });
  /** The answer of the reference path: the bundle's poison check, then validateStoredEvent (inspectJson, valibot, size), then its session. */
  const reference = (event: unknown) => {
    const poison = inspectJson(bundleOf([event]), 16);
    if (poison) return { ok: false, reason: poison };
    const checked = validateStoredEvent(event);
    if (!checked.ok) return { ok: false, reason: `sessions[0].events[0]: ${checked.reason}` };
    if (checked.value.sessionId !== 's1') return { ok: false, reason: `sessions[0].events[0]: belongs to session ${checked.value.sessionId}, not s1` };
    return { ok: true, json: JSON.stringify(checked.value) };
  };

  test('the same verdict and reason for every event and broken event of the corpus; the same stored JSON, key order aside', () => {
    let compared = 0;
    for (const [i, event] of EVENTS.map(stored).map(viaJson).entries()) {
      for (const input of [event, ...mutations(event, 3)]) {
        const expected = reference(input);
        const got = checkExportBundle(bundleOf([input]));
        compared++;
        if (!expected.ok) {
          expect(got, `event ${i}: ${JSON.stringify(input).slice(0, 200)}`).toEqual({ ok: false, reason: expected.reason });
          continue;
        }
        expect(got.ok, `event ${i}: ${JSON.stringify(input).slice(0, 200)}`).toBe(true);
        if (!got.ok) continue;
        const json = got.value.eventJson[0]![0]!;
        expect(JSON.parse(json)).toStrictEqual(JSON.parse(expected.json!));
        expect(JSON.parse(JSON.stringify(got.value.bundle.sessions[0]!.events[0]))).toStrictEqual(JSON.parse(expected.json!));
      }
    }
    expect(compared).toBeGreaterThan(3000);
  });

  test('refuses an oversized event as the reference does, at the limit to the character, whatever the stored part escapes', () => {
    const pageChars = JSON.stringify({ ...base, type: 'replay', records: [''] }).length;
    // Load ids JSON writes as they are, with escapes (quote, backslash, control), beyond Latin-1, as a pair or a lone surrogate.
    for (const loadId of ['l1', 'l"\\1', 'l\u0001', 'l\u00e9', 'l\ud83d\ude00', 'l\ud800']) {
      const event = { ...stored({ ...base, type: 'replay', records: [''] } as RumEvent, 0), loadId };
      for (const pad of [LIMITS.maxEventChars - pageChars, LIMITS.maxEventChars - pageChars + 1]) {
        const input = { ...event, records: ['x'.repeat(pad)] };
        const expected = reference(input);
        const got = checkExportBundle(bundleOf([input]));
        expect(got.ok, `${JSON.stringify(loadId)} + ${pad}`).toBe(expected.ok);
        expect(got.ok).toBe(pad === LIMITS.maxEventChars - pageChars);
        if (!got.ok) expect(got.reason).toBe('sessions[0].events[0]: oversized');
      }
    }
  });

  test('nesting: an event as deep as the limit passes, one level deeper is refused, as the reference does', () => {
    for (const levels of [9, 10, 11, 12]) {
      const input = stored({ ...base, type: 'action', action: 'custom', name: 'n', selector: null, x: null, y: null, rage: false, dead: false, errorClick: false, context: { d: deep(levels) } } as unknown as RumEvent, 0);
      const expected = reference(input);
      const got = checkExportBundle(bundleOf([input]));
      expect(got.ok, String(levels)).toBe(expected.ok);
      if (!got.ok && !expected.ok) expect(got.reason).toBe(expected.reason);
    }
  });
});
