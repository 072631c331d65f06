import { describe, expect, it } from 'vitest';
import { keyTable, sessionKey, sessionKeys } from './sessionKey';

describe('sessionKey', () => {
  it('is a whole number below 2^53, the same for the same id, different for 200,000 ids of the shapes stored', () => {
    const ids = Array.from({ length: 200_000 }, (_, i) => (i % 2 ? `s-${i}` : `${(1_765_000_000_000 + i).toString(36)}-${(i * 2_654_435_761 >>> 0).toString(36)}`));
    const keys = sessionKeys(ids);
    expect(keys.every((key) => Number.isSafeInteger(key) && key >= 0)).toBe(true);
    expect(new Set(keys).size).toBe(ids.length);
    expect(sessionKey(ids[7]!)).toBe(keys[7]);
    // One character apart, or the same characters in another order.
    expect(sessionKey('ab')).not.toBe(sessionKey('ba'));
    expect(sessionKey('a')).not.toBe(sessionKey('b'));
    expect(sessionKey('')).not.toBe(sessionKey('\u0000'));
  });
});

describe('keyTable', () => {
  it("finds each row by its key and no row for any other key, over the first `size` rows only", () => {
    const ids = Array.from({ length: 5_000 }, (_, i) => `row-${i}`);
    // Room for more rows than held, as the dashboard's columns have.
    const keys = new Float64Array(8_000);
    keys.set(sessionKeys(ids));
    const table = keyTable(keys, ids.length);
    ids.forEach((id, row) => expect(table.rowOf(sessionKey(id))).toBe(row));
    expect(table.rowOf(sessionKey('row-5000'))).toBe(-1);
    expect(table.rowOf(0)).toBe(-1);
    expect(keyTable(new Float64Array(0), 0).rowOf(sessionKey('a'))).toBe(-1);
  });
});
