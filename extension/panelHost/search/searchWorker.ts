/**
 * The panel host's search Worker: answers the panel's questions from the postings stored with the data
 * (storedSearch.ts), off the panel's main thread (a common word's postings are tens of thousands of keys).
 */
import { RumscopeDb } from '../../storage/db';
import { createStoredSearch } from './storedSearch';
import type { SearchRequest, SearchResponse } from './protocol';

// Every block held in memory: a word never asked before is answered without reading its blocks.
const search = createStoredSearch(new RumscopeDb(), { readAllBlocks: true });

const scope = self as unknown as { onmessage: ((event: MessageEvent<SearchRequest>) => void) | null; postMessage(message: SearchResponse, transfer?: Transferable[]): void };
scope.onmessage = async ({ data }) => {
  try {
    if (data.op === 'snippets') {
      scope.postMessage({ id: data.id, ok: true, value: await search.snippets(data.sessionIds, data.query) });
      return;
    }
    // A new array each answer (sessionKeysMatching): its buffer moves to the page instead of being copied.
    const keys = await search.sessionKeys(data.text, data.kinds);
    scope.postMessage({ id: data.id, ok: true, value: keys }, [keys.buffer]);
  } catch (error) {
    scope.postMessage({ id: data.id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
};
