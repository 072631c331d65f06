import type { JsonValue } from '../../schema';
import { redactStack, REDACTED } from './redactUrl';
import { redactText, SECRET_NAME } from './redactText';

/**
 * Bounded, reference-free JSON copies of arbitrary page values (console arguments). It never runs page code it
 * can avoid: own properties are read through their descriptors (a getter is shown as "[Getter]", not called),
 * so a throwing getter or a hostile Proxy costs a placeholder, never an exception or a side effect.
 */
export interface SerializeLimits {
  /** Nesting kept; deeper objects become "[Object]" / "[Array(n)]". */
  maxDepth: number;
  /** Approximate JSON characters of the result. */
  maxChars: number;
  /** Characters kept of one string. */
  maxString: number;
  /** Keys of one object / items of one array, map or set. */
  maxItems: number;
}

export const DEFAULT_SERIALIZE_LIMITS: SerializeLimits = { maxDepth: 4, maxChars: 8 * 1024, maxString: 2000, maxItems: 50 };

/** Keys the extension's validator refuses anywhere in an event: renamed, so the event is kept. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

// Taken at load (document start, before the page's scripts) so a page patching them later changes nothing here.
const mapForEach = Map.prototype.forEach;
const setForEach = Set.prototype.forEach;
const getDescriptor = Object.getOwnPropertyDescriptor;
const ownKeys = Object.keys;
const isArray = Array.isArray;
const dateToIso = Date.prototype.toISOString;
const regexpToString = RegExp.prototype.toString;
const symbolToString = Symbol.prototype.toString;

const UNSERIALIZABLE = '[Unserializable]';

export function cutString(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** A data property's value; accessors are not called. */
function readOwn(target: object, key: PropertyKey): { value: unknown } | { accessor: string } | null {
  const descriptor = getDescriptor(target, key);
  if (!descriptor) return null;
  if ('value' in descriptor) return { value: descriptor.value };
  return { accessor: descriptor.get && descriptor.set ? '[Getter/Setter]' : descriptor.get ? '[Getter]' : '[Setter]' };
}

function functionName(fn: unknown): string {
  try {
    const name = typeof fn === 'function' ? readOwn(fn, 'name') : null;
    return name && 'value' in name && typeof name.value === 'string' ? name.value.slice(0, 100) : '';
  } catch {
    return '';
  }
}

/** `<div id="cart" class="open wide">`, `#text "…"`, `#document`: what a DOM node is, never the node. */
export function describeNode(node: Node): string {
  switch (node.nodeType) {
    case 1: {
      const element = node as Element;
      const id = element.getAttribute('id');
      const cls = element.getAttribute('class');
      const attrs = (id ? ` id="${cutString(id, 100)}"` : '') + (cls ? ` class="${cutString(cls, 100)}"` : '');
      return `<${element.localName}${attrs}>`;
    }
    case 3:
      return `#text "${cutString(node.nodeValue ?? '', 100)}"`;
    case 8:
      return `<!--${cutString(node.nodeValue ?? '', 100)}-->`;
    case 9:
      return '#document';
    case 11:
      return '#document-fragment';
    default:
      return `#${node.nodeName}`;
  }
}

const isNode = (value: object): value is Node => typeof Node === 'function' && value instanceof Node;
const isWindow = (value: object) => typeof Window === 'function' && value instanceof Window;

function typedArrayPreview(view: ArrayBufferView, maxItems: number): string {
  const name = (view as { constructor?: { name?: string } }).constructor?.name ?? 'TypedArray';
  if (view instanceof DataView) return `DataView(${view.byteLength})`;
  const array = view as unknown as ArrayLike<number | bigint>;
  const length = array.length;
  const shown: string[] = [];
  for (let i = 0; i < Math.min(length, Math.min(maxItems, 20)); i++) shown.push(String(array[i]));
  return `${name}(${length}) [${shown.join(', ')}${length > shown.length ? ', …' : ''}]`;
}

export function serializeValue(input: unknown, limits: SerializeLimits = DEFAULT_SERIALIZE_LIMITS): JsonValue {
  let budget = limits.maxChars;
  const ancestors: object[] = [];

  const leaf = (text: string): string => {
    const out = redactText(cutString(text, Math.max(16, Math.min(limits.maxString, budget))));
    budget -= out.length + 3;
    return out;
  };

  const visit = (value: unknown, depth: number): JsonValue => {
    try {
      switch (typeof value) {
        case 'string':
          return leaf(value);
        case 'number':
          budget -= 8;
          return Number.isFinite(value) ? value : String(value);
        case 'boolean':
          budget -= 5;
          return value;
        case 'undefined':
          budget -= 9;
          return 'undefined';
        case 'bigint':
          return leaf(`${value}n`);
        case 'symbol':
          return leaf(symbolToString.call(value));
        case 'function':
          return leaf(`ƒ ${functionName(value)}()`);
      }
      if (value === null) {
        budget -= 4;
        return null;
      }
      const object = value as object;
      if (ancestors.includes(object)) return leaf('[Circular]');
      if (isNode(object)) return leaf(describeNode(object));
      if (isWindow(object)) return leaf('[Window]');
      if (object instanceof Error) return serializeError(object, depth);
      if (object instanceof Date) return leaf(Number.isNaN(object.getTime()) ? 'Invalid Date' : dateToIso.call(object));
      if (object instanceof RegExp) return leaf(regexpToString.call(object));
      if (ArrayBuffer.isView(object)) return leaf(typedArrayPreview(object, limits.maxItems));
      if (object instanceof ArrayBuffer) return leaf(`ArrayBuffer(${object.byteLength})`);
      if (typeof Blob === 'function' && object instanceof Blob) return leaf(`${object instanceof File ? `File "${object.name}"` : 'Blob'} (${object.type || 'no type'}, ${object.size} bytes)`);
      if (object instanceof Promise) return leaf('Promise');
      if (object instanceof WeakMap || object instanceof WeakSet || (typeof WeakRef === 'function' && object instanceof WeakRef)) {
        return leaf(object instanceof WeakMap ? 'WeakMap' : object instanceof WeakSet ? 'WeakSet' : 'WeakRef');
      }
      if (depth >= limits.maxDepth || budget <= 0) {
        return leaf(isArray(object) ? `[Array(${(object as unknown[]).length})]` : object instanceof Map ? `[Map(${object.size})]` : object instanceof Set ? `[Set(${object.size})]` : '[Object]');
      }
      ancestors.push(object);
      try {
        if (object instanceof Map) return collection('Map', object.size, (each) => mapForEach.call(object, (v, k) => each([visit(k, depth + 2), visit(v, depth + 2)])));
        if (object instanceof Set) return collection('Set', object.size, (each) => setForEach.call(object, (v) => each(visit(v, depth + 1))));
        if (isArray(object)) return array(object, depth);
        return plainObject(object, depth);
      } finally {
        ancestors.pop();
      }
    } catch {
      // A revoked Proxy, a throwing trap, a cross-origin object: a placeholder, never an exception.
      return leaf(UNSERIALIZABLE);
    }
  };

  const collection = (type: 'Map' | 'Set', size: number, iterate: (each: (item: JsonValue) => void) => void): JsonValue => {
    const items: JsonValue[] = [];
    const stop = {};
    try {
      iterate((item) => {
        if (items.length >= limits.maxItems || budget <= 0) throw stop;
        items.push(item);
      });
    } catch (error) {
      if (error !== stop) throw error;
    }
    budget -= 20;
    return { '@type': type, size, [type === 'Map' ? 'entries' : 'values']: items };
  };

  const array = (items: unknown[], depth: number): JsonValue => {
    const length = (readOwn(items, 'length') as { value: number } | null)?.value ?? 0;
    const out: JsonValue[] = [];
    for (let i = 0; i < length; i++) {
      if (i >= limits.maxItems || budget <= 0) {
        out.push(leaf(`… ${length - i} more`));
        break;
      }
      const item = readOwn(items, String(i));
      out.push(!item ? leaf('<empty>') : 'value' in item ? visit(item.value, depth + 1) : leaf(item.accessor));
    }
    budget -= 2;
    return out;
  };

  const plainObject = (object: object, depth: number): JsonValue => {
    const keys = ownKeys(object);
    const out: Record<string, JsonValue> = {};
    let kept = 0;
    for (const key of keys) {
      if (kept >= limits.maxItems || budget <= 0) {
        out['…'] = leaf(`${keys.length - kept} more`);
        break;
      }
      const name = FORBIDDEN_KEYS.has(key) ? `[${key}]` : key.length > 200 ? cutString(key, 200) : key;
      budget -= name.length + 4;
      kept++;
      if (SECRET_NAME.test(key)) {
        out[name] = REDACTED;
        continue;
      }
      let item: ReturnType<typeof readOwn>;
      try {
        item = readOwn(object, key);
      } catch {
        out[name] = leaf(UNSERIALIZABLE);
        continue;
      }
      if (item) out[name] = 'value' in item ? visit(item.value, depth + 1) : leaf(item.accessor);
    }
    return out;
  };

  const serializeError = (error: Error, depth: number): JsonValue => {
    const read = (key: string): unknown => {
      try {
        return (error as unknown as Record<string, unknown>)[key];
      } catch {
        return undefined;
      }
    };
    const name = read('name');
    const message = read('message');
    const stack = read('stack');
    const out: Record<string, JsonValue> = {
      '@type': 'Error',
      name: leaf(typeof name === 'string' ? name : 'Error'),
      message: leaf(typeof message === 'string' ? message : ''),
    };
    if (typeof stack === 'string') out.stack = leaf(redactStack(stack.slice(0, 4000)));
    const cause = read('cause');
    if (cause !== undefined && depth < limits.maxDepth) out.cause = visit(cause, depth + 1);
    return out;
  };

  return visit(input, 0);
}

/** How an argument reads in a message: strings as they are, everything else as compact JSON. */
export function previewOf(value: JsonValue, max: number): string {
  if (typeof value === 'string') return cutString(value, max);
  try {
    return cutString(JSON.stringify(value), max);
  } catch {
    return UNSERIALIZABLE;
  }
}

/**
 * The console's own formatting: a first string argument's %s %d %i %f %o %O %j %c specifiers take the next
 * arguments, the rest are joined by spaces. Works on serialized arguments only.
 */
export function formatConsoleMessage(args: JsonValue[], maxChars: number): string {
  if (!args.length) return '';
  const parts: string[] = [];
  let rest = args;
  const first = args[0];
  if (typeof first === 'string' && first.includes('%')) {
    let next = 1;
    const formatted = first.replace(/%([sdifoOjc%])/g, (match, spec: string) => {
      if (spec === '%') return '%';
      if (next >= args.length) return match;
      const arg = args[next++]!;
      if (spec === 'c') return ''; // CSS
      if (spec === 'd' || spec === 'i') return typeof arg === 'number' ? String(Math.trunc(arg)) : 'NaN';
      if (spec === 'f') return typeof arg === 'number' ? String(arg) : 'NaN';
      return previewOf(arg, maxChars);
    });
    parts.push(formatted);
    rest = args.slice(next);
  } else {
    parts.push(previewOf(first!, maxChars));
    rest = args.slice(1);
  }
  for (const arg of rest) {
    if (parts.reduce((n, p) => n + p.length, 0) > maxChars) break;
    parts.push(previewOf(arg, maxChars));
  }
  return cutString(parts.join(' '), maxChars);
}
