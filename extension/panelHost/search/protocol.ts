/** Messages between the panel page and its search Worker (searchWorker.ts). Plain data only. */
import type { SearchHit, SearchKind, SearchQuery } from '../../../sdk/schema';

export type SearchQuestion = { op: 'search'; query: SearchQuery } | { op: 'sessionIds'; text: string; kinds?: SearchKind[] };

export type SearchRequest = SearchQuestion & { id: number };

export type SearchResponse = { id: number; ok: true; value: SearchHit[] | string[] } | { id: number; ok: false; error: string };
