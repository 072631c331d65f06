import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SearchKind } from '../../sdk/schema';
import { distinctTexts, indexTexts, termRows, termsOf, type TermRow } from './search';
import { rng } from '../../bench/rng';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../testing/testStores';
import type { Store } from './openDatabase';

/** termRows as it was written first: each text through termsOf (which clips it again), hits counted per (kind, term). */
function reference(sessionId: string, texts: readonly { kind: string; text: string }[]): TermRow[] {
  const terms = new Map<string, TermRow>();
  for (const row of texts) {
    for (const term of termsOf(row.text)) {
      const key = `${row.kind}\u0000${term}`;
      const known = terms.get(key);
      if (known) known.hits++;
      else terms.set(key, { term, session_id: sessionId, kind: row.kind, hits: 1 });
    }
  }
  return [...terms.values()];
}

/** Pieces of text where splitting, case and cutting are easy to get wrong. */
const PIECES = [
  'TypeError:', 'Cannot', 'read', 'properties', 'of', 'undefined', "(reading 'price')", 'GET', '/api/cart?x=1&y=2', '500', 'https://shop.example.com/products/shoes',
  'ΑΣ.Β', 'ΟΔΟΣ', 'İstanbul', 'straße', 'ǅ', 'Ⓐ', 'e\u0301', '😀', '👩‍💻', '\ud800', 'x\udc00y', '中文字符', 'كلمة', '\u00a0', '\u2028', '\u3000', '\t', '\n', '  ', '—', '…', '€', '+', '@',
  'a'.repeat(70), 'B'.repeat(64) + 'C', 'user.email: qa@example.com', 'plan: gold', '',
  // ASCII that is neither letter, digit, space nor the usual punctuation (termRows scans ASCII texts by a table).
  '\u0000', 'a\u0001b', '\u001c', '\u001f', '\u007f', '\u000b', '\f', '\r', '_', '`', '^', '|', '~', '$', '<=>', 'snake_case', 'x^2', 'A|B',
];

function randomText(rand: () => number): string {
  const out: string[] = [];
  const n = 1 + Math.floor(rand() * 40);
  for (let i = 0; i < n; i++) out.push(PIECES[Math.floor(rand() * PIECES.length)]!, [' ', '', '  ', '-', '.', '\u00a0'][Math.floor(rand() * 6)]!);
  return out.join('');
}

describe('termRows', () => {
  it('gives the rows termsOf gives, hits included, for texts as distinctTexts cuts them (long, Unicode, odd whitespace)', () => {
    const rand = rng(5);
    let compared = 0;
    for (let session = 0; session < 300; session++) {
      const raw: [SearchKind, string][] = [];
      for (let i = 0; i < 1 + Math.floor(rand() * 12); i++) raw.push([(['url', 'error', 'action', 'api'] as const)[Math.floor(rand() * 4)]!, randomText(rand)]);
      // Some texts twice (with other whitespace) and cut at the 300-character limit in the middle of a space run.
      raw.push(['url', `${'w '.repeat(149)}x${' \t '.repeat(5)}tail`]);
      const texts = distinctTexts(raw).map(([kind, text]) => ({ kind, text }));
      const got = termRows(`s${session}`, texts);
      expect(got).toEqual(reference(`s${session}`, texts));
      compared += got.length;
    }
    expect(compared).toBeGreaterThan(10_000);
  });

  it('counts a term once per text and once more per other text holding it', () => {
    const rows = termRows('s1', [
      { kind: 'error', text: 'TypeError: x is undefined; TypeError again' },
      { kind: 'error', text: 'typeerror' },
      { kind: 'url', text: 'TypeError' },
    ]);
    expect(rows.filter((row) => row.term === 'typeerror')).toEqual([
      { term: 'typeerror', session_id: 's1', kind: 'error', hits: 2 },
      { term: 'typeerror', session_id: 's1', kind: 'url', hits: 1 },
    ]);
  });
});

describe.each(DIALECTS)('indexTexts on %s', (dialect) => {
  let database: TestDatabase;
  let store: Store;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    store = await database.openMigrated();
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  const index = (bySession: Record<string, [SearchKind, string][]>) => store.transaction((trx) => indexTexts(trx, new Map(Object.entries(bySession))));
  const stored = async () => {
    const rows = await store.db.selectFrom('search_terms').select(['term', 'session_id', 'kind', 'hits']).orderBy('session_id').orderBy('kind').orderBy('term').execute();
    return rows.map((row) => ({ ...row, hits: Number(row.hits) }));
  };
  /** The rows termRows gives for each session's distinct texts, all written at once. */
  const expected = (bySession: Record<string, [SearchKind, string][]>) =>
    Object.entries(bySession)
      .flatMap(([id, raw]) => termRows(id, distinctTexts(raw).map(([kind, text]) => ({ kind, text }))))
      .sort((a, b) => (a.session_id < b.session_id ? -1 : a.session_id > b.session_id ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.term < b.term ? -1 : a.term > b.term ? 1 : 0));

  it('counts each distinct text of a session once, however its texts come (a new session, again, with more)', async () => {
    const first: [SearchKind, string][] = [['error', 'TypeError: boom'], ['error', 'TypeError:  boom'], ['url', 'https://shop.test/cart Cart']];
    const more: [SearchKind, string][] = [['error', 'TypeError: boom'], ['error', 'TypeError: bang'], ['action', 'Buy #buy']];
    // s1 is new, then written again with one known text and two new ones, beside s2 (new) in the same call.
    await index({ s1: first });
    await index({ s1: more, s2: first });
    await index({ s1: [...first, ...more] });
    expect(await stored()).toEqual(expected({ s1: [...first, ...more], s2: first }));
    expect((await stored()).find((row) => row.session_id === 's1' && row.term === 'typeerror')).toMatchObject({ kind: 'error', hits: 2 });
    const texts = await store.db.selectFrom('search_texts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(texts.n)).toBe(6);
  });
});
