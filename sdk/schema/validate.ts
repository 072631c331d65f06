/**
 * Runtime validation of the contract, for trust boundaries only (the extension's background, the server).
 * Never import this from sdk/src: the page bundle must not carry a validator (a test checks the bundle).
 */
import * as v from 'valibot';
import { LIMITS, PROTOCOL_VERSION } from './bridge';
import type { RelayToBackground } from './bridge';
import { CONSOLE_LEVELS, CONSOLE_LIMITS, NETWORK_DETAIL_LIMITS } from './events';
import type { JsonValue, RumEvent } from './events';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const hasOwn = Object.prototype.hasOwnProperty;
/** addTiming names kept per view (the SDK keeps no more). */
export const LIMITS_TIMINGS = 100;

/**
 * Walks a value once: rejects forbidden keys at any depth, excessive depth, non-JSON values.
 * Returns a reason or null. Runs before the schema so that the schema never sees a poisoned object.
 */
export function inspectJson(value: unknown, maxDepth: number = LIMITS.maxDepth): string | null {
  // Two parallel stacks (no [item, depth] pair allocated per value: an upload holds hundreds of thousands).
  const items: unknown[] = [value];
  const depths: number[] = [0];
  while (items.length) {
    const item = items.pop();
    const depth = depths.pop()!;
    if (item === null || typeof item === 'string' || typeof item === 'boolean') continue;
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) return 'non-finite number';
      continue;
    }
    if (typeof item !== 'object') return `unsupported ${typeof item}`;
    if (depth >= maxDepth) return 'too deep';
    if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) {
        items.push(item[i]);
        depths.push(depth + 1);
      }
      continue;
    }
    const proto = Object.getPrototypeOf(item);
    if (proto !== Object.prototype && proto !== null) return 'not a plain object';
    // for…in with the own-key test: the keys Object.keys gives, in its order, without an array of them per object.
    for (const key in item) {
      if (!hasOwn.call(item, key)) continue;
      if (FORBIDDEN_KEYS.has(key)) return `forbidden key ${key}`;
      items.push((item as Record<string, unknown>)[key]);
      depths.push(depth + 1);
    }
  }
  return null;
}

const str = (max = 2048) => v.pipe(v.string(), v.maxLength(max));
const longStr = str(16 * 1024);
const num = v.pipe(v.number(), v.finite());
const nonNeg = v.pipe(v.number(), v.finite(), v.minValue(0));
const nullableNum = v.nullable(nonNeg);
const id = v.pipe(v.string(), v.minLength(1), v.maxLength(64));

const jsonValue: v.GenericSchema<JsonValue> = v.lazy(() =>
  v.union([v.string(), num, v.boolean(), v.null(), v.array(jsonValue), v.record(v.string(), jsonValue)]),
);
const jsonRecord = v.record(str(256), jsonValue);

const base = {
  time: nonNeg,
  tz: v.pipe(v.number(), v.integer(), v.minValue(-14 * 60), v.maxValue(14 * 60)),
  viewId: id,
};

const timing = v.nullable(
  v.strictObject({ dns: nullableNum, connect: nullableNum, tls: nullableNum, request: nullableNum, response: nullableNum }),
);

const size = v.strictObject({ width: nonNeg, height: nonNeg });

const userContext = v.record(str(256), v.optional(jsonValue));

const headers = v.pipe(
  v.array(v.strictObject({ name: str(NETWORK_DETAIL_LIMITS.maxHeaderNameChars), value: str(NETWORK_DETAIL_LIMITS.maxHeaderValueChars) })),
  v.maxLength(NETWORK_DETAIL_LIMITS.maxHeaders),
);
const body = v.nullable(
  v.strictObject({
    mimeType: str(256),
    size: nullableNum,
    text: v.optional(str(NETWORK_DETAIL_LIMITS.maxBodyChars)),
    truncated: v.optional(v.boolean()),
    omitted: v.optional(v.picklist(['binary', 'redacted', 'session_cap', 'unreadable'])),
  }),
);
const apiDetail = v.strictObject({ requestHeaders: headers, responseHeaders: headers, requestBody: body, responseBody: body });

export const eventSchema = v.variant('type', [
  v.strictObject({
    ...base,
    type: v.literal('view'),
    url: longStr,
    referrer: longStr,
    title: str(),
    navigation: v.picklist(['initial', 'push', 'replace', 'pop', 'hash', 'reload', 'back_forward', 'manual']),
    loadingTime: nullableNum,
    name: v.optional(str(256)),
  }),
  v.strictObject({
    ...base,
    type: v.literal('view_end'),
    timeSpent: nonNeg,
    counts: v.strictObject({ actions: nonNeg, errors: nonNeg, apiCalls: nonNeg, resources: nonNeg, longTasks: nonNeg }),
    name: v.optional(str(256)),
    timings: v.optional(v.pipe(v.record(str(256), nonNeg), v.check((t) => Object.keys(t).length <= LIMITS_TIMINGS, 'too many timings'))),
  }),
  v.strictObject({
    ...base,
    type: v.literal('action'),
    action: v.picklist(['click', 'submit', 'input', 'custom']),
    name: str(),
    selector: v.nullable(str()),
    x: v.nullable(num),
    y: v.nullable(num),
    rage: v.boolean(),
    dead: v.boolean(),
    errorClick: v.boolean(),
    context: v.optional(jsonRecord),
  }),
  v.strictObject({
    ...base,
    type: v.literal('error'),
    source: v.picklist(['uncaught', 'unhandledrejection', 'console', 'network', 'custom', 'internal']),
    errorType: str(256),
    message: longStr,
    stack: v.nullable(v.pipe(v.string(), v.maxLength(64 * 1024))),
    frames: v.pipe(
      v.array(v.strictObject({ fn: v.nullable(str()), url: v.nullable(longStr), line: v.nullable(nonNeg), column: v.nullable(nonNeg) })),
      v.maxLength(100),
    ),
    context: v.optional(jsonRecord),
  }),
  v.strictObject({
    ...base,
    type: v.literal('api'),
    via: v.picklist(['fetch', 'xhr']),
    method: str(32),
    url: longStr,
    status: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(999)),
    duration: nonNeg,
    requestSize: nullableNum,
    responseSize: nullableNum,
    timing,
    detail: v.optional(apiDetail),
  }),
  v.strictObject({
    ...base,
    type: v.literal('console'),
    level: v.picklist(CONSOLE_LEVELS),
    message: str(CONSOLE_LIMITS.maxMessageChars),
    args: v.pipe(v.array(jsonValue), v.maxLength(CONSOLE_LIMITS.maxArgs)),
    count: v.pipe(v.number(), v.integer(), v.minValue(1)),
    stack: v.optional(v.pipe(v.string(), v.maxLength(32 * 1024))),
  }),
  v.strictObject({
    ...base,
    type: v.literal('resource'),
    url: longStr,
    resourceType: str(64),
    duration: nonNeg,
    timing,
    transferSize: nullableNum,
    renderBlocking: v.nullable(v.boolean()),
  }),
  v.strictObject({
    ...base,
    type: v.literal('vital'),
    name: v.picklist(['LCP', 'FID', 'CLS', 'TTFB', 'INP', 'FCP']),
    value: nullableNum,
    supported: v.boolean(),
    rating: v.nullable(v.picklist(['good', 'needs-improvement', 'poor'])),
    attribution: v.optional(jsonRecord),
  }),
  v.strictObject({ ...base, type: v.literal('long_task'), kind: v.picklist(['longtask', 'long-animation-frame']), duration: nonNeg }),
  v.strictObject({ ...base, type: v.literal('replay'), records: v.array(jsonValue) }),
  v.strictObject({
    ...base,
    type: v.literal('context'),
    cause: v.picklist(['start', 'change']),
    device: v.strictObject({
      userAgent: str(),
      clientHints: v.nullable(
        v.strictObject({
          brands: v.pipe(v.array(v.strictObject({ brand: str(128), version: str(64) })), v.maxLength(20)),
          platform: str(128),
          mobile: v.boolean(),
        }),
      ),
      screen: size,
      viewport: size,
      pixelRatio: nonNeg,
      language: str(64),
      timeZone: str(128),
      connectionType: v.nullable(str(32)),
      effectiveType: v.nullable(str(32)),
      maxTouchPoints: nonNeg,
    }),
    app: v.strictObject({ service: v.nullable(str(256)), env: v.nullable(str(256)), version: v.nullable(str(256)) }),
    user: v.nullable(userContext),
    global: jsonRecord,
  }),
  v.strictObject({ ...base, type: v.literal('telemetry'), overheadMs: nonNeg, dropped: nonNeg }),
  v.strictObject({ ...base, type: v.literal('activity'), kind: v.picklist(['key', 'scroll', 'touch', 'visible']) }),
]);

const relayEvents = {
  protocol: v.literal(PROTOCOL_VERSION),
  loadId: id,
  first: v.pipe(v.number(), v.integer(), v.minValue(0)),
  // Events are validated one by one (a bad one is dropped, the rest kept).
  events: v.pipe(v.array(v.unknown()), v.maxLength(LIMITS.maxEventsPerMessage * 10)),
  dropped: v.pipe(v.number(), v.integer(), v.minValue(0)),
};

export const relayMessageSchema = v.variant('kind', [
  v.strictObject({ ...relayEvents, kind: v.literal('batch') }),
  v.strictObject({ ...relayEvents, kind: v.literal('exit') }),
  v.strictObject({ protocol: v.literal(PROTOCOL_VERSION), kind: v.literal('control'), loadId: id, command: v.picklist(['startReplay']) }),
  v.strictObject({
    protocol: v.literal(PROTOCOL_VERSION),
    kind: v.literal('replay'),
    loadId: id,
    seq: v.pipe(v.number(), v.integer(), v.minValue(0)),
    // Parsed and checked by validateReplaySegment.
    segment: v.pipe(v.string(), v.maxLength(LIMITS.maxReplaySegmentChars)),
  }),
]);

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Validates one event from an untrusted source. */
export function validateEvent(input: unknown): ValidationResult<RumEvent> {
  const poison = inspectJson(input);
  if (poison) return { ok: false, reason: poison };
  const result = v.safeParse(eventSchema, input);
  if (!result.success) return { ok: false, reason: v.summarize(result.issues) };
  if (JSON.stringify(result.output).length > LIMITS.maxEventChars) return { ok: false, reason: 'oversized' };
  return { ok: true, value: result.output as RumEvent };
}

/** Validates the envelope of a relay message; its events still go through validateEvent. */
export function validateRelayMessage(input: unknown): ValidationResult<RelayToBackground> {
  if (typeof input !== 'object' || input === null) return { ok: false, reason: 'not an object' };
  const result = v.safeParse(relayMessageSchema, input);
  if (!result.success) return { ok: false, reason: v.summarize(result.issues) };
  return { ok: true, value: result.output as RelayToBackground };
}

// Compile-time proof that the validator and the hand-written contract agree both ways.
type Validated = v.InferOutput<typeof eventSchema>;
type Assert<T extends true> = T;
export type _ValidatorMatchesContract = Assert<Validated extends RumEvent ? true : false>;
export type _ContractMatchesValidator = Assert<RumEvent extends Validated ? true : false>;

/** Building blocks for the other validators at trust boundaries (server payloads). */
export const schemaParts = { str, nonNeg, nullableNum, id, jsonValue, jsonRecord, userContext, size } as const;
