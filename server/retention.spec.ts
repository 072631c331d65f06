/** The retention job on a real SQLite file and a real PostgreSQL: old sessions go with all their rows, at start and on its timer. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { searchSessions } from './db/search';
import type { Database } from './db/schema';
import { sqlRepository } from './db/sqlRepository';
import type { Store } from './db/openDatabase';
import { deleteSessionsBefore } from './retention';
import { startTestApp, type TestApp } from './testing/harness';
import { makeEvents, makeSession } from './testing/fixtures';
import { createTestDatabase, DIALECTS, type TestDatabase } from './testing/testStores';

const DAY = 24 * 60 * 60 * 1000;

/** A session with events, a load, a replay segment, a peer SDK's segment and its search rows. */
async function seed(store: Store, id: string, startedAt: number, lastEventAt = startedAt + 5000): Promise<void> {
  await sqlRepository(store).transaction(async (tx) => {
    await tx.putSession(makeSession(id, startedAt, { lastEventAt }));
    await tx.putEvents(makeEvents(id, `load-${id}`, startedAt, 3));
    await tx.putLoad({ id: `load-${id}`, tabId: -1, frameId: 0, site: 'http://127.0.0.1:5173', sessionId: id, url: 'http://127.0.0.1:5173/', startedAt, nextSeq: 3 });
  });
  const data = Buffer.from([1, 2, 3]);
  await store.db.insertInto('replay_segments').values({ load_id: `load-${id}`, seq: 0, session_id: id, view_id: null, reason: 'time', start_at: startedAt, end_at: startedAt + 1, records: 1, full_snapshot: 1, raw_chars: 3, bytes: 3, data }).execute();
  await store.db
    .insertInto('foreign_replay_segments')
    .values({ id: `f-${id}`, session_id: id, sdk: 'datadog', format: 'x', view_id: null, start_at: startedAt, end_at: startedAt + 1, records: 1, raw_bytes: 3, bytes: 3, full_snapshot: 1, metadata: '{}', data, created_at: startedAt })
    .execute();
}

/** Rows of each per-session table that belong to `id`. */
async function rowsOf(db: Kysely<Database>, id: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['events', 'loads', 'replay_segments', 'foreign_replay_segments', 'search_terms', 'search_texts', 'session_changes'] as const) {
    const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('session_id', '=', id).executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  const session = await db.selectFrom('sessions').select('id').where('id', '=', id).executeTakeFirst();
  out.sessions = session ? 1 : 0;
  return out;
}

describe.each(DIALECTS)('retention on %s', (dialect) => {
  let database: TestDatabase;
  let t: TestApp | null = null;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await t?.close();
    t = null;
    await database.drop();
  });

  it('deletes sessions whose last event is older than the cutoff with every row they own, and keeps the rest', async () => {
    const store = await database.openMigrated();
    const now = Date.now();
    await seed(store, 'old', now - 40 * DAY);
    await seed(store, 'growing', now - 40 * DAY, now - DAY);
    await seed(store, 'new', now - 2 * DAY);
    expect(Object.values(await rowsOf(store.db, 'old')).every((n) => n > 0)).toBe(true);
    expect(await deleteSessionsBefore(store, now - 30 * DAY)).toMatchObject({ sessions: 1 });
    expect(await rowsOf(store.db, 'old')).toEqual({ events: 0, loads: 0, replay_segments: 0, foreign_replay_segments: 0, search_terms: 0, search_texts: 0, session_changes: 0, sessions: 0 });
    for (const kept of ['growing', 'new']) expect(Object.values(await rowsOf(store.db, kept)).every((n) => n > 0), kept).toBe(true);
    expect((await searchSessions(store.db, { text: 'boom' })).map((hit) => hit.sessionId).sort()).toEqual(['growing', 'new']);
    // Nothing more to do: a second pass deletes nothing.
    expect(await deleteSessionsBefore(store, now - 30 * DAY)).toMatchObject({ sessions: 0 });
    await store.close();
  });

  it('runs at start and then on its timer, in batches', async () => {
    const store = await database.openMigrated();
    const now = Date.now();
    // More old sessions than one batch.
    for (let i = 0; i < 205; i += 41) {
      await sqlRepository(store).transaction(async (tx) => {
        for (let j = i; j < Math.min(205, i + 41); j++) await tx.putSession(makeSession(`old-${j}`, now - 100 * DAY + j));
      });
    }
    await seed(store, 'recent', now - DAY);
    await store.close();

    // An hour between passes: only the pass at start can delete them.
    t = await startTestApp(database, { retentionDays: 30, retentionIntervalMs: 3_600_000 });
    const ids = async () => (await t!.store.db.selectFrom('sessions').select('id').execute()).map((row) => row.id);
    await expect.poll(ids, { timeout: 10_000 }).toEqual(['recent']);
    await t.close();

    t = await startTestApp(database, { retentionDays: 30, retentionIntervalMs: 200 });
    await seed(t.store, 'late-old', now - 31 * DAY);
    expect((await ids()).sort()).toEqual(['late-old', 'recent']);
    await expect.poll(ids, { timeout: 10_000 }).toEqual(['recent']);
  });
});
