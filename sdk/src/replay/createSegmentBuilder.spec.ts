import { describe, expect, test } from 'vitest';
import { createSegmentBuilder } from './createSegmentBuilder';

describe('createSegmentBuilder', () => {
  const collect = (maxChars?: number) => {
    const out: { json: string; reason: string }[] = [];
    const builder = createSegmentBuilder({ onSegment: (json, reason) => out.push({ json, reason }), ...(maxChars ? { maxChars } : {}) });
    return { builder, out };
  };
  const rec = (t: number, pad = '') => JSON.stringify({ type: 3, timestamp: t, data: { pad } });

  test('cuts at a view change, by size and by time; each segment is one valid payload', () => {
    const { builder, out } = collect(200);
    builder.add(rec(1), 'v1', 1000);
    builder.add(rec(2), 'v1', 1001);
    builder.add(rec(3), 'v2', 1002); // new view: the v1 segment goes
    expect(out.map((s) => s.reason)).toEqual(['view']);
    expect(JSON.parse(out[0]!.json)).toEqual({ viewId: 'v1', reason: 'view', records: [JSON.parse(rec(1)), JSON.parse(rec(2))] });
    builder.add(rec(4, 'x'.repeat(200)), 'v2', 1003); // over 200 chars
    expect(out.map((s) => s.reason)).toEqual(['view', 'size']);
    expect(JSON.parse(out[1]!.json).records).toHaveLength(2);
    builder.add(rec(5), 'v2', 2000);
    expect(builder.isDue(6999)).toBe(false);
    expect(builder.isDue(7000)).toBe(true);
    builder.flush('time');
    expect(builder.pending).toBe(0);
    builder.flush('exit'); // nothing pending: nothing sent
    expect(out.map((s) => s.reason)).toEqual(['view', 'size', 'time']);
  });
});
