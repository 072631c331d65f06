/** Messages between the panel page and its search Worker (searchWorker.ts). Plain data only. */
import type { SearchKind, SearchQuery, SearchSnippet } from '../../../sdk/schema';

export type SearchQuestion = { op: 'snippets'; sessionIds: string[]; query: SearchQuery } | { op: 'sessionIds'; text: string; kinds?: SearchKind[] };

export type SearchRequest = SearchQuestion & { id: number };

/** Snippets by session id. */
export type SnippetsBySession = Record<string, SearchSnippet[]>;

export type SearchResponse = { id: number; ok: true; value: SnippetsBySession | string[] } | { id: number; ok: false; error: string };

/**
 * Search as the panel host's source asks it: in its Worker (searchClient.ts) or in process (storedSearch.ts). Which
 * sessions match comes from the stored postings; their order (newest first) from the source's records, which the
 * page holds already; only the few hits that show snippets have their texts read.
 */
export interface SearchService {
  /** Every session matching the text (optionally only texts of these kinds), for the hits, filters and cohorts; an id may repeat. */
  sessionIds(text: string, kinds?: SearchKind[]): Promise<string[]>;
  /** The snippets of these sessions for the query (their texts read and ranked): for the few hits on screen. */
  snippets(sessionIds: string[], query: SearchQuery): Promise<SnippetsBySession>;
  close(): void;
}
