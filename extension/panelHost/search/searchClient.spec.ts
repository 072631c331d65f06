import { describe, expect, it } from 'vitest';
import { createSearchClient } from './searchClient';
import type { SearchRequest, SearchResponse } from './protocol';

describe('search client', () => {
  it('asks the worker once for identical questions in flight and passes its errors on', async () => {
    const posted: SearchRequest[] = [];
    const worker = {
      onmessage: null as ((event: MessageEvent<SearchResponse>) => void) | null,
      onerror: null as ((event: ErrorEvent) => void) | null,
      postMessage: (message: SearchRequest) => void posted.push(message),
      terminate: () => {},
    };
    const client = createSearchClient(worker);
    const [one, two, other] = [client.sessionKeys('pay'), client.sessionKeys('pay'), client.snippets(['s1'], { text: 'x' })];
    expect(posted.map((m) => m.op)).toEqual(['sessionKeys', 'snippets']);
    worker.onmessage!({ data: { id: posted[0]!.id, ok: true, value: Float64Array.of(7) } } as MessageEvent<SearchResponse>);
    worker.onmessage!({ data: { id: posted[1]!.id, ok: false, error: 'index gone' } } as MessageEvent<SearchResponse>);
    expect([...(await one)]).toEqual([7]);
    expect(await two).toBe(await one);
    await expect(other).rejects.toThrow('index gone');
    // Answered: the next question is asked again.
    void client.sessionKeys('pay');
    expect(posted).toHaveLength(3);
  });
});
