/**
 * The second delivery path (RelayExitMessage) keeps the identity the background took from the port's sender when
 * the document connected: only that tab, frame and origin may speak for the load; anything else is counted as
 * `foreign_load` and nothing of it is stored. The browser's runtime is stood in for; the same path in Chromium and
 * Firefox with the built extension is tests/e2e/page-exit.e2e.ts.
 */
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { PROTOCOL_VERSION, relayPortName, type BackgroundToRelay, type RumEvent } from '../../sdk/schema';
import type { BatchInput, IngestResult } from '../../sdk/model';

type Listener = (...args: never[]) => unknown;
const listeners = { connect: [] as Listener[], message: [] as Listener[] };
const EXTENSION_ID = 'rumscope-under-test';

vi.mock('../platform', () => {
  const on = (list: Listener[]) => ({
    addListener: (fn: Listener) => list.push(fn),
    removeListener: (fn: Listener) => list.splice(list.indexOf(fn), 1),
  });
  return { ext: { runtime: { id: EXTENSION_ID, onConnect: on(listeners.connect), onMessage: on(listeners.message) } }, isFirefox: false };
});

const { startRelayServer } = await import('./startRelayServer');

const SHOP = 'http://shop.test';
const event: RumEvent = { time: 1_765_800_740_000, tz: 330, viewId: 'view-1', type: 'action', action: 'click', name: 'Pay', selector: '#pay', x: 1, y: 2, rage: false, dead: false, errorClick: false };

interface Sender {
  id?: string;
  url?: string;
  frameId?: number;
  tab?: { id?: number; url?: string; incognito?: boolean };
}

const top = (tabId: number | undefined, url = `${SHOP}/cart`): Sender => ({ id: EXTENSION_ID, url, frameId: 0, tab: tabId === undefined ? undefined : { id: tabId, url } });

let persisted: BatchInput[];
let counted: { tabId: number; reason: string; n: number }[];
let storedLoads: Record<string, { tabId: number; frameId: number; site: string; url: string }>;

beforeEach(() => {
  listeners.connect.length = 0;
  listeners.message.length = 0;
  persisted = [];
  counted = [];
  storedLoads = {};
  startRelayServer({
    db: { loads: { get: async (id: string) => storedLoads[id] } } as never,
    tabGuard: {
      take: (_tabId: number, wanted: number) => wanted,
      count: (tabId: number, reason: string, n = 1) => void counted.push({ tabId, reason, n }),
    } as never,
    persistOptions: async () => ({}),
    persist: async (input): Promise<IngestResult> => {
      persisted.push(input);
      return { status: 'stored', sessionId: 'session-1', upTo: input.first + input.events.length, stored: input.events.length, session: { sampled: false, replay: false } };
    },
  });
});

/** A document's relay port connecting as `loadId`. */
function connect(loadId: string, sender: Sender) {
  const port = { name: relayPortName(loadId), sender, onMessage: { addListener: () => {} }, postMessage: () => {}, disconnect: () => {} };
  for (const fn of listeners.connect) (fn as (p: typeof port) => void)(port);
}

/** The one-shot exit message; resolves with what the background answered, or null once it has counted a refusal. */
async function exit(loadId: string, sender: Sender, extra: Record<string, unknown> = {}): Promise<BackgroundToRelay | null> {
  const before = counted.length;
  let answer: BackgroundToRelay | null = null;
  const message = { protocol: PROTOCOL_VERSION, kind: 'exit', loadId, first: 0, events: [event], dropped: 0, ...extra };
  const handled = listeners.message.map((fn) => (fn as (m: unknown, s: Sender, r: (a: BackgroundToRelay) => void) => boolean)(message, sender, (a) => (answer = a)));
  if (!handled.some(Boolean)) return null;
  await vi.waitFor(() => expect(answer !== null || counted.length > before).toBe(true));
  return answer;
}

describe('a document\'s last events by one-shot message', () => {
  test('are stored under the identity its port connected with, and acknowledged', async () => {
    connect('load-a', top(7));
    expect(await exit('load-a', top(7))).toMatchObject({ kind: 'ack', loadId: 'load-a', upTo: 1 });
    expect(persisted).toHaveLength(1);
    expect(persisted[0]).toMatchObject({ loadId: 'load-a', tabId: 7, frameId: 0, site: SHOP, url: `${SHOP}/cart`, first: 0 });
    expect(counted).toEqual([]);
  });

  test('from a tab the browser no longer names (Firefox, a tab being closed): taken when frame and origin match', async () => {
    connect('load-a', top(7));
    expect(await exit('load-a', top(undefined))).toMatchObject({ kind: 'ack', upTo: 1 });
    expect(persisted[0]).toMatchObject({ tabId: 7, site: SHOP });
  });

  test('naming another tab\'s load: refused and counted, nothing stored', async () => {
    connect('load-a', top(7));
    expect(await exit('load-a', top(8))).toBeNull();
    expect(persisted).toEqual([]);
    expect(counted).toEqual([{ tabId: 8, reason: 'foreign_load', n: 1 }]);
  });

  test('from the same tab on another site (the load id carried across a navigation): refused', async () => {
    connect('load-a', top(7));
    expect(await exit('load-a', top(7, 'http://evil.test/'))).toBeNull();
    // Nor when the browser does not name the tab: the origin still decides.
    expect(await exit('load-a', top(undefined, 'http://evil.test/'))).toBeNull();
    expect(persisted).toEqual([]);
    expect(counted.map((c) => c.reason)).toEqual(['foreign_load', 'foreign_load']);
  });

  test('from a frame of the same tab and origin speaking for the top page\'s load: refused', async () => {
    connect('load-a', top(7));
    expect(await exit('load-a', { ...top(7), frameId: 3 })).toBeNull();
    expect(persisted).toEqual([]);
    expect(counted).toEqual([{ tabId: 7, reason: 'foreign_load', n: 1 }]);
  });

  test('naming its own tab, site or session: refused as malformed, nothing stored', async () => {
    connect('load-a', top(7));
    expect(await exit('load-a', top(7), { tabId: 99, site: 'http://evil.test', sessionId: 'someone-else' })).toBeNull();
    expect(persisted).toEqual([]);
    expect(counted).toEqual([{ tabId: 7, reason: 'malformed', n: 1 }]);
  });

  test('after a background restart (no port yet): taken from the stored load\'s tab, frame and site only', async () => {
    storedLoads['load-b'] = { tabId: 7, frameId: 0, site: SHOP, url: `${SHOP}/cart` };
    expect(await exit('load-b', top(8))).toBeNull();
    expect(persisted).toEqual([]);
    expect(await exit('load-b', top(7))).toMatchObject({ kind: 'ack', upTo: 1 });
    expect(persisted[0]).toMatchObject({ loadId: 'load-b', tabId: 7, site: SHOP });
  });

  test('for a load never connected nor stored: refused', async () => {
    expect(await exit('load-unknown', top(7))).toBeNull();
    expect(persisted).toEqual([]);
    expect(counted).toEqual([{ tabId: 7, reason: 'foreign_load', n: 1 }]);
  });

  test('from another extension or a web page: not taken at all', async () => {
    connect('load-a', top(7));
    expect(await exit('load-a', { ...top(7), id: 'another-extension' })).toBeNull();
    expect(persisted).toEqual([]);
    expect(counted).toEqual([]);
  });
});
