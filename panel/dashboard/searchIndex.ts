/**
 * Full-text search over sessions (URLs visited, API calls, error messages, user actions, custom attributes),
 * kept beside the data and updated as events are written: never a scan of every event per keystroke.
 *
 * One document per session and kind of text, holding the session's distinct texts of that kind (a URL
 * visited twice is indexed once): the index grows with what is new in a session, not with its event count,
 * and a common word costs one result per session, not one per event. Pure: the extension's background feeds it
 * and persists `toJSON()`; the server can do the same.
 */
import MiniSearch, { type AsPlainObject } from 'minisearch';
import SearchableMap from 'minisearch/SearchableMap';
import { SEARCH_DEFAULTS, SEARCH_KINDS } from '../../sdk/schema';
import type { RumEvent, SearchHit, SearchKind, SearchQuery, SessionRecord } from '../../sdk/schema';
import { attributeTexts, clip, eventTexts, tokenize } from '../../sdk/model/searchTexts';

export { eventTexts, MAX_TEXT, tokenize } from '../../sdk/model/searchTexts';

/** Distinct texts indexed per session; later ones are not indexed (the session stays findable by the rest). */
export const MAX_TEXTS_PER_SESSION = 2_000;
const { limit: DEFAULT_LIMIT, snippets: DEFAULT_SNIPPET_HITS } = SEARCH_DEFAULTS;
const SNIPPETS_PER_HIT = 3;
/** Above this many matching sessions, hits are not ranked (see search). */
export const RANKED_MAX = 2_000;
const JSON_VERSION = 1;

/** A session's texts of one kind: one minisearch document, replaced when the session gains a new text. */
interface Doc {
  sessionId: string;
  kind: SearchKind;
  texts: string[];
}

export interface SearchIndexJSON {
  version: typeof JSON_VERSION;
  /** [sessionId, kind, texts] */
  docs: [string, SearchKind, string[]][];
  index: AsPlainObject;
}

export interface SessionSearchIndex {
  /** Indexes what is new in these events of the session; returns how many texts were added. */
  addEvents(sessionId: string, events: Iterable<RumEvent>): number;
  /** Indexes the session record's user and global context (custom attributes). */
  addSession(session: Pick<SessionRecord, 'id' | 'user' | 'global'>): number;
  removeSession(sessionId: string): void;
  /** Sessions matching every term of the query (terms may match different texts of a session), best first. */
  search(query: SearchQuery | string): SearchHit[];
  /** The ids of `search(query)`, for the filter (FilterContext.searchHits). */
  sessionIds(query: SearchQuery | string): Set<string>;
  hasSession(sessionId: string): boolean;
  readonly sessionCount: number;
  /** Distinct texts indexed. */
  readonly textCount: number;
  toJSON(): SearchIndexJSON;
}

const MINI_OPTIONS = {
  fields: ['text'],
  tokenize,
  processTerm: (term: string) => term.toLowerCase(),
  autoVacuum: { minDirtCount: 1_000, minDirtFactor: 0.1, batchSize: 1_000, batchWait: 10 },
};

/** The text around the first matched term, at most ~120 characters. */
export function snippet(text: string, terms: readonly string[]): string {
  if (text.length <= 120) return text;
  const lower = text.toLowerCase();
  let at = -1;
  for (const term of terms) {
    const i = lower.indexOf(term.toLowerCase());
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  const start = Math.max(0, (at < 0 ? 0 : at) - 40);
  const end = Math.min(text.length, start + 120);
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}

type MiniDoc = { id: string; text: string };

const docId = (sessionId: string, kind: SearchKind) => `${kind}\u0000${sessionId}`;

function build(json?: SearchIndexJSON): SessionSearchIndex {
  const mini = json ? MiniSearch.loadJS<MiniDoc>(json.index, MINI_OPTIONS) : new MiniSearch<MiniDoc>(MINI_OPTIONS);
  const docs = new Map<string, Doc>();
  /** Per session: its documents' ids and the set of texts already indexed (kind + text). */
  const bySession = new Map<string, { ids: Set<string>; seen: Set<string> }>();
  let textCount = 0;
  /**
   * Which sessions have each term, per kind of text (key: kind NUL term): the filter's question ("which sessions
   * match?") is answered from it by set operations, without scoring every matching document as a ranked search does.
   */
  const postings = new SearchableMap<Set<string>>();
  const post = (sessionId: string, kind: SearchKind, texts: Iterable<string>, add: boolean) => {
    for (const text of texts) {
      for (const token of tokenize(text)) {
        const key = `${kind}\u0000${token.toLowerCase()}`;
        let set = postings.get(key);
        if (add) {
          if (!set) postings.set(key, (set = new Set()));
          set.add(sessionId);
        } else if (set) {
          set.delete(sessionId);
          if (!set.size) postings.delete(key);
        }
      }
    }
  };
  const remember = (doc: Doc, fresh: string[]) => {
    post(doc.sessionId, doc.kind, fresh, true);
    const id = docId(doc.sessionId, doc.kind);
    docs.set(id, doc);
    let entry = bySession.get(doc.sessionId);
    if (!entry) bySession.set(doc.sessionId, (entry = { ids: new Set(), seen: new Set() }));
    entry.ids.add(id);
    for (const text of fresh) entry.seen.add(`${doc.kind}\u0000${text}`);
    textCount += fresh.length;
  };
  for (const [sessionId, kind, texts] of json?.docs ?? []) remember({ sessionId, kind, texts }, texts);

  const addTexts = (sessionId: string, texts: Iterable<[SearchKind, string]>): number => {
    const added = new Map<SearchKind, string[]>();
    const batch = new Set<string>();
    const entry = bySession.get(sessionId);
    let count = entry?.seen.size ?? 0;
    for (const [kind, raw] of texts) {
      const text = clip(raw);
      if (!text || count >= MAX_TEXTS_PER_SESSION) continue;
      const key = `${kind}\u0000${text}`;
      if (entry?.seen.has(key) || batch.has(key)) continue;
      batch.add(key);
      let list = added.get(kind);
      if (!list) added.set(kind, (list = []));
      list.push(text);
      count++;
    }
    let total = 0;
    for (const [kind, fresh] of added) {
      const id = docId(sessionId, kind);
      const old = docs.get(id);
      const doc: Doc = { sessionId, kind, texts: old ? [...old.texts, ...fresh] : fresh };
      const miniDoc = { id, text: doc.texts.join('\n') };
      if (old) mini.replace(miniDoc);
      else mini.add(miniDoc);
      remember(doc, fresh);
      total += fresh.length;
    }
    return total;
  };

  const queryOf = (query: SearchQuery | string): SearchQuery => (typeof query === 'string' ? { text: query } : query);

  /** Ranked search (BM25 over every matching document, fuzzy when a term is found nowhere). */
  const ranked = (query: SearchQuery): SearchHit[] => {
    const wanted = new Set(tokenize(query.text).map((t) => t.toLowerCase()));
    if (!wanted.size) return [];
    const kinds = query.kinds?.length ? new Set(query.kinds) : null;
    const run = (fuzzy: boolean) =>
      mini.search(query.text, {
        // As you type: the last term is a prefix. Typos (words of five letters or more) are forgiven only
        // when the exact search finds nothing: fuzzy matching costs far more than an exact lookup.
        prefix: (_term, i, terms) => i === terms.length - 1,
        fuzzy: fuzzy ? (term) => (term.length >= 5 && /^\p{L}+$/u.test(term) ? 0.2 : false) : false,
        combineWith: 'OR',
        filter: kinds ? (r) => kinds.has(docs.get(r.id as string)!.kind) : undefined,
      });
    let results = run(false);
    const covered = new Set(results.flatMap((r) => r.queryTerms));
    if (covered.size < wanted.size) results = run(true);
    const sessions = new Map<string, { score: number; covered: Set<string>; matches: { doc: Doc; terms: string[]; score: number }[] }>();
    for (const r of results) {
      const doc = docs.get(r.id as string);
      if (!doc) continue;
      let hit = sessions.get(doc.sessionId);
      if (!hit) sessions.set(doc.sessionId, (hit = { score: 0, covered: new Set(), matches: [] }));
      hit.score += r.score;
      for (const term of r.queryTerms) hit.covered.add(term);
      hit.matches.push({ doc, terms: r.terms, score: r.score });
    }
    const hits: SearchHit[] = [];
    for (const [sessionId, hit] of sessions) {
      if (hit.covered.size < wanted.size) continue;
      hits.push({ sessionId, score: hit.score, snippets: [] });
    }
    hits.sort((a, b) => b.score - a.score || a.sessionId.localeCompare(b.sessionId));
    const top = hits.slice(0, query.limit ?? DEFAULT_LIMIT);
    // Snippets only for the best hits: the texts of each matched document that contain a matched term.
    for (const hit of top.slice(0, query.snippets ?? DEFAULT_SNIPPET_HITS)) {
      const matches = sessions.get(hit.sessionId)!.matches.sort((a, b) => b.score - a.score);
      for (const m of matches) {
        for (const text of m.doc.texts) {
          if (hit.snippets.length >= SNIPPETS_PER_HIT) break;
          const lower = text.toLowerCase();
          const terms = m.terms.filter((t) => lower.includes(t));
          if (terms.length) hit.snippets.push({ kind: m.doc.kind, text: snippet(text, terms), terms });
        }
      }
    }
    return top;
};

  const index: SessionSearchIndex = {
    addEvents(sessionId, events) {
      const texts: [SearchKind, string][] = [];
      for (const event of events) texts.push(...eventTexts(event));
      return addTexts(sessionId, texts);
    },
    addSession(session) {
      return addTexts(session.id, attributeTexts(session.user, session.global));
    },
    removeSession(sessionId) {
      const entry = bySession.get(sessionId);
      if (!entry) return;
      for (const id of entry.ids) {
        const doc = docs.get(id);
        if (doc) post(sessionId, doc.kind, doc.texts, false);
        mini.discard(id);
        docs.delete(id);
      }
      textCount -= entry.seen.size;
      bySession.delete(sessionId);
    },
    search(input) {
      const query = queryOf(input);
      const candidates = index.sessionIds(query);
      if (candidates.size <= RANKED_MAX) return ranked(query);
      // Too many to rank (a common word): every one of them has every term; the first `limit`, with snippets from
      // their own texts. Ranking them all would score every matching document for nothing a user reads.
      const terms = [...new Set(tokenize(query.text).map((t) => t.toLowerCase()))];
      const kinds = query.kinds?.length ? new Set(query.kinds) : null;
      const top: SearchHit[] = [];
      for (const sessionId of candidates) {
        if (top.length >= (query.limit ?? DEFAULT_LIMIT)) break;
        top.push({ sessionId, score: 0, snippets: [] });
      }
      for (const hit of top.slice(0, query.snippets ?? DEFAULT_SNIPPET_HITS)) {
        for (const id of bySession.get(hit.sessionId)?.ids ?? []) {
          const doc = docs.get(id);
          if (!doc || (kinds && !kinds.has(doc.kind))) continue;
          for (const text of doc.texts) {
            if (hit.snippets.length >= SNIPPETS_PER_HIT) break;
            const lower = text.toLowerCase();
            const found = terms.filter((t) => lower.includes(t));
            if (found.length) hit.snippets.push({ kind: doc.kind, text: snippet(text, found), terms: found });
          }
        }
      }
      return top;
    },
    sessionIds(input) {
      const query = queryOf(input);
      const terms = [...new Set(tokenize(query.text).map((t) => t.toLowerCase()))];
      if (!terms.length) return new Set();
      const kinds = query.kinds?.length ? query.kinds : SEARCH_KINDS;
      // Exact terms, the last one a prefix (as you type), every term somewhere in the session: the ranked search's rule.
      const last = tokenize(query.text).at(-1)!.toLowerCase();
      // Each term's posting sets (one per kind, more for the prefix); only the rarest term's are joined, every
      // other term is a membership test: no set as large as the common word's is ever built.
      const lists = terms.map((term) => {
        const sets: Set<string>[] = [];
        for (const kind of kinds) {
          if (term === last) for (const [, ids] of postings.atPrefix(`${kind}\u0000${term}`)) sets.push(ids);
          else {
            const ids = postings.get(`${kind}\u0000${term}`);
            if (ids) sets.push(ids);
          }
        }
        return { sets, size: sets.reduce((n, set) => n + set.size, 0) };
      });
      lists.sort((a, b) => a.size - b.size);
      const [rarest, ...others] = lists;
      const out = new Set<string>();
      for (const set of rarest!.sets) {
        for (const id of set) {
          if (!out.has(id) && others.every((o) => o.sets.some((other) => other.has(id)))) out.add(id);
        }
      }
      if (out.size || lists.every((list) => list.size)) return out;
      // A term found nowhere: the ranked search then forgives typos; the filter finds what it finds.
      return new Set(ranked({ ...query, limit: Infinity, snippets: 0 }).map((h) => h.sessionId));
    },
    hasSession: (sessionId) => bySession.has(sessionId),
    get sessionCount() {
      return bySession.size;
    },
    get textCount() {
      return textCount;
    },
    toJSON() {
      return {
        version: JSON_VERSION,
        docs: [...docs.values()].map((d) => [d.sessionId, d.kind, d.texts]),
        index: mini.toJSON(),
      };
    },
  };
  return index;
}

export function createSearchIndex(): SessionSearchIndex {
  return build();
}

/** Restores an index from `toJSON()` (an object or its JSON text); throws a clear error on anything else. */
export function loadSearchIndex(json: SearchIndexJSON | string): SessionSearchIndex {
  const data = (typeof json === 'string' ? JSON.parse(json) : json) as Partial<SearchIndexJSON> | null;
  if (!data || data.version !== JSON_VERSION || !Array.isArray(data.docs) || !data.index) {
    throw new Error(`not a Rumscope search index (version ${JSON_VERSION} expected)`);
  }
  return build(data as SearchIndexJSON);
}
