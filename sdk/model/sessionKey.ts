/**
 * A session id as a number: what the extension's compacted search postings hold (storage/searchPostings.ts) and what
 * the dashboard's columns keep per row (panel/dashboard/sessionColumns.ts), so that a search's hits travel as one
 * Float64Array and are turned into rows by a table of numbers, not by hashing tens of thousands of id strings.
 *
 * cyrb53 (a public-domain 53-bit string hash, two 32-bit multiply-xorshift lanes): a whole double, exact in a
 * Float64Array. Two distinct ids share a key with a chance of 2^-53; among 100,000 sessions the chance that any two
 * do is ~5.6e-7, among 1,000,000 ~5.6e-5. Such a pair would only make a search that hits one show the other too.
 */
export function sessionKey(id: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The keys of these ids, in their order. */
export function sessionKeys(ids: readonly string[]): Float64Array {
  const out = new Float64Array(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = sessionKey(ids[i]!);
  return out;
}

/**
 * Rows by key: an open-addressing table over `keys[0..size)` (each row's key). `rowOf(key)` is the row holding that
 * key, or -1. Building it for 100,000 rows is two typed-array passes; a lookup is a few array reads.
 */
export interface KeyTable {
  rowOf(key: number): number;
}

export function keyTable(keys: Float64Array, size: number): KeyTable {
  let bits = 4;
  while (1 << bits < size * 2) bits++;
  const mask = (1 << bits) - 1;
  // Each slot: row + 1 (0: empty).
  const slots = new Int32Array(1 << bits);
  // The low 32 bits of a key (ToInt32 keeps them) are its hash's first lane: well spread. (`key % 2 ** 32` on a double
  // was a call to fmod per lookup.)
  const slotOf = (key: number) => key & mask;
  for (let row = 0; row < size; row++) {
    let slot = slotOf(keys[row]!);
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = row + 1;
  }
  return {
    rowOf(key) {
      let slot = slotOf(key);
      for (;;) {
        const at = slots[slot]!;
        if (at === 0) return -1;
        if (keys[at - 1] === key) return at - 1;
        slot = (slot + 1) & mask;
      }
    },
  };
}
