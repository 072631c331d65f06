/**
 * The one contract every SessionRepository implementation passes (Dexie in the extension; SQLite and
 * PostgreSQL on the server; the in-memory one of the model's unit tests). Imports nothing of any store:
 * a runner supplies `makeHarness`, e.g.
 *   describeRepositoryContract('Dexie', async () => ({ repo: createDexieRepository(db), readEvents, close }))
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { SCHEMA_VERSION, type RumEvent, type SessionRecord, type StoredEvent } from '../../sdk/schema';
import { ingestBatch, newSession, type BatchInput, type LoadRecord, type SessionRepository } from '../../sdk/model';

export interface RepositoryHarness {
  repo: SessionRepository;
  /** Every stored event, in any order (read outside the model: the model never reads events back). */
  readEvents(): Promise<StoredEvent[]>;
  /** Drops what this harness created (a database, a file, a schema). */
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const SITE = 'http://shop.test';
const click = (time: number, name = 'Buy'): RumEvent => ({ type: 'action', time, tz: 60, viewId: 'v', action: 'click', name, selector: '#buy', x: 1, y: 2, rage: false, dead: false, errorClick: false });
const vital = (time: number): RumEvent => ({ type: 'vital', time, tz: 60, viewId: 'v', name: 'LCP', value: 900, supported: true, rating: 'good' });
const load = (over: Partial<LoadRecord> = {}): LoadRecord => ({ id: 'load-1', tabId: 7, frameId: 0, site: SITE, sessionId: 's1', url: `${SITE}/`, startedAt: T0, nextSeq: 0, ...over });
const session = (id: string, over: Partial<SessionRecord> = {}): SessionRecord => ({ ...newSession(id, SITE, T0, 60, true, false), ...over });
const stored = (seq: number, over: Partial<StoredEvent> = {}): StoredEvent =>
  ({ ...click(T0 + seq), sessionId: 's1', loadId: 'load-1', seq, tabId: 7, frameId: 0, schema: SCHEMA_VERSION, ...over }) as StoredEvent;
const batch = (over: Partial<BatchInput> = {}): BatchInput => ({ loadId: 'load-1', tabId: 7, frameId: 0, site: SITE, url: `${SITE}/`, first: 0, events: [click(T0)], now: T0, ...over });

export function describeRepositoryContract(name: string, makeHarness: () => Promise<RepositoryHarness>) {
  describe(`SessionRepository contract: ${name}`, () => {
    let harness: RepositoryHarness;
    let repo: SessionRepository;
    beforeEach(async () => {
      harness = await makeHarness();
      repo = harness.repo;
    });
    afterEach(async () => {
      await harness.close();
    });
    let ids = 0;
    const options = { newId: () => `n${++ids}` };

    test('a load and a session read back as written; unknown ids read as undefined', async () => {
      const full = session('s1', {
        endedAt: T0 + 5, endReason: 'user', user: { id: 'u', email: 'a@b.test' }, global: { plan: { tier: 'gold' } }, app: { service: 'shop', env: 'prod', version: '1.2' },
        geo: { country: 'India', city: 'Unknown', region: null }, counts: { events: 9, views: 1, actions: 2, errors: 3, apiCalls: 1, resources: 1, longTasks: 1 },
        incognito: true, pinned: 1, overheadMs: 1.25, bytes: 4321, defaults: { user: null, env: 'staging', privacyLevel: 'mask' },
      });
      await repo.transaction(async (tx) => {
        await tx.putLoad(load());
        await tx.putSession(full);
      });
      await repo.transaction(async (tx) => {
        expect(await tx.getLoad('load-1')).toEqual(load());
        expect(await tx.getSession('s1')).toEqual(full);
        expect(await tx.getLoad('nope')).toBeUndefined();
        expect(await tx.getSession('nope')).toBeUndefined();
        // A tombstone load names no session.
        expect(await tx.getSession('')).toBeUndefined();
      });
    });

    test('put overwrites by id; what was read is a copy until it is put', async () => {
      await repo.transaction((tx) => tx.putSession(session('s1')));
      await repo.transaction(async (tx) => {
        const read = (await tx.getSession('s1'))!;
        read.counts.actions = 99;
        expect((await tx.getSession('s1'))!.counts.actions).toBe(0);
        await tx.putSession(read);
        await tx.putLoad(load({ nextSeq: 3 }));
        await tx.putLoad(load({ nextSeq: 5, sessionId: '' }));
      });
      await repo.transaction(async (tx) => {
        expect((await tx.getSession('s1'))!.counts.actions).toBe(99);
        expect(await tx.getLoad('load-1')).toMatchObject({ nextSeq: 5, sessionId: '' });
      });
    });

    test("latestSession: the site's most recently started session, private windows apart", async () => {
      await repo.transaction(async (tx) => {
        await tx.putSession(session('old', { startedAt: T0 }));
        await tx.putSession(session('newest', { startedAt: T0 + 2000 }));
        await tx.putSession(session('middle', { startedAt: T0 + 1000 }));
        await tx.putSession(session('private', { startedAt: T0 + 3000, incognito: true }));
        await tx.putSession(session('other-site', { startedAt: T0 + 4000, site: 'http://other.test' }));
        await tx.putSession(session('explicit-normal', { startedAt: T0 + 500, incognito: false }));
      });
      await repo.transaction(async (tx) => {
        expect((await tx.latestSession(SITE, false))?.id).toBe('newest');
        expect((await tx.latestSession(SITE, true))?.id).toBe('private');
        expect((await tx.latestSession('http://other.test', false))?.id).toBe('other-site');
        expect(await tx.latestSession('http://other.test', true)).toBeUndefined();
        expect(await tx.latestSession('http://none.test', false)).toBeUndefined();
      });
    });

    test('putEvents keys events by load and seq: putting one again overwrites it', async () => {
      await repo.transaction(async (tx) => {
        await tx.putEvents([stored(0), stored(1), stored(0, { loadId: 'load-2' })]);
        await tx.putEvents([stored(1, { time: T0 + 99 }), stored(2)]);
        await tx.putEvents([]);
      });
      const events = await harness.readEvents();
      expect(events.map((e) => `${e.loadId}/${e.seq}/${e.time - T0}`).sort()).toEqual(['load-1/0/0', 'load-1/1/99', 'load-1/2/2', 'load-2/0/0']);
      expect(events.find((e) => e.loadId === 'load-2')).toEqual(stored(0, { loadId: 'load-2' }));
    });

    test('a unit of work that throws leaves nothing behind; its value is returned when it does not', async () => {
      await repo.transaction((tx) => tx.putSession(session('kept')));
      await expect(
        repo.transaction(async (tx) => {
          await tx.putLoad(load());
          await tx.putSession(session('s1'));
          await tx.putEvents([stored(0)]);
          const kept = (await tx.getSession('kept'))!;
          await tx.putSession({ ...kept, pinned: 1 });
          throw new Error('disk full');
        }),
      ).rejects.toThrow('disk full');
      expect(await repo.transaction(async (tx) => [await tx.getLoad('load-1'), await tx.getSession('s1'), (await tx.getSession('kept'))?.pinned])).toEqual([undefined, undefined, 0]);
      expect(await harness.readEvents()).toEqual([]);
    });

    test('the model on this store: a re-sent batch is stored once; a gap and a foreign load store nothing', async () => {
      await ingestBatch(repo, batch({ events: [click(T0), click(T0 + 1)], now: T0 + 1 }), options);
      const again = await ingestBatch(repo, batch({ events: [click(T0), click(T0 + 1), click(T0 + 2)], now: T0 + 2 }), options);
      expect(again).toMatchObject({ status: 'stored', upTo: 3, stored: 1 });
      expect(await ingestBatch(repo, batch({ first: 9 }), options)).toEqual({ status: 'gap', upTo: 3 });
      expect(await ingestBatch(repo, batch({ first: 3, tabId: 8 }), options)).toEqual({ status: 'foreign' });
      expect((await harness.readEvents()).map((e) => e.seq).sort()).toEqual([0, 1, 2]);
      const sessionId = again.status === 'stored' ? again.sessionId : '';
      expect(await repo.transaction((tx) => tx.getSession(sessionId))).toMatchObject({ counts: { events: 3, actions: 3 } });
    });

    test('the model on this store: batches of one site written at once share one session', async () => {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => ingestBatch(repo, batch({ loadId: `tab-${i}`, tabId: i, now: T0 + i, events: [click(T0 + i)] }), options)),
      );
      const sessionIds = new Set(results.map((r) => (r.status === 'stored' ? r.sessionId : r.status)));
      expect(sessionIds.size).toBe(1);
      const [only] = sessionIds;
      expect((await repo.transaction((tx) => tx.getSession(only!)))!.counts.actions).toBe(6);
    });

    test('the model on this store: idle past the timeout, trailing events join the ended session; activity starts another', async () => {
      await ingestBatch(repo, batch({ events: [click(T0)] }), options);
      const later = T0 + 16 * 60_000;
      const trailing = await ingestBatch(repo, batch({ first: 1, now: later, events: [vital(later)] }), options);
      const next = await ingestBatch(repo, batch({ first: 2, now: later + 1, events: [click(later + 1)] }), options);
      expect(trailing.status === 'stored' && next.status === 'stored' && trailing.sessionId !== next.sessionId).toBe(true);
      const [first, second] = await repo.transaction(async (tx) => [await tx.getSession(trailing.status === 'stored' ? trailing.sessionId : ''), await tx.latestSession(SITE, false)]);
      expect(first).toMatchObject({ endedAt: T0, endReason: 'inactivity', counts: { events: 2 } });
      expect(second).toMatchObject({ startedAt: later + 1, endedAt: null });
      expect(await repo.transaction((tx) => tx.getLoad('load-1'))).toMatchObject({ nextSeq: 3, sessionId: second!.id });
    });
  });
}
