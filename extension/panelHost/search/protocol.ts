/** Messages between the panel page and its search Worker (searchWorker.ts). Plain data only. */
import type { SearchKind, SearchQuery, SearchSnippet } from '../../../sdk/schema';

export type SearchQuestion = { op: 'snippets'; sessionIds: string[]; query: SearchQuery } | { op: 'sessionKeys'; text: string; kinds?: SearchKind[] };

export type SearchRequest = SearchQuestion & { id: number };

/** Snippets by session id. */
export type SnippetsBySession = Record<string, SearchSnippet[]>;

/** A `sessionKeys` answer's array is transferred (its buffer moves to the page, not copied). */
export type SearchResponse = { id: number; ok: true; value: SnippetsBySession | Float64Array } | { id: number; ok: false; error: string };

/**
 * Search as the panel host's source asks it: in its Worker (searchClient.ts) or in process (storedSearch.ts). Which
 * sessions match comes from the stored postings, as their keys (sdk/model/sessionKey.ts); their order (newest first)
 * from the source's columns, which the page holds already; only the few hits that show snippets have their texts read.
 */
export interface SearchService {
  /**
   * The keys of every session matching the text (optionally only texts of these kinds), for the hits, filters and
   * cohorts; a key may repeat, and may name a deleted session.
   */
  sessionKeys(text: string, kinds?: SearchKind[]): Promise<Float64Array>;
  /** The snippets of these sessions for the query (their texts read and ranked): for the few hits on screen. */
  snippets(sessionIds: string[], query: SearchQuery): Promise<SnippetsBySession>;
  close(): void;
}
