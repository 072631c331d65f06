/**
 * What search finds a session by: the texts of its events and its custom attributes, each with its kind, and the
 * terms they are split into. Pure and shared: the panel's ranked index (panel/dashboard/searchIndex.ts), the
 * extension's stored postings (extension/storage/searchPostings.ts) and the server answer by the same texts.
 */
import type { JsonValue, RumEvent, SearchKind, UserContext } from '../schema';

/** Longest text indexed per document; longer texts are cut. */
export const MAX_TEXT = 300;
/** Longest term kept in the postings (a longer token is cut: a prefix search still finds it). */
export const MAX_TERM = 64;

/** What separates terms: whitespace, punctuation and symbols. */
export const SPLIT = /[\s\p{P}\p{S}]+/u;

export function tokenize(text: string): string[] {
  return text.split(SPLIT).filter(Boolean);
}

/** A text as indexed: whitespace folded, at most MAX_TEXT characters. */
export function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_TEXT ? flat.slice(0, MAX_TEXT) : flat;
}

function attributeText(key: string, value: JsonValue | undefined): string | null {
  if (value === undefined || value === null || value === '') return null;
  return `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`;
}

/** A session's user and global context as texts ("user.email: qa@example.com", "plan: gold"). */
export function attributeTexts(user: UserContext | null, global: Record<string, JsonValue>): [SearchKind, string][] {
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

/** The distinct lower-case terms of texts, per kind ("kind NUL term"), as the postings keep them. */
export function termsOf(texts: Iterable<[SearchKind, string]>): [SearchKind, string][] {
  const seen = new Set<string>();
  const out: [SearchKind, string][] = [];
  for (const [kind, text] of texts) {
    for (const token of tokenize(clip(text))) {
      const term = token.toLowerCase().slice(0, MAX_TERM);
      const key = `${kind}\u0000${term}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push([kind, term]);
    }
  }
  return out;
}

/** The query's terms as the postings are asked: distinct, lower case, the last one a prefix (as you type). */
export function queryTerms(text: string): { terms: string[]; prefix: string } | null {
  const tokens = tokenize(text).map((t) => t.toLowerCase().slice(0, MAX_TERM));
  if (!tokens.length) return null;
  return { terms: [...new Set(tokens)], prefix: tokens.at(-1)! };
}
