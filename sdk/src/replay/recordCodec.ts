/**
 * The stored form of a segment's records (before deflate), lossless: rrweb's JSON spends most of its deflated
 * bytes on what deflate cannot predict — every serialized node's `id` and every record's 13-digit timestamp.
 * rrweb numbers the nodes it serializes one after the other (document order), so a node whose id is the one after
 * the node before it drops its id (the reader counts it back), and timestamps are kept as the difference from the
 * record before. On the bench page (5,000 elements and a mutation storm), the full snapshot deflates to 14 KB
 * instead of 52 KB. Anything unexpected (an id out of order, a timestamp that is not a number) is kept as it is.
 *
 * The node ids that remain (a mutation's parentId / nextId / id, an interaction's target) are written as the
 * difference from the node id written before them, in the JSON's own order: a mutation storm names nodes near each
 * other, so the differences repeat and deflate well (bench page: mutation segments 5.6 → 3.4 KB each, the stored
 * replay 60 → 42 KB).
 *
 * Stored as `{"v":3,"d":true,"i":true,"n":true,"r":[…]}`. Version 2 (without `n`) and a plain array (version 1:
 * segments stored before) read as they were.
 */
import type { ReplayRecord } from '../../schema';

interface SerializedNode {
  id?: number;
  childNodes?: SerializedNode[];
  [key: string]: unknown;
}

export interface StoredRecords {
  v: 3;
  /** Timestamps stored as differences from the record before (false: as they are). */
  d: boolean;
  /** Node ids that follow in document order left out (false: every id as it is). */
  i: boolean;
  /** Integer values of the ID_KEYS written as the difference from the one before (false: as they are). */
  n: boolean;
  r: unknown[];
}

/** Keys whose integer values are rrweb node ids, wherever they are in a record. */
const ID_KEYS = new Set(['id', 'parentId', 'nextId', 'previousId']);

/**
 * A deep copy of `value` with every integer under an ID_KEYS key replaced by its difference from the one before
 * (`state.last`), walked in the order JSON.stringify writes it; `state.ok` turns false if a difference would not be
 * a safe integer (the caller then keeps the ids as they are).
 */
function idsAsDifferences(value: unknown, state: { last: number; ok: boolean }): unknown {
  if (Array.isArray(value)) return value.map((item) => idsAsDifferences(item, state));
  if (!value || typeof value !== 'object') return value;
  // No prototype: a key named __proto__ (an attribute a page may set) stays a key like any other.
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, item] of Object.entries(value)) {
    if (ID_KEYS.has(key) && Number.isSafeInteger(item)) {
      const difference = (item as number) - state.last;
      if (!Number.isSafeInteger(difference)) state.ok = false;
      out[key] = difference;
      state.last = item as number;
    } else out[key] = idsAsDifferences(item, state);
  }
  return out;
}

/** Undoes idsAsDifferences in the freshly parsed JSON (the same order: the text's). */
function idsFromDifferences(value: unknown, state: { last: number }): void {
  if (Array.isArray(value)) {
    for (const item of value) idsFromDifferences(item, state);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (ID_KEYS.has(key) && Number.isSafeInteger(item)) record[key] = state.last += item as number;
    else idsFromDifferences(item, state);
  }
}

const FULL_SNAPSHOT = 2;
const INCREMENTAL = 3;
const MUTATION = 0;

/** The trees of serialized nodes a record carries (a full snapshot's document, a mutation's added nodes). */
function treesOf(record: { type?: unknown; data?: unknown }): { holder: Record<string, unknown>; key: string }[] {
  const data = record.data as { node?: unknown; source?: unknown; adds?: unknown } | undefined;
  if (!data || typeof data !== 'object') return [];
  if (record.type === FULL_SNAPSHOT && data.node && typeof data.node === 'object') return [{ holder: data as Record<string, unknown>, key: 'node' }];
  if (record.type === INCREMENTAL && data.source === MUTATION && Array.isArray(data.adds))
    return data.adds.filter((add): add is Record<string, unknown> => !!add && typeof add === 'object' && !!(add as { node?: unknown }).node).map((holder) => ({ holder, key: 'node' }));
  return [];
}

/** Whether every node of the tree has an integer id (what rrweb writes); otherwise ids are kept as they are. */
function allIds(node: SerializedNode): boolean {
  if (!Number.isSafeInteger(node.id)) return false;
  return !Array.isArray(node.childNodes) || node.childNodes.every((child) => !!child && typeof child === 'object' && allIds(child));
}

/** A copy of the tree with the ids that follow in document order left out; `counter.next`: the id expected first. */
function dropIds(node: SerializedNode, counter: { next: number | null }): SerializedNode {
  const { id, childNodes, ...rest } = node;
  const out: SerializedNode = rest;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id === counter.next) counter.next = id + 1;
  else {
    out.id = id;
    counter.next = typeof id === 'number' && Number.isSafeInteger(id) ? id + 1 : null;
  }
  if (childNodes !== undefined) out.childNodes = Array.isArray(childNodes) ? childNodes.map((child) => (child && typeof child === 'object' ? dropIds(child, counter) : child)) : childNodes;
  return out;
}

/** Puts the left-out ids back, in the same order (mutates the freshly parsed tree). */
function restoreIds(node: SerializedNode, counter: { next: number | null }): void {
  if (!('id' in node) && counter.next !== null) node.id = counter.next;
  counter.next = typeof node.id === 'number' && Number.isSafeInteger(node.id) ? node.id + 1 : null;
  if (Array.isArray(node.childNodes)) for (const child of node.childNodes) if (child && typeof child === 'object') restoreIds(child, counter);
}

export function encodeRecords(records: ReplayRecord[]): StoredRecords {
  const deltas = records.every((r) => Number.isSafeInteger(r.timestamp));
  const ids = records.every((record) => treesOf(record).every(({ holder, key }) => allIds(holder[key] as SerializedNode)));
  const counter = { next: null as number | null };
  let previous = 0;
  const r = records.map((record) => {
    const copy: Record<string, unknown> = { ...record };
    if (deltas) {
      copy.timestamp = record.timestamp - previous;
      previous = record.timestamp;
    }
    if (ids && treesOf(record).length) {
      // The record's own objects are left as they are: its data (and a mutation's adds) copied, then the trees
      // found in the copy, in the order the reader restores them (treesOf both ways).
      const data = { ...(record.data as Record<string, unknown>) };
      if (Array.isArray(data.adds)) data.adds = data.adds.map((add: unknown) => (add && typeof add === 'object' ? { ...add } : add));
      copy.data = data;
      for (const { holder, key } of treesOf(copy)) holder[key] = dropIds(holder[key] as SerializedNode, counter);
    }
    return copy;
  });
  const state = { last: 0, ok: true };
  const withDifferences = idsAsDifferences(r, state) as unknown[];
  return state.ok ? { v: 3, d: deltas, i: ids, n: true, r: withDifferences } : { v: 3, d: deltas, i: ids, n: false, r };
}

/** The records of a stored segment (freshly parsed: decoded in place): versions 3 and 2 decoded, a plain array (version 1) as it is. */
export function decodeRecords(stored: unknown): ReplayRecord[] {
  if (Array.isArray(stored)) return stored as ReplayRecord[];
  const { v, d, i, n, r } = (stored ?? {}) as { v?: unknown; d?: boolean; i?: boolean; n?: boolean; r?: unknown };
  if ((v !== 2 && v !== 3) || !Array.isArray(r)) throw new Error('not a stored replay segment');
  if (v === 3 && n) idsFromDifferences(r, { last: 0 });
  const counter = { next: null as number | null };
  let previous = 0;
  for (const record of r as Record<string, unknown>[]) {
    if (d && typeof record.timestamp === 'number') record.timestamp = previous += record.timestamp;
    if (i) for (const { holder, key } of treesOf(record)) restoreIds(holder[key] as SerializedNode, counter);
  }
  return r as ReplayRecord[];
}
