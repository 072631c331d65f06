// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { inspectJson } from '../../schema/validate';
import { REDACTED } from './redactUrl';
import { formatConsoleMessage, serializeValue } from './serializeValue';

const json = (value: unknown) => JSON.stringify(serializeValue(value));

function hostileInputs(): [string, () => unknown][] {
  return [
    ['a cyclic object', () => {
      const a: Record<string, unknown> = { name: 'a' };
      a.self = a;
      a.list = [a, { back: a }];
      return a;
    }],
    ['a 10 MB string', () => 'x'.repeat(10 * 1024 * 1024)],
    ['a huge array', () => Array.from({ length: 100_000 }, (_, i) => i)],
    ['a huge object', () => Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 'v'.repeat(100)]))],
    ['deep nesting', () => {
      let deep: Record<string, unknown> = { end: true };
      for (let i = 0; i < 10_000; i++) deep = { deep };
      return deep;
    }],
    ['a DOM element', () => {
      const div = document.createElement('div');
      div.id = 'cart';
      div.className = 'open wide';
      return div;
    }],
    ['a getter that throws', () => ({ ok: 1, get boom(): never { throw new Error('getter ran'); } })],
    ['a Proxy whose every trap throws', () =>
      new Proxy({}, {
        get() { throw new Error('trap'); },
        ownKeys() { throw new Error('trap'); },
        getOwnPropertyDescriptor() { throw new Error('trap'); },
        getPrototypeOf() { throw new Error('trap'); },
        has() { throw new Error('trap'); },
      })],
    ['a revoked Proxy', () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    }],
    ['an Error with a cause cycle', () => {
      const error = new Error('outer') as Error & { cause?: unknown };
      error.cause = error;
      return error;
    }],
    ['typed arrays, Map, Set', () => ({ bytes: new Uint8Array(1_000_000), map: new Map([[{ k: 1 }, 'v']]), set: new Set([1, 2]), buffer: new ArrayBuffer(8) })],
    ['exotic primitives', () => [undefined, NaN, Infinity, -Infinity, 10n, Symbol('s'), () => 1, function named() {}]],
    ['forbidden keys', () => JSON.parse('{"__proto__": {"x": 1}, "constructor": 1, "prototype": 2}')],
    ['window and document', () => [window, document, document.createTextNode('hello'), document.createComment('c')]],
  ];
}

describe('serializeValue', () => {
  it.each(hostileInputs())('%s: never throws, stays bounded and valid for the extension', (_, make) => {
    const value = make();
    let out: unknown;
    expect(() => (out = serializeValue(value))).not.toThrow();
    const text = JSON.stringify(out);
    expect(text.length).toBeLessThan(12 * 1024);
    expect(inspectJson(out, 8)).toBeNull();
  });

  it('describes instead of holding: DOM nodes, errors with stacks, collections', () => {
    const div = document.createElement('div');
    div.id = 'cart';
    div.className = 'open wide';
    expect(serializeValue(div)).toBe('<div id="cart" class="open wide">');
    expect(serializeValue(document.createTextNode('hi'))).toBe('#text "hi"');
    const error = serializeValue(new TypeError('bad thing')) as Record<string, unknown>;
    expect(error).toMatchObject({ '@type': 'Error', name: 'TypeError', message: 'bad thing' });
    expect(String(error.stack)).toContain('bad thing');
    expect(serializeValue(new Uint8Array([1, 2, 3]))).toBe('Uint8Array(3) [1, 2, 3]');
    expect(serializeValue(new Map([['a', 1]]))).toEqual({ '@type': 'Map', size: 1, entries: [['a', 1]] });
    expect(serializeValue(new Set(['x']))).toEqual({ '@type': 'Set', size: 1, values: ['x'] });
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.me = cyclic;
    expect(serializeValue(cyclic)).toEqual({ a: 1, me: '[Circular]' });
  });

  it('never calls getters, and shows them', () => {
    let calls = 0;
    const value = { get lazy() { return ++calls; }, plain: 2 };
    expect(serializeValue(value)).toEqual({ lazy: '[Getter]', plain: 2 });
    expect(calls).toBe(0);
  });

  it('copies values at call time: a later change of the object does not reach what was serialized', () => {
    const state = { step: 1 };
    const out = serializeValue(state);
    state.step = 2;
    expect(out).toEqual({ step: 1 });
  });

  it('redacts secret fields and secrets inside strings', () => {
    expect(json({ password: 'hunter2', user: 'ann', nested: { api_key: 'k', apiKey: 'k2', token: 't' } })).not.toMatch(/hunter2|"k"|"k2"|"t"/);
    expect(serializeValue({ password: 'hunter2' })).toEqual({ password: REDACTED });
    expect(serializeValue('Authorization: Bearer abc.def.ghi123')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(serializeValue('GET https://a.test/?token=secret1&page=2')).toBe(`GET https://a.test/?token=${REDACTED}&page=2`);
  });

  it('cuts long strings and says how long they were', () => {
    const out = serializeValue('y'.repeat(50_000)) as string;
    expect(out.length).toBeLessThan(2100);
    expect(out).toMatch(/\(50000 chars\)$/);
  });
});

describe('formatConsoleMessage', () => {
  it('applies format specifiers and joins the rest', () => {
    expect(formatConsoleMessage(['%s has %d items %c!', 'cart', 3.7, 'color: red', { a: 1 }], 4000)).toBe('cart has 3 items ! {"a":1}');
    expect(formatConsoleMessage(['plain', 1, null, ['x']], 4000)).toBe('plain 1 null ["x"]');
    expect(formatConsoleMessage(['100%% sure %s'], 4000)).toBe('100% sure %s');
  });

  it('caps the message', () => {
    expect(formatConsoleMessage(Array.from({ length: 10 }, () => 'z'.repeat(2000)), 4000).length).toBeLessThan(4100);
  });
});
