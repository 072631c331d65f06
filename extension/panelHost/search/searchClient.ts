/**
 * The panel page's side of search: questions go to the search Worker (searchWorker.ts), which keeps the index
 * current as events are written; the page's main thread never builds or scans it. Identical questions in flight
 * share one answer (a keystroke asks the list, the count, the facets and the KPIs the same thing).
 */
import type { SearchHit, SearchKind, SearchQuery } from '../../../sdk/schema';
import type { SearchQuestion, SearchRequest, SearchResponse } from './protocol';
import type { SearchFollower } from './searchFollower';

export type SearchService = Pick<SearchFollower, 'search' | 'sessionIds'> & { close(): void };

interface WorkerLike {
  postMessage(message: SearchRequest): void;
  onmessage: ((event: MessageEvent<SearchResponse>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  terminate(): void;
}

export function createSearchClient(worker: WorkerLike): SearchService {
  let next = 0;
  const waiting = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();
  const inFlight = new Map<string, Promise<unknown>>();
  worker.onmessage = ({ data }) => {
    const entry = waiting.get(data.id);
    if (!entry) return;
    waiting.delete(data.id);
    if (data.ok) entry.resolve(data.value as never);
    else entry.reject(new Error(data.error));
  };
  worker.onerror = (event) => {
    const error = new Error(`search worker failed: ${event.message || 'unknown error'}`);
    for (const entry of waiting.values()) entry.reject(error);
    waiting.clear();
  };
  const ask = <T>(key: string, request: SearchQuestion): Promise<T> => {
    const pending = inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const id = ++next;
    const answer = new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (value: never) => void, reject });
      worker.postMessage({ ...request, id });
    }).finally(() => inFlight.delete(key));
    inFlight.set(key, answer);
    return answer;
  };
  return {
    search: (query: SearchQuery) => ask<SearchHit[]>(`hits\u0000${JSON.stringify(query)}`, { op: 'search', query }),
    sessionIds: (text: string, kinds?: SearchKind[]) => ask<string[]>(`ids\u0000${kinds?.join(',') ?? ''}\u0000${text}`, { op: 'sessionIds', text, ...(kinds && { kinds }) }),
    close: () => worker.terminate(),
  };
}

/** The search Worker of an extension page. */
export function startSearchWorker(): SearchService {
  return createSearchClient(new Worker(new URL('./searchWorker.ts', import.meta.url), { type: 'module' }) as unknown as WorkerLike);
}
