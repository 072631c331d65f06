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
    expect(stored).toMatchObject({ v: 2, d: true, i: true });
    const json = JSON.stringify(stored);
    // Only the ids that break the order are written: the first one, and 12 after 9.
    expect([...json.matchAll(/"id":(\d+)/g)].map((m) => Number(m[1]))).toEqual([1, 6, 12, 5]);
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
    expect(() => decodeRecords({ v: 3, r: [] })).toThrow(/not a stored replay segment/);
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
