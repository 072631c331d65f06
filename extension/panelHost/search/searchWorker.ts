/**
 * The panel host's search Worker: holds the search index off the panel's main thread, follows the database's
 * change feed itself (Dexie's cross-context channel reaches workers too) and answers the panel's questions.
 */
import Dexie, { type ObservabilitySet } from 'dexie';
import { RumscopeDb } from '../../storage/db';
import { changeFromParts } from '../changeFromParts';
import { createSearchFollower } from './searchFollower';
import type { SearchRequest, SearchResponse } from './protocol';

const db = new RumscopeDb();
const follower = createSearchFollower(db);
let cursor = 0;
Dexie.on.storagemutated.subscribe((parts: ObservabilitySet) => {
  const change = changeFromParts(db.name, parts, String(++cursor));
  if (change) follower.onChange(change);
});

const scope = self as unknown as { onmessage: ((event: MessageEvent<SearchRequest>) => void) | null; postMessage(message: SearchResponse): void };
scope.onmessage = async ({ data }) => {
  try {
    const value = data.op === 'search' ? await follower.search(data.query) : await follower.sessionIds(data.text, data.kinds);
    scope.postMessage({ id: data.id, ok: true, value });
  } catch (error) {
    scope.postMessage({ id: data.id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
};
