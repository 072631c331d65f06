import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../testing/testStores';
import { makeEvents, makeSession } from '../testing/fixtures';
import { LATEST_MIGRATION, MIGRATIONS } from './migrations';
import { migrate } from './openDatabase';

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await database.drop();
  });

  it('upgrades a v1 database with data to the latest version with every row intact', async () => {
    const v1 = await database.openMigrated('001_initial');
    const session = makeSession('old-1', 1_700_000_000_000);
    const events = makeEvents('old-1', 'load-old', 1_700_000_000_000, 3);
    await v1.db
      .insertInto('users')
      .values({ id: 'u1', email: 'a@example.com', name: 'A', role: 'admin', password_hash: '$argon2id$x', created_at: 1 })
      .execute();
    await v1.db.insertInto('upload_tokens').values({ id: 't1', user_id: 'u1', name: 'laptop', token_hash: 'h', created_at: 2, last_used_at: null, revoked_at: null }).execute();
    await (v1.db as never as import('kysely').Kysely<any>)
      .insertInto('sessions')
      .values({ id: session.id, site: session.site, started_at: session.startedAt, last_event_at: session.lastEventAt, ended_at: session.endedAt, incognito: 0, uploaded_by: 'u1', uploaded_at: 3, record: JSON.stringify(session) })
      .execute();
    await v1.db
      .insertInto('events')
      .values(events.map((e) => ({ load_id: e.loadId, seq: e.seq, session_id: e.sessionId, type: e.type, time: e.time, body: JSON.stringify(e) })))
      .execute();
    await v1.close();

    const latest = database.open();
    const result = await migrate(latest.db);
    expect(result.results?.map((r) => [r.migrationName, r.status])).toEqual(
      Object.keys(MIGRATIONS)
        .slice(1)
        .map((name) => [name, 'Success']),
    );
    const row = await latest.db.selectFrom('sessions').selectAll().executeTakeFirstOrThrow();
    expect(JSON.parse(row.record)).toEqual(session);
    expect(row).toMatchObject({ uploaded_by: 'u1', user_email: 'tester@example.com', started_at: session.startedAt });
    const stored = await latest.db.selectFrom('events').select('body').orderBy('seq').execute();
    expect(stored.map((e) => JSON.parse(e.body))).toEqual(events);
    expect(await latest.db.selectFrom('upload_tokens').select(['id', 'user_id']).execute()).toEqual([{ id: 't1', user_id: 'u1' }]);
    expect((await latest.db.selectFrom('session_changes').select('session_id').execute()).map((c) => c.session_id)).toEqual(['old-1']);
    expect((await migrate(latest.db)).results).toEqual([]);
    await latest.close();
  });

  it('upgrades a v2 database to v3 (compatible intake): its sessions stay Rumscope’s own (sdk null) and untouched', async () => {
    const v2 = await database.openMigrated('002_shared_state');
    const session = makeSession('v2-1', 1_700_000_000_000);
    await (v2.db as never as import('kysely').Kysely<any>)
      .insertInto('sessions')
      .values({ id: session.id, site: session.site, started_at: session.startedAt, last_event_at: session.lastEventAt, ended_at: null, incognito: 0, uploaded_by: null, uploaded_at: 3, user_email: null, record: JSON.stringify(session) })
      .execute();
    await v2.close();
    const latest = database.open();
    const result = await migrate(latest.db);
    expect(result.results?.map((r) => [r.migrationName, r.status])).toContainEqual(['003_compat_intake', 'Success']);
    const row = await latest.db.selectFrom('sessions').selectAll().executeTakeFirstOrThrow();
    expect(row.sdk).toBeNull();
    expect(JSON.parse(row.record)).toEqual(session);
    for (const table of ['applications', 'compat_keys', 'foreign_replay_segments'] as const) {
      expect(await latest.db.selectFrom(table).selectAll().execute()).toEqual([]);
    }
    await latest.close();
  });

  it('names the latest migration last', () => {
    expect(LATEST_MIGRATION).toBe(Object.keys(MIGRATIONS).sort().at(-1));
  });
});
