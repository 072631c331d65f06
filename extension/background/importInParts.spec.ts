import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { makeSession } from '../../tests/unit/support/sessionFixtures';
import { RumscopeDb } from '../storage/db';
import { exportSessions } from '../storage/exportBundle';
import { createImportInParts } from './importInParts';

let from: RumscopeDb;
let to: RumscopeDb;
let n = 0;
beforeEach(() => {
  from = new RumscopeDb(`parts-from-${++n}`);
  to = new RumscopeDb(`parts-to-${n}`);
});
afterEach(async () => {
  for (const db of [from, to]) {
    db.close();
    await db.delete();
  }
});

/** An exported bundle's text cut into `count` parts (a cut may fall anywhere, even inside a string). */
async function parts(count: number) {
  await from.sessions.bulkPut([makeSession({ id: 's1' }), makeSession({ id: 's2' })]);
  const text = await (await exportSessions(from, 'all', { name: 'rumscope-extension', version: '0.1.0' })).blob.text();
  const size = Math.ceil(text.length / count);
  return Array.from({ length: count }, (_, i) => text.slice(i * size, (i + 1) * size));
}

describe('a bundle imported in parts', () => {
  test('the parts, joined in order, import as the whole file does', async () => {
    const imports = createImportInParts(to);
    for (const [index, text] of (await parts(7)).entries()) await imports.part({ importId: 'a', index, text });
    expect(await imports.end({ importId: 'a', parts: 7 })).toEqual({ added: 2, unchanged: 0, kept: [] });
    expect((await to.sessions.toArray()).map((s) => s.id).sort()).toEqual(['s1', 's2']);
  });

  test('a part out of order, or parts lost to a background restart, import nothing and say so', async () => {
    const cut = await parts(3);
    const imports = createImportInParts(to);
    await imports.part({ importId: 'a', index: 0, text: cut[0]! });
    await expect(imports.part({ importId: 'a', index: 2, text: cut[2]! })).rejects.toThrow(/out of order.*Nothing was imported/);
    // A restarted background knows none of the parts sent before.
    const restarted = createImportInParts(to);
    await restarted.part({ importId: 'b', index: 0, text: cut[0]! }).catch(() => undefined);
    await expect(restarted.end({ importId: 'b', parts: 3 })).rejects.toThrow(/lost.*Nothing was imported/);
    await expect(restarted.end({ importId: 'never-sent', parts: 1 })).rejects.toThrow(/lost/);
    expect(await to.sessions.count()).toBe(0);
  });

  test('text that is not an export is refused whole', async () => {
    const imports = createImportInParts(to);
    await imports.part({ importId: 'a', index: 0, text: '{"format":' });
    await expect(imports.end({ importId: 'a', parts: 1 })).rejects.toThrow(/not JSON/);
    await imports.part({ importId: 'b', index: 0, text: '{"format":"something else"}' });
    await expect(imports.end({ importId: 'b', parts: 1 })).rejects.toThrow(/not a valid Rumscope export/);
  });

  test('an upload left unfinished is dropped after two minutes', async () => {
    let now = 0;
    const imports = createImportInParts(to, () => now);
    const cut = await parts(2);
    await imports.part({ importId: 'a', index: 0, text: cut[0]! });
    now = 3 * 60_000;
    await imports.part({ importId: 'other', index: 0, text: 'x' });
    await expect(imports.part({ importId: 'a', index: 1, text: cut[1]! })).rejects.toThrow(/out of order/);
  });
});
