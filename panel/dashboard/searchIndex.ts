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
import type { JsonValue, RumEvent, SearchHit, SearchKind, SearchQuery, SessionRecord, UserContext } from '../../sdk/schema';

/** Longest text indexed per document; longer texts are cut. */
export const MAX_TEXT = 300;
/** Distinct texts indexed per session; later ones are not indexed (the session stays findable by the rest). */
export const MAX_TEXTS_PER_SESSION = 2_000;
const DEFAULT_LIMIT = 1_000;
const DEFAULT_SNIPPET_HITS = 50;
const SNIPPETS_PER_HIT = 3;
const JSON_VERSION = 1;

const SPLIT = /[\s\p{P}\p{S}]+/u;

export function tokenize(text: string): string[] {
  return text.split(SPLIT).filter(Boolean);
}

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

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_TEXT ? flat.slice(0, MAX_TEXT) : flat;
}

function attributeText(key: string, value: JsonValue | undefined): string | null {
  if (value === undefined || value === null || value === '') return null;
  return `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`;
}

function attributeTexts(user: UserContext | null, global: Record<string, JsonValue>): [SearchKind, string][] {
  const out: [SearchKind, string][] = [];
  for (const [key, value] of Object.entries(user ?? {})) {
    const text = attributeText(`user.${key}`, value);
    if (text) out.push(['attribute', text]);
  }
  for (const [key, value] of Object.entries(global)) {
    const text = attributeText(key, value);
    if (text) out.push(['attribute', text]);
  }
  return out;
}

/** The searchable texts of one event, with their kind. */
export function eventTexts(event: RumEvent): [SearchKind, string][] {
  switch (event.type) {
    case 'view':
      return [['url', event.title ? `${event.url} ${event.title}` : event.url]];
    case 'api':
      return [['api', `${event.method} ${event.url} ${event.status || 'failed'}`]];
    case 'error':
      return [['error', `${event.errorType}: ${event.message}`]];
    case 'action':
      return [['action', event.selector ? `${event.name} ${event.selector}` : event.name]];
    case 'context':
      return attributeTexts(event.user, event.global);
    case 'console':
      return [['console', `${event.level}: ${event.message}`]];
    default:
      return [];
  }
}

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
  const remember = (doc: Doc, fresh: string[]) => {
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
        mini.discard(id);
        docs.delete(id);
      }
      textCount -= entry.seen.size;
      bySession.delete(sessionId);
    },
    search(input) {
      const query = queryOf(input);
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
    },
    sessionIds(query) {
      return new Set(index.search({ ...queryOf(query), limit: Infinity, snippets: 0 }).map((h) => h.sessionId));
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
