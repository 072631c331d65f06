/**
 * The stored form of a segment's records (before deflate), lossless: rrweb's JSON spends most of its deflated
 * bytes on what deflate cannot predict — every serialized node's `id` and every record's 13-digit timestamp.
 * rrweb numbers the nodes it serializes one after the other (document order), so a node whose id is the one after
 * the node before it drops its id (the reader counts it back), and timestamps are kept as the difference from the
 * record before. On the bench page (5,000 elements and a mutation storm), the full snapshot deflates to 14 KB
 * instead of 52 KB. Anything unexpected (an id out of order, a timestamp that is not a number) is kept as it is.
 *
 * Stored as `{"v":2,"d":true,"i":true,"r":[…]}`; a plain array is a segment stored before (version 1), read as it is.
 */
import type { ReplayRecord } from '../../schema';

interface SerializedNode {
  id?: number;
  childNodes?: SerializedNode[];
  [key: string]: unknown;
}

export interface StoredRecords {
  v: 2;
  /** Timestamps stored as differences from the record before (false: as they are). */
  d: boolean;
  /** Node ids that follow in document order left out (false: every id as it is). */
  i: boolean;
  r: unknown[];
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

/** A copy of the tree with the ids that follow in document order left out; `next`: the id expected first. */
/** Whether every node of the tree has an integer id (what rrweb writes); otherwise ids are kept as they are. */
function allIds(node: SerializedNode): boolean {
  if (!Number.isSafeInteger(node.id)) return false;
  return !Array.isArray(node.childNodes) || node.childNodes.every((child) => !!child && typeof child === 'object' && allIds(child));
}

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
  return { v: 2, d: deltas, i: ids, r };
}

/** The records of a stored segment: version 2 decoded, a plain array (version 1) as it is. */
export function decodeRecords(stored: unknown): ReplayRecord[] {
  if (Array.isArray(stored)) return stored as ReplayRecord[];
  const { v, d, i, r } = (stored ?? {}) as Partial<StoredRecords>;
  if (v !== 2 || !Array.isArray(r)) throw new Error('not a stored replay segment');
  const counter = { next: null as number | null };
  let previous = 0;
  for (const record of r as Record<string, unknown>[]) {
    if (d && typeof record.timestamp === 'number') record.timestamp = previous += record.timestamp;
    if (i) for (const { holder, key } of treesOf(record)) restoreIds(holder[key] as SerializedNode, counter);
  }
  return r as ReplayRecord[];
}
