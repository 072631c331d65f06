/**
 * The server's search, indexed: the panel's search index (panel/dashboard/searchIndex.ts) kept as two tables.
 * `search_texts` holds each session's distinct texts per kind (the same texts, cut the same way, from the same
 * `eventTexts`), `search_terms` one row per (term, session, kind) with the texts' terms as the panel tokenizes and
 * lower-cases them. A query matches a session when every term of it is one of the session's terms, the last term
 * as a prefix (as you type), exactly as the panel's index answers; each term is one B-tree lookup (a range scan
 * for the prefix) on both SQLite and PostgreSQL. Not done here: the panel's typo tolerance (its fuzzy second
 * pass when the exact one misses a term).
 */
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { RumEvent, SearchHit, SearchKind, SearchQuery, SessionRecord, StoredEvent } from '../../sdk/schema';
import { eventTexts, MAX_TEXT, MAX_TEXTS_PER_SESSION, snippet, tokenize } from '../../panel/dashboard/searchIndex';
import type { Database } from './schema';

const DEFAULT_LIMIT = 1_000;
const DEFAULT_SNIPPET_HITS = 50;
const SNIPPETS_PER_HIT = 3;
/** Rows per INSERT: well under both databases' bound-parameter limits. */
const CHUNK = 300;
/** Above every character: `term < prefix + TOP` holds for every term that starts with the prefix (bytewise order). */
const TOP = '\u{10FFFF}';

/** Event types that carry searchable text (as the extension's dashboard store indexes them). */
export const SEARCHED_TYPES: readonly string[] = ['view', 'api', 'error', 'action', 'context', 'console'];

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_TEXT ? flat.slice(0, MAX_TEXT) : flat;
}

/** The terms of a text as the panel's index keeps them. */
export const termsOf = (text: string): string[] => [...new Set(tokenize(text).map((t) => t.toLowerCase()))];

/** The searchable texts of events and of a session record (its user and global context: custom attributes). */
export function searchTexts(events: readonly StoredEvent[], sessions: readonly Pick<SessionRecord, 'id' | 'user' | 'global'>[] = []): Map<string, [SearchKind, string][]> {
  const bySession = new Map<string, [SearchKind, string][]>();
  const add = (sessionId: string, texts: [SearchKind, string][]) => {
    let list = bySession.get(sessionId);
    if (!list) bySession.set(sessionId, (list = []));
    list.push(...texts);
  };
  for (const session of sessions) add(session.id, eventTexts({ type: 'context', user: session.user, global: session.global } as RumEvent));
  for (const event of events) if (SEARCHED_TYPES.includes(event.type)) add(event.sessionId, eventTexts(event));
  return bySession;
}

/**
 * Adds what is new in these texts to the index (a text already indexed for the session adds nothing; past
 * MAX_TEXTS_PER_SESSION distinct texts a session's later texts are left out, as in the panel).
 */
export async function indexTexts(db: Kysely<Database>, bySession: Map<string, [SearchKind, string][]>): Promise<void> {
  for (const [sessionId, raw] of bySession) {
    const distinct = new Map<string, [SearchKind, string]>();
    for (const [kind, text] of raw) {
      const clipped = clip(text);
      if (clipped) distinct.set(`${kind}\u0000${clipped}`, [kind, clipped]);
    }
    if (!distinct.size) continue;
    const have = await db.selectFrom('search_texts').select((eb) => eb.fn.countAll<number>().as('n')).where('session_id', '=', sessionId).executeTakeFirstOrThrow();
    let room = MAX_TEXTS_PER_SESSION - Number(have.n);
    const candidates = [...distinct.values()];
    for (let i = 0; i < candidates.length && room > 0; i += CHUNK) {
      const rows = candidates.slice(i, i + CHUNK).map(([kind, text]) => ({ session_id: sessionId, kind, text }));
      // Only the texts this statement added come back: their terms are the new ones.
      const added = await db
        .insertInto('search_texts')
        .values(rows.slice(0, room))
        .onConflict((oc) => oc.columns(['session_id', 'kind', 'text']).doNothing())
        .returning(['kind', 'text'])
        .execute();
      room -= added.length;
      const terms = new Map<string, { term: string; session_id: string; kind: string; hits: number }>();
      for (const row of added) {
        for (const term of termsOf(row.text)) {
          const key = `${row.kind}\u0000${term}`;
          const known = terms.get(key);
          if (known) known.hits++;
          else terms.set(key, { term, session_id: sessionId, kind: row.kind, hits: 1 });
        }
      }
      const termRows = [...terms.values()];
      for (let j = 0; j < termRows.length; j += CHUNK) {
        await db
          .insertInto('search_terms')
          .values(termRows.slice(j, j + CHUNK))
          .onConflict((oc) => oc.columns(['term', 'session_id', 'kind']).doUpdateSet((eb) => ({ hits: eb(eb.ref('search_terms.hits'), '+', eb.ref('excluded.hits')) })))
          .execute();
      }
    }
  }
}

/** The query's terms; the last one is a prefix. */
function queryTerms(text: string): string[] {
  return [...new Set(tokenize(text).map((t) => t.toLowerCase()))];
}

type TermsEb = ExpressionBuilder<Database, 'search_terms'>;

function termMatches(eb: TermsEb, term: string, prefix: boolean): Expression<SqlBool> {
  return prefix ? eb.and([eb('search_terms.term', '>=', term), eb('search_terms.term', '<', term + TOP)]) : eb('search_terms.term', '=', term);
}

/** Sessions that have every term of `text` (in any of `kinds`): a subquery per term, for the list filter. */
export function sessionsMatching(db: Kysely<Database>, text: string, kinds?: readonly SearchKind[]) {
  const terms = queryTerms(text);
  return terms.map((term, i) => {
    let q = db.selectFrom('search_terms').select('search_terms.session_id').where((eb) => termMatches(eb, term, i === terms.length - 1));
    if (kinds?.length) q = q.where('search_terms.kind', 'in', kinds);
    return q;
  });
}

/** Sessions matching every term of the query, most matching texts first, with snippets for the best. */
export async function searchSessions(db: Kysely<Database>, query: SearchQuery): Promise<SearchHit[]> {
  const terms = queryTerms(query.text);
  if (!terms.length) return [];
  const kinds = query.kinds?.length ? query.kinds : undefined;
  const anyTerm = (eb: TermsEb) => eb.or(terms.map((term, i) => termMatches(eb, term, i === terms.length - 1)));
  let hitsQuery = db
    .selectFrom('search_terms')
    .select(['search_terms.session_id', (eb) => eb.fn.sum<number>('search_terms.hits').as('score')])
    .where(anyTerm)
    .groupBy('search_terms.session_id')
    .orderBy('score', 'desc')
    .orderBy(sql`search_terms.session_id`, 'asc')
    .limit(Number.isFinite(query.limit) ? (query.limit ?? DEFAULT_LIMIT) : 1_000_000);
  if (kinds) hitsQuery = hitsQuery.where('search_terms.kind', 'in', kinds);
  // Every term but the first is required through a subquery (the first is in `anyTerm` and checked below).
  for (const sub of sessionsMatching(db, query.text, kinds)) hitsQuery = hitsQuery.where('search_terms.session_id', 'in', sub);
  const rows = await hitsQuery.execute();
  const hits: SearchHit[] = rows.map((row) => ({ sessionId: row.session_id, score: Number(row.score), snippets: [] }));

  const withSnippets = hits.slice(0, query.snippets ?? DEFAULT_SNIPPET_HITS);
  if (withSnippets.length) {
    const ids = withSnippets.map((hit) => hit.sessionId);
    let matched = db.selectFrom('search_terms').select(['session_id', 'term', 'kind']).where('session_id', 'in', ids).where(anyTerm);
    if (kinds) matched = matched.where('kind', 'in', kinds);
    const found = new Map<string, Map<string, Set<string>>>();
    for (const row of await matched.execute()) {
      let byKind = found.get(row.session_id);
      if (!byKind) found.set(row.session_id, (byKind = new Map()));
      let set = byKind.get(row.kind);
      if (!set) byKind.set(row.kind, (set = new Set()));
      set.add(row.term);
    }
    const texts = await db
      .selectFrom('search_texts')
      .select(['session_id', 'kind', 'text'])
      .where('session_id', 'in', ids)
      .where('kind', 'in', [...new Set([...found.values()].flatMap((byKind) => [...byKind.keys()]))])
      .orderBy('session_id')
      .orderBy('kind')
      .orderBy('text')
      .execute();
    // Per hit, the texts holding the most of its matched terms first.
    const candidates = new Map<string, SearchHit['snippets']>();
    for (const row of texts) {
      const own = termsOf(row.text);
      const hitTerms = [...(found.get(row.session_id)?.get(row.kind) ?? [])].filter((term) => own.includes(term));
      if (!hitTerms.length) continue;
      let list = candidates.get(row.session_id);
      if (!list) candidates.set(row.session_id, (list = []));
      list.push({ kind: row.kind as SearchKind, text: snippet(row.text, hitTerms), terms: hitTerms });
    }
    for (const hit of withSnippets) {
      hit.snippets = (candidates.get(hit.sessionId) ?? []).sort((a, b) => b.terms.length - a.terms.length).slice(0, SNIPPETS_PER_HIT);
    }
  }
  return hits;
}
