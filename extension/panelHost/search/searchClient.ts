/**
 * The panel page's side of search: questions go to the search Worker (searchWorker.ts), which reads the stored
 * postings; the page's main thread never reads them. Identical questions in flight
 * share one answer (a keystroke asks the list, the count, the facets and the KPIs the same thing).
 */
import type { SearchKind, SearchQuery } from '../../../sdk/schema';
import type { SearchQuestion, SearchRequest, SearchResponse, SearchService, SnippetsBySession } from './protocol';

export type { SearchService };

interface WorkerLike {
  postMessage(message: SearchRequest): void;
  onmessage: ((event: MessageEvent<SearchResponse>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  terminate(): void;
}

/** `worker`: the Worker, or how to start it (then started on the first question, or by `start`). */
export function createSearchClient(worker: WorkerLike | (() => WorkerLike)): SearchService & { start(): void } {
  let next = 0;
  const waiting = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();
  const inFlight = new Map<string, Promise<unknown>>();
  let started: WorkerLike | null = null;
  const running = (): WorkerLike => {
    if (started) return started;
    const w = typeof worker === 'function' ? worker() : worker;
    started = w;
    w.onmessage = ({ data }) => {
      const entry = waiting.get(data.id);
      if (!entry) return;
      waiting.delete(data.id);
      if (data.ok) entry.resolve(data.value as never);
      else entry.reject(new Error(data.error));
    };
    w.onerror = (event) => {
      const error = new Error(`search worker failed: ${event.message || 'unknown error'}`);
      for (const entry of waiting.values()) entry.reject(error);
      waiting.clear();
    };
    return w;
  };
  if (typeof worker !== 'function') running();
  const ask = <T>(key: string, request: SearchQuestion): Promise<T> => {
    const pending = inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const id = ++next;
    const answer = new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (value: never) => void, reject });
      running().postMessage({ ...request, id });
    }).finally(() => inFlight.delete(key));
    inFlight.set(key, answer);
    return answer;
  };
  return {
    snippets: (sessionIds: string[], query: SearchQuery) => ask<SnippetsBySession>(`snippets\u0000${JSON.stringify([sessionIds, query])}`, { op: 'snippets', sessionIds, query }),
    sessionKeys: (text: string, kinds?: SearchKind[]) => ask<Float64Array>(`keys\u0000${kinds?.join(',') ?? ''}\u0000${text}`, { op: 'sessionKeys', text, ...(kinds && { kinds }) }),
    close: () => started?.terminate(),
    start: () => void running(),
  };
}

/**
 * The search Worker of an extension page: started when the page is first idle (after the first rows are shown
 * and the dashboard's first figures are counted), or by the first question if that comes sooner.
 */
export function startSearchWorker(): SearchService {
  const client = createSearchClient(() => new Worker(new URL('./searchWorker.ts', import.meta.url), { type: 'module' }) as unknown as WorkerLike);
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => client.start(), { timeout: 5_000 });
  else setTimeout(() => client.start(), 1_000);
  return client;
}
