import { deflateSync, strToU8 } from 'fflate';
import { describe, expect, test } from 'vitest';
import type { ReplayRecord } from '../../schema';
import { decodeRecords, encodeRecords } from './recordCodec';
import { compressRecords, decompressRecords, decompressRecordsNative } from './segmentCodec';

const T0 = 1_796_177_188_415;
const el = (id: number, tagName: string, childNodes: unknown[] = [], attributes: Record<string, string> = {}) => ({ type: 2, tagName, attributes, childNodes, id });
const text = (id: number, textContent: string) => ({ type: 3, textContent, id });

/** A page's first records as rrweb writes them: ids in document order, then a mutation adding a subtree. */
function recording(): ReplayRecord[] {
  return [
    { type: 4, timestamp: T0, data: { href: 'https://shop.test/', width: 800, height: 600 } },
    {
      type: 2,
      timestamp: T0 + 3,
      data: { node: { type: 0, childNodes: [el(2, 'html', [el(3, 'head'), el(4, 'body', [el(5, 'p', [text(6, 'Hello')], { class: 'x' }), el(7, 'ul')])])], id: 1 }, initialOffset: { top: 0, left: 0 } },
    },
    { type: 3, timestamp: T0 + 1_000, data: { source: 0, texts: [{ id: 6, value: 'Hi' }], attributes: [], removes: [], adds: [{ parentId: 7, nextId: null, node: el(8, 'li', [text(9, 'one')]) }, { parentId: 7, nextId: 8, node: el(12, 'li') }] } },
    { type: 3, timestamp: T0 + 990, data: { source: 2, type: 2, id: 5, x: 10, y: 20 } },
  ] as ReplayRecord[];
}

describe("a segment's records in their stored form", () => {
  test('read back exactly as recorded, ids in document order left out and timestamps as differences', () => {
    const records = recording();
    const before = structuredClone(records);
    const stored = encodeRecords(records);
    expect(records).toEqual(before); // the records given are not changed
    expect(stored).toMatchObject({ v: 3, d: true, i: true, n: true });
    const json = JSON.stringify(stored);
    // Only the ids that break the order are written (the first one, and 12 after 9), each as the difference from
    // the node id written before it: 1; then the mutation's text 6 (+5), its parents 7 (+1) and 7 (0), the nextId 8
    // (+1), the added 12 (+4); the click on 5 (-7).
    expect([...json.matchAll(/"(id|parentId|nextId)":(-?\d+)/g)].map((m) => `${m[1]} ${m[2]}`)).toEqual(['id 1', 'id 5', 'parentId 1', 'parentId 0', 'nextId 1', 'id 4', 'id -7']);
    expect((stored.r as { timestamp: number }[]).map((r) => r.timestamp)).toEqual([T0, 3, 997, -10]);
    expect(decodeRecords(JSON.parse(json))).toEqual(before);
  });

  test('what does not look like rrweb is kept as it is (ids missing or not integers, timestamps not numbers)', () => {
    const odd = recording();
    ((odd[1]!.data as { node: { childNodes: { id?: unknown }[] } }).node.childNodes[0]!).id = 'two';
    const stored = encodeRecords(odd);
    expect(stored.i).toBe(false);
    expect(decodeRecords(JSON.parse(JSON.stringify(stored)))).toEqual(JSON.parse(JSON.stringify(odd)));
    const untimed = [{ type: 5, timestamp: 1.5, data: { tag: 'x' } }] as unknown as ReplayRecord[];
    expect(encodeRecords(untimed).d).toBe(false);
    expect(decodeRecords(JSON.parse(JSON.stringify(encodeRecords(untimed))))).toEqual(untimed);
    expect(() => decodeRecords({ v: 4, r: [] })).toThrow(/not a stored replay segment/);
  });

  test('any JSON round-trips, whatever sits under the id keys (random records, a key named __proto__, ids too large to subtract)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const pick = <T,>(items: T[]) => items[Math.floor(random() * items.length)]!;
    const leaf = () => pick<unknown>([Math.floor(random() * 20_000) - 100, 1.5, 'x', null, true, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 60]);
    const value = (depth: number): unknown => {
      if (depth > 3 || random() < 0.3) return leaf();
      if (random() < 0.4) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      const out: Record<string, unknown> = {};
      for (let k = Math.floor(random() * 5); k > 0; k--) Object.defineProperty(out, pick(['id', 'parentId', 'nextId', 'previousId', 'x', '__proto__', 'node']), { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
      return out;
    };
    for (let round = 0; round < 200; round++) {
      const records = Array.from({ length: 3 }, (_, k) => ({ type: pick([2, 3, 4, 5]), timestamp: T0 + k, data: value(0) })) as unknown as ReplayRecord[];
      const json = JSON.stringify(records);
      expect(JSON.stringify(decodeRecords(JSON.parse(JSON.stringify(encodeRecords(records)))))).toBe(json);
    }
    const huge = [{ type: 3, timestamp: T0, data: { source: 2, id: Number.MAX_SAFE_INTEGER } }, { type: 3, timestamp: T0, data: { source: 2, id: -Number.MAX_SAFE_INTEGER } }] as unknown as ReplayRecord[];
    expect(encodeRecords(huge).n).toBe(false);
    expect(decodeRecords(JSON.parse(JSON.stringify(encodeRecords(huge))))).toEqual(huge);
  });

  test('segments stored in version 2 (ids as they are) still read', () => {
    const v2 = { v: 2, d: true, i: false, r: [{ type: 3, timestamp: T0, data: { source: 0, texts: [], attributes: [], removes: [{ parentId: 7, id: 8 }], adds: [] } }] };
    expect(decodeRecords(structuredClone(v2))).toEqual(v2.r);
  });

  test('segments stored before (a plain array of records) read as they were; new ones deflate smaller', async () => {
    const records = recording();
    const old = deflateSync(strToU8(JSON.stringify(records)), { level: 6 });
    expect(decompressRecords(old)).toEqual(records);
    expect(await decompressRecordsNative(old)).toEqual(records);
    const { data, rawChars } = compressRecords(records);
    expect(decompressRecords(data, rawChars)).toEqual(records);
    expect(await decompressRecordsNative(data)).toEqual(records);
    expect(rawChars).toBeLessThan(JSON.stringify(records).length);
  });
});
