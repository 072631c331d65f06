/** Messages between the panel page and its search Worker (searchWorker.ts). Plain data only. */
import type { SearchHit, SearchKind, SearchQuery } from '../../../sdk/schema';

export type SearchQuestion = { op: 'search'; query: SearchQuery } | { op: 'sessionIds'; text: string; kinds?: SearchKind[] };

export type SearchRequest = SearchQuestion & { id: number };

export type SearchResponse = { id: number; ok: true; value: SearchHit[] | string[] } | { id: number; ok: false; error: string };

/** Search as the panel host's source asks it: in its Worker (searchClient.ts) or in process (storedSearch.ts). */
export interface SearchService {
  search(query: SearchQuery): Promise<SearchHit[]>;
  /** Every session matching the text (optionally only texts of these kinds), for filters and cohorts. */
  sessionIds(text: string, kinds?: SearchKind[]): Promise<string[]>;
  close(): void;
}
