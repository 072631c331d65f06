/**
 * The server's search, indexed, by the texts and terms every Rumscope index uses (sdk/model/searchTexts.ts, as
 * the extension's stored postings and the panel's index): `search_texts` holds each session's distinct texts per
 * kind (for snippets), `search_terms` one row per (term, session, kind). A query matches a session when every term
 * of it is one of the session's terms, the last one as a prefix (as you type), as the extension's postings answer;
 * each term is one B-tree lookup (a range scan for the prefix) on both SQLite and PostgreSQL. Not done here: the
 * panel's typo tolerance (its fuzzy pass when a term is found nowhere).
 */
import { sql, type Expression, type ExpressionBuilder, type InsertQueryBuilder, type InsertResult, type Kysely, type SqlBool } from 'kysely';
import { SEARCH_DEFAULTS, type SearchHit, type SearchKind, type SearchQuery, type SessionRecord, type StoredEvent } from '../../sdk/schema';
import { attributeTexts, clip, eventTexts, MAX_TERM, queryTerms, SPLIT, termsOf as kindTermsOf } from '../../sdk/model/searchTexts';
import { snippet } from '../../panel/dashboard/searchIndex';
import { insertMany } from './insertMany';
import { isPostgres, selectJsonRows } from './jsonRows';
import type { Database } from './schema';
import { facetBucket, facetPlace, FACET_CODE_BITS, type CodedFacet } from './sessionColumns';

/** Rows per SQLite INSERT (3 or 4 values each): well under its bound-parameter limit. */
const CHUNK = 1000;
const SNIPPETS_PER_HIT = 3;
/** Above every character: `term < prefix + TOP` holds for every term that starts with the prefix (bytewise order). */
export const TOP = '\u{10FFFF}';

/** Event types that carry searchable text (as the extension's dashboard store indexes them). */
export const SEARCHED_TYPES: readonly string[] = ['view', 'api', 'error', 'action', 'context', 'console'];

/** The terms of a text as every index keeps them (sdk/model/searchTexts.ts: lower case, cut to MAX_TERM). */
export const termsOf = (text: string): string[] => kindTermsOf([['url', text]]).map(([, term]) => term);

/** The searchable texts of events and of a session record (its user and global context: custom attributes). */
export function searchTexts(events: readonly StoredEvent[], sessions: readonly Pick<SessionRecord, 'id' | 'user' | 'global'>[] = []): Map<string, [SearchKind, string][]> {
  const bySession = new Map<string, [SearchKind, string][]>();
  const add = (sessionId: string, texts: [SearchKind, string][]) => {
    let list = bySession.get(sessionId);
    if (!list) bySession.set(sessionId, (list = []));
    list.push(...texts);
  };
  for (const session of sessions) add(session.id, attributeTexts(session.user, session.global ?? {}));
  for (const event of events) if (SEARCHED_TYPES.includes(event.type)) add(event.sessionId, eventTexts(event));
  return bySession;
}

/** A session's texts as the index keeps them: cut, one per (kind, text). */
export function distinctTexts(raw: readonly [SearchKind, string][]): [SearchKind, string][] {
  const distinct = new Map<string, [SearchKind, string]>();
  for (const [kind, text] of raw) {
    const clipped = clip(text);
    if (clipped) distinct.set(`${kind}\u0000${clipped}`, [kind, clipped]);
  }
  return [...distinct.values()];
}

export interface TermRow {
  term: string;
  session_id: string;
  kind: string;
  hits: number;
}

/** Whether an ASCII character separates terms, as SPLIT decides it (the table is made by asking SPLIT itself). */
const ASCII_SEPARATOR = Uint8Array.from({ length: 128 }, (_, code) => (new RegExp(`^${SPLIT.source}$`, SPLIT.flags).test(String.fromCharCode(code)) ? 1 : 0));

/**
 * The terms of a text in order, repeats included (tokens of `split(SPLIT)` without the empty ones): an ASCII text
 * scanned by the table above (most texts: URLs, selectors, messages), any other split by SPLIT itself.
 */
function tokensOf(text: string, out: string[]): string[] {
  out.length = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 127) return text.split(SPLIT);
    if (ASCII_SEPARATOR[code]) {
      if (i > start) out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (text.length > start) out.push(text.slice(start));
  return out;
}

/**
 * The term rows of a session's texts (each already in distinctTexts' form): one per (term, kind), with how many texts
 * hold it, in the order each first appears. Each text's distinct terms are termsOf's, taken in one pass: without
 * termsOf's own clip (the text is clip's output, whose only whitespace is single spaces, so clipping it again changes
 * no token) and its arrays per text. A term is looked up in its kind's map (no "kind NUL term" key string made per
 * token), and a row remembers the last text that counted it instead of a set of the text's terms.
 */
export function termRows(sessionId: string, texts: readonly { kind: string; text: string }[]): TermRow[] {
  const rows: TermRow[] = [];
  /** countedIn[i]: the last text that counted rows[i]. */
  const countedIn: number[] = [];
  const byKind = new Map<string, Map<string, number>>();
  const tokens: string[] = [];
  for (let t = 0; t < texts.length; t++) {
    const { kind, text } = texts[t]!;
    let terms = byKind.get(kind);
    if (!terms) byKind.set(kind, (terms = new Map()));
    for (const token of tokensOf(text, tokens)) {
      if (!token) continue;
      const term = token.toLowerCase().slice(0, MAX_TERM);
      const at = terms.get(term);
      if (at === undefined) {
        terms.set(term, rows.length);
        countedIn.push(t);
        rows.push({ term, session_id: sessionId, kind, hits: 1 });
      } else if (countedIn[at] !== t) {
        countedIn[at] = t;
        rows[at]!.hits++;
      }
    }
  }
  return rows;
}

/**
 * Adds what is new in these texts to the index (a text already indexed for the session adds nothing): the texts of
 * every session in a few multi-row INSERTs, then the terms of the texts that are new.
 *
 * Which texts are new: a session with no text indexed yet (an upload's new sessions, nearly every one) has only new
 * ones, so its texts are inserted as they are (a plain INSERT: a text indexed meanwhile would fail the transaction,
 * never count twice) and its terms taken from all of them; only for a session that has texts already does the INSERT
 * skip the known ones and return the rest (RETURNING), whose terms are then the new ones. Asking which sessions have
 * texts is one small query; sending every text back from the database cost more (on PostgreSQL ~1.5 µs an event of the
 * server's CPU, the rows parsed back). The answer holds until the commit as long as no other transaction can index
 * the same session meanwhile: SQLite's writers are serial, SERIALIZABLE would abort one of the two, and under READ
 * COMMITTED (the upload intake) the caller has written the session's row first, whose lock makes a concurrent upload
 * of the same session wait for this one's commit before it asks.
 */
export async function indexTexts(db: Kysely<Database>, bySession: Map<string, [SearchKind, string][]>, codes?: ReadonlyMap<string, number>): Promise<void> {
  const fresh: TextRow[] = [];
  const known: TextRow[] = [];
  const indexed = await sessionsWithTexts(db, [...bySession.keys()]);
  // PostgreSQL: the term rows carry their session's facet code (migration 012) when the caller knows it.
  const postgres = isPostgres(db);
  const facets = postgres ? codes : undefined;
  if (facets) await recodeTerms(db, [...indexed].filter((sessionId) => facets.has(sessionId)), facets);
  for (const [sessionId, raw] of bySession) {
    const into = indexed.has(sessionId) ? known : fresh;
    for (const [kind, text] of distinctTexts(raw)) into.push({ session_id: sessionId, kind, text });
  }
  if (!fresh.length && !known.length) return;
  // PostgreSQL takes the rows as one JSON array parameter; SQLite as multi-row VALUES (its json_each is slower than
  // bound values on arrays of thousands).
  const insertTexts = <O>(rows: TextRow[], name: string, finish: (insert: InsertQueryBuilder<Database, 'search_texts', InsertResult>) => InsertQueryBuilder<Database, 'search_texts', O>): Promise<O[]> =>
    postgres
      ? finish(db.insertInto('search_texts').columns(TEXT_COLUMNS).expression(selectJsonRows(db, JSON.stringify(rows.map((c) => [c.session_id, c.kind, c.text])), TEXT_FIELDS))).execute()
      : insertMany(db, name, TEXT_COLUMNS, rows, CHUNK, (chunk) => finish(db.insertInto('search_texts').values(chunk)));
  const byText = new Map<string, { kind: string; text: string }[]>();
  const add = (row: TextRow) => {
    let list = byText.get(row.session_id);
    if (!list) byText.set(row.session_id, (list = []));
    list.push(row);
  };
  if (fresh.length) {
    await insertTexts(fresh, 'search_texts', (insert) => insert);
    for (const row of fresh) add(row);
  }
  if (known.length) {
    const added = await insertTexts(known, 'search_texts:new', (insert) =>
      insert.onConflict((oc) => oc.columns(['session_id', 'kind', 'text']).doNothing()).returning(['session_id', 'kind', 'text']),
    );
    for (const row of added) add(row);
  }
  const terms = [...byText].flatMap(([sessionId, texts]) => termRows(sessionId, texts));
  if (!terms.length) return;
  const addHits = (insert: InsertQueryBuilder<Database, 'search_terms', InsertResult>) =>
    insert.onConflict((oc) => oc.columns(['term', 'session_id', 'kind']).doUpdateSet((eb) => ({ hits: eb(eb.ref('search_terms.hits'), '+', eb.ref('excluded.hits')) })));
  if (facets) {
    const rows = JSON.stringify(terms.map((t) => [t.term, t.session_id, t.kind, t.hits, facets.get(t.session_id) ?? null]));
    await addHits(db.insertInto('search_terms').columns([...TERM_COLUMNS, 'facets']).expression(selectJsonRows(db, rows, CODED_TERM_FIELDS))).execute();
  } else if (postgres) {
    await addHits(db.insertInto('search_terms').columns(TERM_COLUMNS).expression(selectJsonRows(db, JSON.stringify(terms.map((t) => [t.term, t.session_id, t.kind, t.hits])), TERM_FIELDS))).execute();
  } else {
    await insertMany(db, 'search_terms', TERM_COLUMNS, terms, CHUNK, (chunk) => addHits(db.insertInto('search_terms').values(chunk)));
  }
}

/**
 * PostgreSQL: the term rows of sessions indexed before get the code of the session's row as now written, where it
 * differs (a facet changed, or the terms were stored before the session's row: NULL). One UPDATE per code (sessions
 * of the same facets share one); the session's rows are found through its (session_id, term) index.
 */
async function recodeTerms(db: Kysely<Database>, sessionIds: readonly string[], codes: ReadonlyMap<string, number>): Promise<void> {
  const byCode = new Map<number, string[]>();
  for (const sessionId of sessionIds) {
    const code = codes.get(sessionId)!;
    let list = byCode.get(code);
    if (!list) byCode.set(code, (list = []));
    list.push(sessionId);
  }
  for (const [code, ids] of byCode) {
    for (let i = 0; i < ids.length; i += CHUNK) {
      await db
        .updateTable('search_terms')
        .set({ facets: code })
        .where('session_id', 'in', ids.slice(i, i + CHUNK))
        .where('facets', 'is distinct from', code)
        .execute();
    }
  }
}

interface TextRow {
  session_id: string;
  kind: string;
  text: string;
}

/** Which of these sessions have a text indexed already. */
async function sessionsWithTexts(db: Kysely<Database>, sessionIds: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < sessionIds.length; i += CHUNK) {
    const part = sessionIds.slice(i, i + CHUNK);
    // One index probe per session (the primary key starts with session_id), its first row only.
    const rows = await db
      .selectFrom('search_texts')
      .select('session_id')
      .where('session_id', 'in', part)
      .groupBy('session_id')
      .execute();
    for (const row of rows) found.add(row.session_id);
  }
  return found;
}

const TEXT_COLUMNS = ['session_id', 'kind', 'text'] as const;
const TERM_COLUMNS = ['term', 'session_id', 'kind', 'hits'] as const;

const TEXT_FIELDS = [
  { path: 0, type: 'text' },
  { path: 1, type: 'text' },
  { path: 2, type: 'text' },
] as const;
const TERM_FIELDS = [...TEXT_FIELDS, { path: 3, type: 'int4' }] as const;
const CODED_TERM_FIELDS = [...TERM_FIELDS, { path: 4, type: 'int8' }] as const;

type TermsEb = ExpressionBuilder<Database, 'search_terms'>;

function termMatches(eb: TermsEb, term: string, prefix: boolean): Expression<SqlBool> {
  return prefix ? eb.and([eb('search_terms.term', '>=', term), eb('search_terms.term', '<', term + TOP)]) : eb('search_terms.term', '=', term);
}

/** Sessions that have every term of `text` (in any of `kinds`): a subquery per term, for the list filter. */
export function sessionsMatching(db: Kysely<Database>, text: string, kinds?: readonly SearchKind[]) {
  const query = queryTerms(text);
  return (query?.terms ?? []).map((term) => {
    let q = db.selectFrom('search_terms').select('search_terms.session_id').where((eb) => termMatches(eb, term, term === query!.prefix));
    if (kinds?.length) q = q.where('search_terms.kind', 'in', kinds);
    return q;
  });
}

/** Up to this many index rows a term's sessions are listed in the query; above it they are read by the query itself. */
export const LISTED_TERM_ROWS = 2000;
/**
 * Up to this many index rows the list is read from a term's sessions (each looked up by id, the few that pass the
 * filters sorted): about 20–40 ms for 24,000 over a million sessions, whatever the sort. Above it the list walks its
 * sort's index and probes each candidate in the (session_id, term) index.
 */
export const DRIVING_TERM_ROWS = 30_000;

export interface SearchThresholds {
  listedTermRows?: number;
  drivingTermRows?: number;
  /**
   * False: the term rows' facet codes are not read, as before migration 012 (the upgrade tests list the sessions of
   * databases of older versions). Default true (PostgreSQL; SQLite never reads them).
   */
  facetCodes?: boolean;
}

type SessionsEb = ExpressionBuilder<Database, 'sessions'>;

/** The list's facet filters, by column: a session passes when its value is one of the column's values. */
export type FacetValues = Partial<Record<CodedFacet, readonly string[]>>;

/**
 * PostgreSQL (migration 012): the term rows whose session may pass these facet filters, from the rows' facet codes:
 * each filtered facet's bits are the bucket of one of its values, or the code is not known (NULL). A superset of the
 * sessions that pass (two values can share a bucket): the list tests the filters on the sessions themselves too.
 */
function facetCodeFilter(facets: FacetValues): ((eb: TermsEb) => Expression<SqlBool>) | null {
  const filtered = (Object.entries(facets) as [CodedFacet, readonly string[] | undefined][]).filter(([, values]) => values?.length);
  if (!filtered.length) return null;
  return (eb) =>
    eb.or([
      eb('search_terms.facets', 'is', null),
      eb.and(
        filtered.map(([facet, values]) => {
          const place = facetPlace(facet);
          return eb(eb('search_terms.facets', '&', ((1 << FACET_CODE_BITS) - 1) * place), 'in', [...new Set(values!.map((value) => facetBucket(value) * place))]);
        }),
      ),
    ]);
}

export interface SearchConditions {
  conditions: ((eb: SessionsEb) => Expression<SqlBool>)[];
  /** A term's sessions are the list's source, looked up by id (sessionQueries.ts reads them from the by-id index). */
  bySessionId: boolean;
}

/**
 * The list filter's search (every term of `text`), as conditions on `sessions`, chosen by how many index rows the
 * term has: a rare term names its sessions (read once from the index, listed in the query); a term of middling
 * frequency (one session in forty) is a subquery the list is read from: walking the sort's index instead would cross
 * every session before the term's first one when the sort follows the term (sessions with a TypeError sort last by
 * errors ascending: 940,000 index entries, over a second); a common one ("checkout", held by half the sessions) is
 * checked session by session (EXISTS on the (session_id, term) index) as the list walks its order, where the
 * matches are dense — reading every session of a term half of them hold would cost more than the page.
 */
export async function searchConditions(db: Kysely<Database>, text: string, thresholds: SearchThresholds = {}, facets: FacetValues = {}): Promise<SearchConditions> {
  const listed = thresholds.listedTermRows ?? LISTED_TERM_ROWS;
  const driving = Math.max(listed, thresholds.drivingTermRows ?? DRIVING_TERM_ROWS);
  const query = queryTerms(text);
  if (!query?.terms.length) return { conditions: [() => sql<SqlBool>`1 = 0`], bySessionId: false };
  const out: ((eb: SessionsEb) => Expression<SqlBool>)[] = [];
  let bySessionId = false;
  const postgres = isPostgres(db);
  for (const term of query.terms) {
    const prefix = term === query.prefix;
    const termRows = () => db.selectFrom('search_terms').select('search_terms.session_id').where((eb) => termMatches(eb, term, prefix));
    // Counted in the database first (up to one more than DRIVING_TERM_ROWS, from the index alone): only a rare term's
    // ids travel to the server.
    const counted = Number(
      (
        await db
          .selectFrom(termRows().limit(driving + 1).as('t'))
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    if (counted <= listed) {
      const ids = counted ? [...new Set((await termRows().execute()).map((row) => row.session_id))] : [];
      out.push((eb) => (ids.length ? eb('sessions.id', 'in', ids) : sql<SqlBool>`1 = 0`));
      continue;
    }
    if (counted <= driving) {
      // PostgreSQL: as an array read once (an InitPlan), the ids are looked up in the by-id index; as `IN (subquery)`
      // its planner walks the sort's covering index instead, hashing the term's rows, and crosses every session
      // before the first match when the sort follows the term (1–4 s; 50 ms this way, warm). The id compared
      // bytewise, as that index holds it (migration 011): sorting the array and each descent compare by memcmp, not
      // by the database collation's strcoll. Only the term rows whose facet code may pass the list's facet filters
      // (migration 012: read from the term's index range itself) are looked up: "US + Mobile + typeerror" over a
      // million sessions, 830 of 24,690. SQLite drives by the subquery itself.
      const codeFilter = thresholds.facetCodes === false ? null : facetCodeFilter(facets);
      const candidates = () => (codeFilter ? termRows().where(codeFilter) : termRows());
      out.push((eb) => (postgres ? sql<SqlBool>`${sql.ref('sessions.id')} collate "C" = any(array(${candidates()}))` : eb('sessions.id', 'in', termRows())));
      bySessionId = true;
      continue;
    }
    out.push((eb) => {
      let probe = eb
        .selectFrom('search_terms')
        .select('search_terms.session_id')
        .whereRef('search_terms.session_id', '=', 'sessions.id')
        .where((t) => termMatches(t as unknown as TermsEb, term, prefix));
      // PostgreSQL: OFFSET 0 keeps the EXISTS a per-session probe. Without it the planner may turn it into a hash
      // semi-join that first reads every index row of the term (half a million for "checkout" over a million
      // sessions) before the list's first row.
      if (postgres) probe = probe.offset(0);
      return eb.exists(probe);
    });
  }
  return { conditions: out, bySessionId };
}

/** Sessions matching every term of the query, most matching texts first, with snippets for the best. */
export async function searchSessions(db: Kysely<Database>, query: SearchQuery): Promise<SearchHit[]> {
  const parsed = queryTerms(query.text);
  if (!parsed) return [];
  const kinds = query.kinds?.length ? query.kinds : undefined;
  const anyTerm = (eb: TermsEb) => eb.or(parsed.terms.map((term) => termMatches(eb, term, term === parsed.prefix)));
  let hitsQuery = db
    .selectFrom('search_terms')
    .select(['search_terms.session_id', (eb) => eb.fn.sum<number>('search_terms.hits').as('score')])
    .where(anyTerm)
    .groupBy('search_terms.session_id')
    .orderBy('score', 'desc')
    .orderBy(sql`search_terms.session_id`, 'asc')
    .limit(Number.isFinite(query.limit) ? (query.limit ?? SEARCH_DEFAULTS.limit) : 1_000_000);
  if (kinds) hitsQuery = hitsQuery.where('search_terms.kind', 'in', kinds);
  // Every term but the first is required through a subquery (the first is in `anyTerm` and checked below).
  for (const sub of sessionsMatching(db, query.text, kinds)) hitsQuery = hitsQuery.where('search_terms.session_id', 'in', sub);
  const rows = await hitsQuery.execute();
  const hits: SearchHit[] = rows.map((row) => ({ sessionId: row.session_id, score: Number(row.score), snippets: [] }));

  const withSnippets = hits.slice(0, query.snippets ?? SEARCH_DEFAULTS.snippets);
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
