import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RumscopeDb } from '../storage/db';
import { deleteSessions } from '../storage/sessionStore';
import { compactAllPostings } from '../storage/compactPostings';
import { readTotals, recountTotals } from '../storage/sessionTotals';
import { buildSegmentRow } from '../storage/replayStore';
import { compareSessions } from '../../panel/source/sessionSort';
import { createDexieSessionSource, memoSearchKeys } from './dexieSessionSource';
import { sessionKey } from '../../sdk/model/sessionKey';
import { windowByStart } from './dashboardStore';
import { createSessionColumns } from '../../panel/dashboard/sessionColumns';
import type { SourceChange, Unsubscribe } from '../../panel/source/SessionSource';
import { base, makeLoad, makeSession, stored } from '../../tests/unit/support/sessionFixtures';

const opened: RumscopeDb[] = [];
const subscriptions: Unsubscribe[] = [];
let counter = 0;

/** A writer (standing in for the background) and a separate reader on the same database, as in the extension. */
function setup() {
  const name = `rumscope-source-${counter++}`;
  const writer = new RumscopeDb(name);
  const reader = new RumscopeDb(name);
  opened.push(writer, reader);
  return { writer, source: createDexieSessionSource(reader) };
}

afterEach(async () => {
  subscriptions.splice(0).forEach((unsubscribe) => unsubscribe());
  const dbs = opened.splice(0);
  for (const db of dbs) db.close();
  for (const name of new Set(dbs.map((db) => db.name))) await RumscopeDb.delete(name);
});

const ids = (page: { sessions: { id: string }[] }) => page.sessions.map((s) => s.id);

describe('dexieSessionSource', () => {
  it('reads one window of the list, newest first by default, in any column order, with counts', async () => {
    const { writer, source } = setup();
    await writer.sessions.bulkPut([
      makeSession({ id: 'a', startedAt: 1_000, lastEventAt: 9_000, counts: { ...makeSession().counts, errors: 2 }, user: { email: 'zed@x.io' } }),
      makeSession({ id: 'b', startedAt: 2_000, lastEventAt: 2_500, counts: { ...makeSession().counts, errors: 7 }, user: { email: 'amy@x.io' } }),
      makeSession({ id: 'c', startedAt: 3_000, lastEventAt: 5_000 }),
      makeSession({ id: 'd', startedAt: 4_000, lastEventAt: 4_000 }),
    ]);

    expect(ids(await source.listSessions({}))).toEqual(['d', 'c', 'b', 'a']);
    expect(await source.listSessions({ offset: 1, limit: 2 })).toMatchObject({ offset: 1, sessions: [{ id: 'c' }, { id: 'b' }] });
    expect(ids(await source.listSessions({ sort: { key: 'startedAt', direction: 'asc' }, limit: 2 }))).toEqual(['a', 'b']);
    expect(ids(await source.listSessions({ sort: { key: 'errors', direction: 'desc' } }))).toEqual(['b', 'a', 'd', 'c']);
    expect(ids(await source.listSessions({ sort: { key: 'timeSpent', direction: 'desc' }, limit: 2 }))).toEqual(['a', 'c']);
    expect(ids(await source.listSessions({ sort: { key: 'email', direction: 'asc' } }))).toEqual(['d', 'c', 'b', 'a']);

    const range = { startedFrom: 2_000, startedBefore: 4_000 };
    expect(ids(await source.listSessions({ filter: range }))).toEqual(['c', 'b']);
    expect(await source.countSessions(range)).toBe(2);
    expect(await source.countSessions()).toBe(4);
    // A dashboard filter beyond the start-time index is answered too (dashboardStore.spec.ts has the rest).
    expect(ids(await source.listSessions({ filter: { errors: { preset: 'some' }, ...range } }))).toEqual(['b']);
    expect(await source.countSessions({ errors: { preset: 'some' } })).toBe(2);
  });

  it('counts every session from the running totals the writes keep, following puts and deletes', async () => {
    const { writer, source } = setup();
    await writer.sessions.bulkPut([makeSession({ id: 'a', startedAt: 1_000 }), makeSession({ id: 'b', startedAt: 2_000 })]);
    expect(await source.countSessions()).toBe(2); // no totals row yet: counted
    await recountTotals(writer);
    await writer.sessions.bulkPut([makeSession({ id: 'c', startedAt: 3_000 }), makeSession({ id: 'a', startedAt: 1_000, lastEventAt: 5_000 })]);
    expect(await source.countSessions()).toBe(3);
    await deleteSessions(writer, ['b']);
    expect(await source.countSessions()).toBe(2);
    // The answer is the totals row's (no walk over the store): what the storage settings show too.
    expect(await source.countSessions()).toBe((await readTotals(writer))!.sessions);
    expect(await source.countSessions({})).toBe(2);
    // A filter whose parts are all empty (a cleared search) is every session: the totals row, not a walk of the
    // index (shown by a totals row that says otherwise).
    await writer.meta.put({ key: 'totals', value: { ...(await readTotals(writer))!, sessions: 99 } });
    expect(await source.countSessions({ search: undefined, country: [] })).toBe(99);
    expect(await source.countSessions({ startedFrom: 0 })).toBe(2);
  });

  it("reads a session's replay: its segments decompressed into one stream in time order, nothing of another session's", async () => {
    const { writer, source } = setup();
    await writer.sessions.bulkPut([makeSession({ id: 's1', replay: true }), makeSession({ id: 's2', replay: true })]);
    const record = (timestamp: number) => ({ type: 3, timestamp, data: { source: 2, type: 2, id: timestamp } });
    // Written out of order, as segments of two loads may arrive.
    await writer.replaySegments.bulkPut([
      buildSegmentRow('s1', 'load-2', 0, { viewId: 'v2', reason: 'time', records: [record(300), record(400)] }),
      buildSegmentRow('s1', 'load-1', 0, { viewId: 'v1', reason: 'time', records: [record(100), record(200)] }),
      buildSegmentRow('s2', 'load-3', 0, { viewId: 'v3', reason: 'time', records: [record(150)] }),
    ]);
    const replay = await source.getReplay!('s1');
    expect(replay.records.map((r) => r.timestamp)).toEqual([100, 200, 300, 400]);
    expect(replay.segments.map((s) => s.loadId)).toEqual(['load-1', 'load-2']);
    expect((await source.getReplay!('none')).records).toEqual([]);
  });

  it('reads a long replay by time window: the first window without the rest, then the next ones in turn', async () => {
    const { writer, source } = setup();
    await writer.sessions.put(makeSession({ id: 's1', replay: true }));
    const record = (timestamp: number) => ({ type: 3, timestamp, data: { source: 2, type: 2, id: timestamp } });
    // 20 minutes of 5 s segments (the bench has the 60-minute session).
    const rows = [];
    for (let seq = 0; seq < 240; seq++) rows.push(buildSegmentRow('s1', 'load-1', seq, { viewId: 'v', reason: 'time', records: [record(seq * 5_000), record(seq * 5_000 + 4_000)] }));
    await writer.replaySegments.bulkPut(rows);
    const first = await source.getReplay!('s1', { spanMs: 120_000 });
    expect(first.segments.length).toBe(25); // starts 0..120 s
    expect(first.records[0]!.timestamp).toBe(0);
    expect(first.window).toEqual({ until: 120_000, more: true });
    expect(first.range).toEqual({ start: 0, end: 239 * 5_000 + 4_000 });
    const next = await source.getReplay!('s1', { after: first.window!.until, spanMs: 120_000 });
    expect(next.records[0]!.timestamp).toBe(125_000); // nothing twice, nothing skipped
    expect(next.window).toEqual({ until: 245_000, more: true });
    const last = await source.getReplay!('s1', { after: 1_100_000, spanMs: 120_000 });
    expect(last.window!.more).toBe(false);
    expect(last.records.at(-1)!.timestamp).toBe(239 * 5_000 + 4_000);
    expect(await source.getReplay!('none', { spanMs: 1_000 })).toMatchObject({ records: [], window: { more: false } });
  });

  it('reads one session, its events in time order filtered by type, the tab and storage', async () => {
    const { writer, source } = setup();
    await writer.sessions.put(makeSession({ overheadMs: 3 }));
    await writer.events.bulkPut([
      stored({ ...base(300), type: 'action', action: 'click', name: 'Buy', selector: null, x: 1, y: 2, rage: false, dead: false, errorClick: false }),
      stored({ ...base(100), type: 'view', url: 'http://127.0.0.1:5173/', referrer: '', title: 'Home', navigation: 'initial', loadingTime: 120 }),
      stored({ ...base(200), type: 'replay', records: [] }),
      stored({ ...base(150), type: 'view', url: 'http://other/', referrer: '', title: 'Other', navigation: 'initial', loadingTime: null }, 's2', 'load-2'),
    ]);
    expect((await source.getSession('s1'))?.overheadMs).toBe(3);
    expect(await source.getSession('nope')).toBeNull();
    expect((await source.getEvents('s1')).map((e) => e.type)).toEqual(['view', 'replay', 'action']);
    expect((await source.getEvents('s1', { types: ['view', 'action'] })).map((e) => e.time)).toEqual([100, 300]);

    expect(await source.getTabInfo(7)).toMatchObject({ currentSessionId: null, dropped: 0 });
    // The newest top-frame load is current; a later subframe load is not.
    await writer.loads.bulkPut([
      makeLoad({ id: 'a', sessionId: 's1', startedAt: 1_000 }),
      makeLoad({ id: 'b', sessionId: 's2', startedAt: 2_000 }),
      makeLoad({ id: 'frame', frameId: 3, sessionId: 's3', startedAt: 3_000 }),
      makeLoad({ id: 'other-tab', tabId: 8, sessionId: 'x', startedAt: 9_000 }),
    ]);
    await writer.tabStats.put({ tabId: 7, dropped: 12, reasons: { forged: 10, rate: 2 }, updatedAt: 5_000 });
    expect(await source.getTabInfo(7)).toEqual({ tabId: 7, currentSessionId: 's2', dropped: 12, droppedByReason: { forged: 10, rate: 2 } });

    expect(await source.getStorage!()).toEqual({ usage: null, warning: null });
  });

  it('reports what changed: which sessions, whose events, tabs, storage', async () => {
    const { writer, source } = setup();
    const changes: SourceChange[] = [];
    subscriptions.push(source.watchChanges((c) => changes.push(c)));

    await writer.sessions.bulkPut([makeSession({ id: 'a' }), makeSession({ id: 'b' })]);
    await vi.waitFor(() => expect(changes.at(-1)?.sessions).toEqual(expect.arrayContaining(['a', 'b'])));
    await writer.sessions.update('a', { 'counts.errors': 1 });
    await vi.waitFor(() => expect(changes.at(-1)).toMatchObject({ sessions: ['a'] }));
    await writer.events.put(stored({ ...base(1), type: 'replay', records: [] }, 'b'));
    await vi.waitFor(() => expect(changes.at(-1)).toMatchObject({ events: ['b'] }));
    expect(changes.at(-1)?.sessions).toBeUndefined();
    await writer.loads.put(makeLoad());
    await vi.waitFor(() => expect(changes.at(-1)).toMatchObject({ tabs: true }));
    await writer.meta.put({ key: 'storageWarning', value: { kind: 'quota', at: 0, evictedSessions: 1, evictedBytes: 1, refusedWrites: 1 } });
    await vi.waitFor(() => expect(changes.at(-1)).toMatchObject({ storage: true }));
    await deleteSessions(writer, ['b']);
    await vi.waitFor(() => expect(changes.at(-1)?.sessions).toEqual(['b']));

    const cursors = changes.map((c) => Number(c.cursor));
    expect(cursors).toEqual([...cursors].sort((x, y) => x - y));
    expect(new Set(cursors).size).toBe(cursors.length);
  });

  it('stops reporting after unsubscribe, and never writes', async () => {
    const { writer, source } = setup();
    const reader = opened[1]!;
    const hook = vi.fn();
    reader.sessions.hook('creating', hook);
    reader.sessions.hook('updating', hook);
    reader.sessions.hook('deleting', hook);
    const seen: SourceChange[] = [];
    const stop = source.watchChanges((c) => seen.push(c));
    await writer.sessions.put(makeSession());
    await vi.waitFor(() => expect(seen.length).toBeGreaterThan(0));
    await new Promise((resolve) => setTimeout(resolve, 20));
    stop();
    const before = seen.length;
    await writer.sessions.put(makeSession({ id: 'later' }));
    await source.listSessions({});
    await source.getTabInfo(7);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toHaveLength(before);
    expect(hook).not.toHaveBeenCalled();
  });

  it("never shows a deleted session whose id stays in a compacted block: search, list, count, facets, KPIs, cohorts", async () => {
    const { writer, source } = setup();
    const at = Date.UTC(2025, 11, 5, 10);
    await writer.sessions.bulkPut(['a', 'b', 'c'].map((id, i) => makeSession({ id, startedAt: at + i * 1_000, lastEventAt: at + i * 1_000 + 500 })));
    await writer.events.bulkPut(['a', 'b'].map((id) => stored({ ...base(at), type: 'view', url: 'https://shop.test/checkout', referrer: '', title: '', navigation: 'initial', loadingTime: null }, id)));
    await compactAllPostings(writer);
    expect(await writer.searchTerms.count()).toBe(0);
    await deleteSessions(writer, ['a']);
    // The block still names it (stale until its day expires)...
    expect((await writer.searchBlocks.toArray()).some((block) => block.keys.includes(sessionKey('a')))).toBe(true);
    // ...and nothing the panel shows or counts does.
    const filter = { search: 'checkout' };
    expect((await source.search({ text: 'checkout' })).map((hit) => hit.sessionId)).toEqual(['b']);
    expect(ids(await source.listSessions({ filter }))).toEqual(['b']);
    expect(await source.countSessions(filter)).toBe(1);
    expect((await source.getFacetCounts(filter)).total).toBe(1);
    expect((await source.getKpis(filter)).summary.totalSessions).toBe(1);
    const cohorts = await source.getCohorts!({}, { feature: 'checkout' });
    expect(cohorts.cohorts.feature!.map((c) => [c.key, c.kpis.totalSessions])).toEqual([
      ['with', 1],
      ['without', 1],
    ]);
  });
});

describe('memoSearchKeys', () => {
  it('reads the postings once per text until sessions or events are written, and never keeps a failure', async () => {
    const listeners: ((change: SourceChange) => void)[] = [];
    const watch = (onChange: (change: SourceChange) => void) => (listeners.push(onChange), () => {});
    let answer = [1, 2];
    const read = vi.fn(async (text: string) => {
      if (text === 'bad') throw new Error('no index');
      return Float64Array.from(answer);
    });
    const ids = memoSearchKeys(watch, read);
    const first = await ids('pay');
    expect([...first]).toEqual([1, 2]);
    // The same array while nothing is written (the dashboard keeps its rows by it).
    expect(await ids('pay')).toBe(first);
    expect(read).toHaveBeenCalledTimes(1);
    await ids('pay', ['url']);
    expect(read).toHaveBeenCalledTimes(2);
    answer = [3];
    listeners.forEach((l) => l({ cursor: '1', tabs: true }));
    expect([...(await ids('pay'))]).toEqual([1, 2]);
    listeners.forEach((l) => l({ cursor: '2', events: ['c'] }));
    expect([...(await ids('pay'))]).toEqual([3]);
    await expect(ids('bad')).rejects.toThrow('no index');
    await expect(ids('bad')).rejects.toThrow('no index');
    expect(read).toHaveBeenCalledTimes(5);
  });
});

describe('a window of the list by start time', () => {
  it('is the same as sorting every row, ties included, in both directions and at every offset', () => {
    // Starts with many ties (ids shuffled), in start order as the dashboard holds them.
    const rows = Array.from({ length: 60 }, (_, i) => makeSession({ id: `s${(i * 37) % 60}`, startedAt: Math.floor(i / 4) * 1_000 }));
    const columns = createSessionColumns(rows);
    const rowNumbers = rows.map((_, row) => row);
    for (const direction of ['asc', 'desc'] as const) {
      const sort = { key: 'startedAt' as const, direction };
      const all = [...rows].sort(compareSessions(sort)).map((s) => s.id);
      for (const offset of [0, 1, 3, 4, 17, 58, 59, 60, 70]) {
        for (const limit of [1, 2, 5, 100]) {
          expect(windowByStart(columns, rowNumbers, sort, offset, limit)).toEqual(all.slice(offset, offset + limit));
        }
      }
    }
  });
});
