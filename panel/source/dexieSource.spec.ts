import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RumscopeDb } from '../../extension/storage/db';
import { createDexieSource } from './dexieSource';
import type { Unsubscribe } from './SessionSource';
import { base, makeLoad, makeSession, stored } from '../testFixtures';

/** Records every value a watcher emits. */
function recorder<T>() {
  const values: T[] = [];
  return { values, push: (value: T) => values.push(value), last: () => values.at(-1) };
}

const opened: RumscopeDb[] = [];
const subscriptions: Unsubscribe[] = [];
let counter = 0;

/** A writer (standing in for the background) and a separate reader on the same database, as in the extension. */
function setup() {
  const name = `rumscope-test-${counter++}`;
  const writer = new RumscopeDb(name);
  const reader = new RumscopeDb(name);
  opened.push(writer, reader);
  return { writer, source: createDexieSource(reader) };
}

afterEach(async () => {
  subscriptions.splice(0).forEach((unsubscribe) => unsubscribe());
  const dbs = opened.splice(0);
  for (const db of dbs) db.close();
  for (const name of new Set(dbs.map((db) => db.name))) await RumscopeDb.delete(name);
});

describe('dexieSource', () => {
  it('lists sessions newest first and follows new and updated sessions', async () => {
    const { writer, source } = setup();
    await writer.sessions.bulkPut([makeSession({ id: 'old', startedAt: 1_000 }), makeSession({ id: 'mid', startedAt: 2_000 })]);

    const list = recorder<{ id: string; errors: number }[]>();
    subscriptions.push(source.watchSessions({}, (sessions) => list.push(sessions.map((s) => ({ id: s.id, errors: s.counts.errors })))));
    await vi.waitFor(() => expect(list.last()?.map((s) => s.id)).toEqual(['mid', 'old']));

    await writer.sessions.put(makeSession({ id: 'new', startedAt: 3_000 }));
    await vi.waitFor(() => expect(list.last()?.map((s) => s.id)).toEqual(['new', 'mid', 'old']));

    await writer.sessions.update('old', { 'counts.errors': 4 });
    await vi.waitFor(() => expect(list.last()?.find((s) => s.id === 'old')?.errors).toBe(4));
  });

  it('applies the time range and limit of a query', async () => {
    const { writer, source } = setup();
    await writer.sessions.bulkPut([1_000, 2_000, 3_000, 4_000].map((t) => makeSession({ id: `s${t}`, startedAt: t })));

    const list = recorder<string[]>();
    subscriptions.push(source.watchSessions({ startedFrom: 2_000, startedBefore: 4_000, limit: 1 }, (s) => list.push(s.map((x) => x.id))));
    await vi.waitFor(() => expect(list.last()).toEqual(['s3000']));
  });

  it('watches one session, including its deletion', async () => {
    const { writer, source } = setup();
    const one = recorder<number | null>();
    subscriptions.push(source.watchSession('s1', (s) => one.push(s ? s.overheadMs : null)));
    await vi.waitFor(() => expect(one.values).toEqual([null]));

    await writer.sessions.put(makeSession({ overheadMs: 3 }));
    await vi.waitFor(() => expect(one.last()).toBe(3));
    await writer.sessions.update('s1', { overheadMs: 5 });
    await vi.waitFor(() => expect(one.last()).toBe(5));
    await writer.sessions.delete('s1');
    await vi.waitFor(() => expect(one.last()).toBeNull());
  });

  it("watches a session's events in time order, only its own, filtered by type", async () => {
    const { writer, source } = setup();
    await writer.events.bulkPut([
      stored({ ...base(300), type: 'action', action: 'click', name: 'Buy', selector: null, x: 1, y: 2, rage: false, dead: false, errorClick: false }),
      stored({ ...base(100), type: 'view', url: 'http://127.0.0.1:5173/', referrer: '', title: 'Home', navigation: 'initial', loadingTime: 120 }),
      stored({ ...base(200), type: 'replay', records: [] }),
      stored({ ...base(150), type: 'view', url: 'http://other/', referrer: '', title: 'Other', navigation: 'initial', loadingTime: null }, 's2', 'load-2'),
    ]);

    const all = recorder<string[]>();
    const timeline = recorder<number[]>();
    subscriptions.push(source.watchEvents('s1', (events) => all.push(events.map((e) => e.type))));
    subscriptions.push(source.watchEvents('s1', (events) => timeline.push(events.map((e) => e.time)), { types: ['view', 'action', 'error'] }));
    await vi.waitFor(() => expect(all.last()).toEqual(['view', 'replay', 'action']));
    await vi.waitFor(() => expect(timeline.last()).toEqual([100, 300]));

    await writer.events.put(
      stored({ ...base(250), type: 'error', source: 'uncaught', errorType: 'TypeError', message: 'x is undefined', stack: null, frames: [] }),
    );
    await vi.waitFor(() => expect(timeline.last()).toEqual([100, 250, 300]));
  });

  it("reports the tab's current session and dropped messages", async () => {
    const { writer, source } = setup();
    const info = recorder<{ current: string | null; dropped: number }>();
    subscriptions.push(source.watchTabInfo(7, (i) => info.push({ current: i.currentSessionId, dropped: i.dropped })));
    await vi.waitFor(() => expect(info.last()).toEqual({ current: null, dropped: 0 }));

    await writer.loads.bulkPut([
      makeLoad({ id: 'a', sessionId: 's1', startedAt: 1_000 }),
      makeLoad({ id: 'other-tab', tabId: 8, sessionId: 'x', startedAt: 9_000 }),
    ]);
    await vi.waitFor(() => expect(info.last()?.current).toBe('s1'));

    // A newer top-frame load (navigation to another site) becomes current; a later subframe load does not.
    await writer.loads.bulkPut([
      makeLoad({ id: 'b', sessionId: 's2', startedAt: 2_000 }),
      makeLoad({ id: 'frame', frameId: 3, sessionId: 's3', startedAt: 3_000 }),
    ]);
    await vi.waitFor(() => expect(info.last()?.current).toBe('s2'));

    await writer.tabStats.put({ tabId: 7, dropped: 12, reasons: { forged: 10, rate: 2 }, updatedAt: 5_000 });
    await vi.waitFor(() => expect(info.last()).toEqual({ current: 's2', dropped: 12 }));
  });

  it('stops emitting after unsubscribe', async () => {
    const { writer, source } = setup();
    const list = recorder<number>();
    const unsubscribe = source.watchSessions({}, (s) => list.push(s.length));
    await vi.waitFor(() => expect(list.values).toEqual([0]));
    unsubscribe();
    await writer.sessions.put(makeSession());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(list.values).toEqual([0]);
  });

  it('never writes', async () => {
    const { writer, source } = setup();
    await writer.sessions.put(makeSession());
    const reader = opened[1]!;
    const hook = vi.fn();
    reader.sessions.hook('creating', hook);
    reader.sessions.hook('updating', hook);
    reader.sessions.hook('deleting', hook);
    const seen = recorder<number>();
    subscriptions.push(source.watchSessions({}, (s) => seen.push(s.length)));
    subscriptions.push(source.watchSession('s1', () => {}));
    subscriptions.push(source.watchEvents('s1', () => {}));
    subscriptions.push(source.watchTabInfo(7, () => {}));
    await vi.waitFor(() => expect(seen.last()).toBe(1));
    expect(hook).not.toHaveBeenCalled();
  });
});
