import { describe, expect, test } from 'vitest';
import type { RumEvent } from './events';
import { inspectJson, validateEvent, validateRelayMessage } from './validate';

const base = { time: 1_765_800_740_000, tz: 330, viewId: 'view-1' };
const click: RumEvent = {
  ...base,
  type: 'action',
  action: 'click',
  name: 'Add tea to cart',
  selector: '#add-tea',
  x: 10,
  y: 20,
  rage: false,
  dead: false,
  errorClick: false,
};

describe('validateEvent', () => {
  test('refuses a view_end with more than 100 timings or a negative one', () => {
    const end = { ...base, type: 'view_end', timeSpent: 5, counts: { actions: 0, errors: 0, apiCalls: 0, resources: 0, longTasks: 0 } };
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`t${i}`, i]));
    expect(validateEvent({ ...end, timings: many }).ok).toBe(false);
    expect(validateEvent({ ...end, timings: { a: -1 } }).ok).toBe(false);
  });

  test('accepts a well-formed event of each kind it is given', () => {
    const events: RumEvent[] = [
      click,
      { ...base, type: 'view', url: 'http://a.test/', referrer: '', title: 'A', navigation: 'initial', loadingTime: null },
      { ...base, type: 'view', url: 'http://a.test/', referrer: '', title: 'A', navigation: 'manual', loadingTime: 12, name: 'checkout' },
      { ...base, type: 'view_end', timeSpent: 5, counts: { actions: 0, errors: 0, apiCalls: 0, resources: 0, longTasks: 0 }, name: 'checkout', timings: { hero: 120 } },
      { ...base, type: 'error', source: 'uncaught', errorType: 'TypeError', message: 'x is undefined', stack: null, frames: [{ fn: 'f', url: 'http://a.test/a.js', line: 1, column: 2 }] },
      { ...base, type: 'vital', name: 'CLS', value: null, supported: false, rating: null },
      { ...base, type: 'api', via: 'fetch', method: 'GET', url: '/api', status: 0, duration: 12, requestSize: null, responseSize: null, timing: null },
    ];
    for (const event of events) expect(validateEvent(event)).toEqual({ ok: true, value: event });
  });

  test('refuses an event that names its own session, load, sequence or tab', () => {
    for (const key of ['sessionId', 'loadId', 'seq', 'tabId']) {
      const result = validateEvent({ ...click, [key]: 'x' });
      expect(result.ok, key).toBe(false);
    }
  });

  test('refuses __proto__ keys at any depth', () => {
    const poisoned = JSON.parse('{"type":"action","__proto__":{"polluted":true}}');
    expect(validateEvent(poisoned)).toMatchObject({ ok: false, reason: 'forbidden key __proto__' });
    const deep = { ...click, context: JSON.parse('{"a":{"b":{"__proto__":{"x":1}}}}') };
    expect(validateEvent(deep)).toMatchObject({ ok: false, reason: 'forbidden key __proto__' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('refuses unknown types, wrong field types, non-finite numbers and oversized events', () => {
    expect(validateEvent({ ...click, type: 'nope' }).ok).toBe(false);
    expect(validateEvent({ ...click, x: 'ten' }).ok).toBe(false);
    expect(validateEvent({ ...click, time: Number.NaN }).ok).toBe(false);
    expect(validateEvent({ ...click, name: 'x'.repeat(3000) }).ok).toBe(false);
    expect(validateEvent({ ...base, type: 'replay', records: ['x'.repeat(200 * 1024)] })).toMatchObject({ ok: false, reason: 'oversized' });
    expect(validateEvent(null).ok).toBe(false);
    expect(validateEvent('action').ok).toBe(false);
  });

  test('reads the own enumerable keys of an object, as Object.keys gives them, and no inherited one', () => {
    // An own key after many others, on a null-prototype object too; a non-enumerable own key is not data.
    const many: Record<string, unknown> = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i]));
    expect(inspectJson(JSON.parse(JSON.stringify(many).replace(/}$/, ',"__proto__":1}')))).toBe('forbidden key __proto__');
    expect(inspectJson(Object.assign(Object.create(null), { a: { prototype: 1 } }))).toBe('forbidden key prototype');
    expect(inspectJson(Object.defineProperty({ a: 1 }, 'constructor', { value: Number.NaN, enumerable: false }))).toBeNull();
    expect(inspectJson([1, , 3])).toBe('unsupported undefined'); // eslint-disable-line no-sparse-arrays
    // An enumerable key inherited from a polluted Object.prototype is not the object's own: not reported, not walked.
    Object.defineProperty(Object.prototype, 'prototype', { value: { deep: Number.NaN }, enumerable: true, configurable: true, writable: true });
    try {
      expect(inspectJson({ a: { b: 1 } })).toBeNull();
    } finally {
      delete (Object.prototype as Record<string, unknown>).prototype;
    }
  });

  test('refuses values nested deeper than the limit', () => {
    let value: unknown = 'leaf';
    for (let i = 0; i < 20; i++) value = { v: value };
    expect(inspectJson(value)).toBe('too deep');
  });
});

describe('validateRelayMessage', () => {
  test('accepts a batch and a control message of the current protocol', () => {
    expect(validateRelayMessage({ protocol: 1, kind: 'batch', loadId: 'l', first: 0, events: [], dropped: 0 }).ok).toBe(true);
    expect(validateRelayMessage({ protocol: 1, kind: 'control', loadId: 'l', command: 'startReplay' }).ok).toBe(true);
  });

  test('refuses other protocols, kinds and commands', () => {
    expect(validateRelayMessage({ protocol: 2, kind: 'batch', loadId: 'l', first: 0, events: [], dropped: 0 }).ok).toBe(false);
    expect(validateRelayMessage({ protocol: 1, kind: 'read', loadId: 'l' }).ok).toBe(false);
    expect(validateRelayMessage({ protocol: 1, kind: 'control', loadId: 'l', command: 'deleteAll' }).ok).toBe(false);
    expect(validateRelayMessage({ protocol: 1, kind: 'batch', loadId: 'l', first: -1, events: [], dropped: 0 }).ok).toBe(false);
  });
});
