import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { RumEvent } from '../../../sdk/schema';
import { RumscopeDb } from '../../storage/db';
import { base, makeSession, stored } from '../../../tests/unit/support/sessionFixtures';
import { createSearchFollower } from './searchFollower';
import { createSearchClient } from './searchClient';
import type { SearchRequest, SearchResponse } from './protocol';

const opened: RumscopeDb[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await RumscopeDb.delete(db.name);
  }
});
let n = 0;
const open = () => {
  const db = new RumscopeDb(`search-follower-${++n}`);
  opened.push(db);
  return db;
};
const view = (url: string, at = 1): RumEvent => ({ ...base(at), type: 'view', url, referrer: '', title: '', navigation: 'initial', loadingTime: null });

describe('search follower', () => {
  it('builds from what is stored, then reads only what the change notices name; answers are memoised until the index changes', async () => {
    const db = open();
    await db.sessions.bulkPut([makeSession({ id: 'a' }), makeSession({ id: 'b', global: { plan: 'gold' } })]);
    await db.events.bulkPut([stored(view('https://shop.test/checkout', 1), 'a'), stored(view('https://shop.test/cart', 1), 'b')]);
    const follower = createSearchFollower(db);
    expect(await follower.sessionIds('checkout')).toEqual(['a']);
    expect(await follower.sessionIds('gold')).toEqual(['b']);
    expect((await follower.search({ text: 'cart' })).map((h) => h.sessionId)).toEqual(['b']);

    // A new event of b: nothing changes until the notice names it.
    await db.events.put(stored(view('https://shop.test/checkout/pay', 5), 'b'));
    expect(await follower.sessionIds('checkout')).toEqual(['a']);
    follower.onChange({ cursor: '1', events: ['b'] });
    expect((await follower.sessionIds('checkout')).sort()).toEqual(['a', 'b']);
    expect(await follower.sessionIds('pay', ['url'])).toEqual(['b']);
    expect(await follower.sessionIds('pay', ['error'])).toEqual([]);

    // A deleted session leaves the index.
    await db.sessions.delete('a');
    follower.onChange({ cursor: '2', sessions: ['a'] });
    expect(await follower.sessionIds('checkout')).toEqual(['b']);
    expect(await follower.stats()).toMatchObject({ sessions: 1 });

    // 'all' (a bulk delete, a missed notice): built again from what is stored.
    await db.events.clear();
    await db.sessions.clear();
    follower.onChange({ cursor: '3', sessions: 'all', events: 'all' });
    expect(await follower.sessionIds('checkout')).toEqual([]);
  });
});

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
    const [one, two, other] = [client.sessionIds('pay'), client.sessionIds('pay'), client.search({ text: 'x' })];
    expect(posted.map((m) => m.op)).toEqual(['sessionIds', 'search']);
    worker.onmessage!({ data: { id: posted[0]!.id, ok: true, value: ['s1'] } } as MessageEvent<SearchResponse>);
    worker.onmessage!({ data: { id: posted[1]!.id, ok: false, error: 'index gone' } } as MessageEvent<SearchResponse>);
    expect(await one).toEqual(['s1']);
    expect(await two).toEqual(['s1']);
    await expect(other).rejects.toThrow('index gone');
    // Answered: the next question is asked again.
    void client.sessionIds('pay');
    expect(posted).toHaveLength(3);
  });
});
