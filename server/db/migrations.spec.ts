import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../testing/testStores';
import { keptAssetRef, makeAssetBody, makeEvents, makeSession, skippedAssetRef } from '../testing/fixtures';
import { decodeAssetBodies } from '../../sdk/src/replay/assets/assetBodies';
import { storeSessionAssets } from './replayAssets';
import { LATEST_MIGRATION, MIGRATIONS } from './migrations';
import { migrate } from './openDatabase';
import { searchSessions } from './search';
import { facetCode, sessionListColumns } from './sessionColumns';
import { sqlRepository } from './sqlRepository';
import { createSessionQueries } from './sessionQueries';
import { deleteSessionsBefore } from '../retention';
import type { SessionFilter } from '../../panel/source/SessionSource';

const DAY_MS = 24 * 60 * 60 * 1000;

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

  it('upgrades a v2 database with a session to v3: the session intact, its replay segments storable once', async () => {
    const v2 = await database.openMigrated('002_shared_state');
    const session = makeSession('old-2', 1_700_000_000_000);
    await (v2.db as never as import('kysely').Kysely<any>)
      .insertInto('sessions')
      .values({ id: session.id, site: session.site, started_at: session.startedAt, last_event_at: session.lastEventAt, ended_at: session.endedAt, incognito: 0, user_email: null, uploaded_by: null, uploaded_at: 3, record: JSON.stringify(session) })
      .execute();
    await v2.close();

    const latest = database.open();
    expect((await migrate(latest.db)).results?.map((r) => r.migrationName)).toContain('003_replay_segments');
    expect(JSON.parse((await latest.db.selectFrom('sessions').select('record').executeTakeFirstOrThrow()).record)).toEqual(session);
    const row = { load_id: 'l1', seq: 0, session_id: 'old-2', view_id: null, reason: 'time', start_at: 1, end_at: 2, records: 1, full_snapshot: 1, raw_chars: 10, bytes: 3, data: Buffer.from([1, 2, 3]) };
    await latest.db.insertInto('replay_segments').values(row).execute();
    await expect(latest.db.insertInto('replay_segments').values(row).execute()).rejects.toThrow();
    const stored = await latest.db.selectFrom('replay_segments').selectAll().executeTakeFirstOrThrow();
    expect([...stored.data]).toEqual([1, 2, 3]);
    await latest.close();
  });

  it('upgrades a v3 database with a session and a replay segment to v4: both intact, the session named as Rumscope\'s own', async () => {
    const v3 = await database.openMigrated('003_replay_segments');
    const session = makeSession('old-3', 1_700_000_000_000);
    const any3 = v3.db as never as import('kysely').Kysely<any>;
    await any3
      .insertInto('sessions')
      .values({ id: session.id, site: session.site, started_at: session.startedAt, last_event_at: session.lastEventAt, ended_at: session.endedAt, incognito: 0, user_email: null, uploaded_by: null, uploaded_at: 3, record: JSON.stringify(session) })
      .execute();
    const segment = { load_id: 'l3', seq: 0, session_id: 'old-3', view_id: null, reason: 'time', start_at: 1, end_at: 2, records: 1, full_snapshot: 1, raw_chars: 10, bytes: 3, data: Buffer.from([4, 5, 6]) };
    await any3.insertInto('replay_segments').values(segment).execute();
    await v3.close();

    const latest = database.open();
    expect((await migrate(latest.db)).results?.map((r) => [r.migrationName, r.status])[0]).toEqual(['004_compat_intake', 'Success']);
    const row = await latest.db.selectFrom('sessions').selectAll().executeTakeFirstOrThrow();
    expect(JSON.parse(row.record)).toEqual(session);
    expect(row.sdk).toBeNull();
    const kept = await latest.db.selectFrom('replay_segments').selectAll().executeTakeFirstOrThrow();
    expect([...kept.data]).toEqual([4, 5, 6]);
    expect(await latest.db.selectFrom('applications').selectAll().execute()).toEqual([]);
    await latest.close();
  });

  it('upgrades a v4 database with sessions to v5: records intact, the list columns filled from each record', async () => {
    const v4 = await database.openMigrated('004_compat_intake');
    const any4 = v4.db as never as import('kysely').Kysely<any>;
    const plain = makeSession('old-4a', 1_700_000_000_000);
    const other = makeSession('old-4b', 1_700_000_060_000, {
      lastEventAt: 1_700_000_060_000 + 11 * 60_000,
      user: null,
      geo: { country: null, city: null, region: null },
      browser: { name: 'Firefox', version: '140' },
      deviceType: null,
      app: { service: 'shop', env: null, version: null },
      defaults: { env: 'development' } as never,
      sdk: { name: 'datadog', version: null },
      counts: { events: 9, views: 2, actions: 3, errors: 7, apiCalls: 0, resources: 0, longTasks: 0 },
    });
    for (const session of [plain, other]) {
      await any4
        .insertInto('sessions')
        .values({ id: session.id, site: session.site, started_at: session.startedAt, last_event_at: session.lastEventAt, ended_at: session.endedAt, incognito: 0, user_email: null, uploaded_by: null, uploaded_at: 3, sdk: session.sdk?.name ?? null, record: JSON.stringify(session) })
        .execute();
    }
    await v4.close();

    const latest = database.open();
    expect((await migrate(latest.db)).results?.map((r) => [r.migrationName, r.status])[0]).toEqual(['005_session_list_columns', 'Success']);
    const rows = await latest.db.selectFrom('sessions').selectAll().orderBy('id').execute();
    expect(rows.map((row) => JSON.parse(row.record))).toEqual([plain, other]);
    expect(rows[0]).toMatchObject({ errors: 1, time_spent: 5000, email_sort: 'tester@example.com', location_sort: 'gb - unknown · chrome · linux', f_country: 'GB', f_city: 'Unknown', f_env: 'staging', f_sdk: 'Rumscope', f_user_email: 'Tester@Example.com', device_key: 'Desktop · Linux · Chrome' });
    expect(rows[1]).toMatchObject({ errors: 7, time_spent: 11 * 60_000, email_sort: '', f_country: 'Unknown', f_browser: 'Firefox', f_device_type: 'Unknown', f_env: 'development', f_version: 'Unknown', f_sdk: 'Datadog browser-rum', f_user_email: 'Unknown' });
    // The new columns serve the list at once.
    const page = await latest.queries.listSessions({ filter: { errors: { preset: 'many' } }, sort: { key: 'timeSpent', direction: 'desc' }, limit: 10, now: Date.now() });
    expect(page.items.map((item) => item.session.id)).toEqual(['old-4b']);
    await latest.close();
  });

  it('upgrades a v5 database with sessions and events to v6: the search index filled from what was stored', async () => {
    const v5 = await database.openMigrated('005_session_list_columns');
    const any5 = v5.db as never as import('kysely').Kysely<any>;
    const first = makeSession('old-5a', 1_700_000_000_000, { global: { plan: 'Enterprise' } });
    const second = makeSession('old-5b', 1_700_000_001_000);
    for (const session of [first, second]) {
      await any5
        .insertInto('sessions')
        .values({ id: session.id, site: session.site, started_at: session.startedAt, last_event_at: session.lastEventAt, ended_at: session.endedAt, incognito: 0, user_email: null, uploaded_by: null, uploaded_at: 3, sdk: null, record: JSON.stringify(session), ...sessionListColumns(session) })
        .execute();
    }
    const events = [...makeEvents('old-5a', 'load-a', first.startedAt, 5), ...makeEvents('old-5b', 'load-b', second.startedAt, 3)];
    await any5
      .insertInto('events')
      .values(events.map((e) => ({ load_id: e.loadId, seq: e.seq, session_id: e.sessionId, type: e.type, time: e.time, body: JSON.stringify(e) })))
      .execute();
    await v5.close();

    const latest = database.open();
    expect((await migrate(latest.db)).results?.map((r) => [r.migrationName, r.status])[0]).toEqual(['006_search_index', 'Success']);
    expect((await latest.db.selectFrom('sessions').select('record').orderBy('id').execute()).map((row) => JSON.parse(row.record))).toEqual([first, second]);
    expect((await latest.db.selectFrom('events').select('body').execute()).length).toBe(8);
    // Events (error "boom 4" only in old-5a) and records (its plan) are searchable at once, by the route's function and the list's filter.
    expect((await searchSessions(latest.db, { text: 'boom 4' })).map((hit) => hit.sessionId)).toEqual(['old-5a']);
    expect((await searchSessions(latest.db, { text: 'buy' })).map((hit) => [hit.sessionId, hit.score])).toEqual([['old-5a', 2], ['old-5b', 1]]);
    expect((await searchSessions(latest.db, { text: 'enterprise', kinds: ['attribute'] })).map((hit) => hit.snippets[0]?.text)).toEqual(['plan: Enterprise']);
    const listed = await latest.queries.listSessions({ filter: { search: 'TypeError' }, limit: 10, now: Date.now() });
    expect(listed.items.map((item) => item.session.id)).toEqual(['old-5b', 'old-5a']);
    // New writes are indexed too, and a text written twice counts once.
    await sqlRepository(latest).transaction((tx) => tx.putEvents(makeEvents('old-5b', 'load-b', second.startedAt, 5)));
    await sqlRepository(latest).transaction((tx) => tx.putEvents(makeEvents('old-5b', 'load-b', second.startedAt, 5)));
    expect((await searchSessions(latest.db, { text: 'boom 4' })).map((hit) => hit.sessionId).sort()).toEqual(['old-5a', 'old-5b']);
    expect((await searchSessions(latest.db, { text: 'buy' })).map((hit) => hit.score)).toEqual([2, 2]);
    await latest.close();
  });

  it('upgrades a v6 database with a session, its load and change to v7: rows intact, deleted through the new indexes', async () => {
    const v6 = await database.openMigrated('006_search_index');
    const session = makeSession('old-6', 1_700_000_000_000);
    await sqlRepository(v6, { facetCodes: false }).transaction(async (tx) => {
      await tx.putSession(session);
      await tx.putLoad({ id: 'load-6', tabId: -1, frameId: 0, site: session.site, sessionId: 'old-6', url: 'http://127.0.0.1:5173/', startedAt: session.startedAt, nextSeq: 0 });
    });
    await v6.close();

    const latest = database.open();
    expect((await migrate(latest.db)).results?.map((r) => [r.migrationName, r.status])[0]).toEqual(['007_session_delete_indexes', 'Success']);
    expect(JSON.parse((await latest.db.selectFrom('sessions').select('record').executeTakeFirstOrThrow()).record)).toEqual(session);
    expect(await latest.db.selectFrom('loads').select('session_id').execute()).toEqual([{ session_id: 'old-6' }]);
    expect(await latest.db.selectFrom('session_changes').select('session_id').execute()).toEqual([{ session_id: 'old-6' }]);
    const indexNames =
      dialect === 'sqlite'
        ? sql<{ name: string }>`select name from sqlite_master where type = 'index'`
        : sql<{ name: string }>`select indexname as name from pg_indexes`;
    const names = (await indexNames.execute(latest.db)).rows.map((row) => row.name);
    expect(names).toEqual(expect.arrayContaining(['loads_session', 'session_changes_session']));
    expect(await deleteSessionsBefore(latest, session.startedAt + DAY_MS)).toMatchObject({ sessions: 1 });
    expect(await latest.db.selectFrom('loads').select('session_id').execute()).toEqual([]);
    expect(await latest.db.selectFrom('session_changes').select('session_id').execute()).toEqual([]);
    await latest.close();
  });

  it('upgrades a v7 database with a recorded session to v8: rows intact, its assets storable once per hash and deleted with it', async () => {
    const v7 = await database.openMigrated('007_session_delete_indexes');
    const session = makeSession('old-7', 1_700_000_000_000, { replay: true });
    await sqlRepository(v7, { facetCodes: false }).transaction(async (tx) => {
      await tx.putSession(session);
      await tx.putEvents(makeEvents('old-7', 'load-7', session.startedAt, 3));
    });
    const segment = { load_id: 'l7', seq: 0, session_id: 'old-7', view_id: null, reason: 'time', start_at: 1, end_at: 2, records: 1, full_snapshot: 1, raw_chars: 10, bytes: 3, data: Buffer.from([7, 8, 9]) };
    await v7.db.insertInto('replay_segments').values(segment).execute();
    await v7.close();

    const latest = database.open();
    expect((await migrate(latest.db)).results?.map((r) => [r.migrationName, r.status])[0]).toEqual(['008_replay_assets', 'Success']);
    expect(JSON.parse((await latest.db.selectFrom('sessions').select('record').executeTakeFirstOrThrow()).record)).toEqual(session);
    expect((await latest.db.selectFrom('events').select('seq').execute()).length).toBe(3);
    expect([...(await latest.db.selectFrom('replay_segments').select('data').executeTakeFirstOrThrow()).data]).toEqual([7, 8, 9]);
    expect(await latest.db.selectFrom('replay_assets').selectAll().execute()).toEqual([]);
    // The old session gets assets: one body for two URLs, a second body under the same hash refused.
    const font = makeAssetBody('pretend font', 'font/woff2');
    const bodies = await decodeAssetBodies([font]);
    const refs = [keptAssetRef('https://a.test/f.woff2', 'css', font), keptAssetRef('https://b.test/f.woff2', 'css', font), skippedAssetRef('https://a.test/x.png', 'http', '404')];
    expect(await latest.transaction((trx) => storeSessionAssets(trx, 'old-7', refs, bodies, 5))).toEqual({ refs: 3, bodies: 1, bytes: 12 });
    await expect(latest.db.insertInto('replay_assets').values({ hash: font.hash, content_type: 'x/y', bytes: 1, data: Buffer.from([1]), created_at: 1 }).execute()).rejects.toThrow();
    expect([...(await latest.db.selectFrom('replay_assets').select('data').executeTakeFirstOrThrow()).data]).toEqual([...Buffer.from('pretend font')]);
    expect(await deleteSessionsBefore(latest, session.lastEventAt + DAY_MS)).toMatchObject({ sessions: 1 });
    expect(await latest.db.selectFrom('replay_assets').select('hash').execute()).toEqual([]);
    expect(await latest.db.selectFrom('replay_asset_refs').select('url').execute()).toEqual([]);
    await latest.close();
  });

  it('upgrades a v8 database with sessions to v9: rows intact, each sort of the list through its covering index', async () => {
    const v8 = await database.openMigrated('008_replay_assets');
    const sessions = [
      makeSession('old-8a', 1_700_000_000_000, { geo: { country: 'DE', city: null, region: null }, lastEventAt: 1_700_000_090_000 }),
      makeSession('old-8b', 1_700_000_100_000, { geo: { country: 'DE', city: null, region: null }, user: { id: 'u2', email: 'zed@example.com', name: 'Z' } }),
      makeSession('old-8c', 1_700_000_200_000, { geo: { country: 'FR', city: null, region: null }, counts: { events: 9, views: 1, actions: 1, errors: 7, apiCalls: 0, resources: 0, longTasks: 0 } }),
      makeSession('old-8d', 1_700_000_300_000, { geo: { country: 'DE', city: null, region: null }, browser: { name: 'Firefox', version: '140' } }),
    ];
    await sqlRepository(v8, { facetCodes: false }).transaction(async (tx) => {
      for (const session of sessions) await tx.putSession(session);
      await tx.putEvents(makeEvents('old-8a', 'load-8a', sessions[0]!.startedAt, 3));
      await tx.putEvents(makeEvents('old-8b', 'load-8b', sessions[1]!.startedAt, 3));
    });
    const sorts = ['startedAt', 'timeSpent', 'errors', 'email', 'location'] as const;
    const filter = { country: ['DE'], browser: ['Chrome'], search: 'buy' };
    const pages = async (store: typeof v8) => {
      const out: string[][] = [];
      for (const key of sorts) {
        for (const direction of ['asc', 'desc'] as const) {
          const page = await store.queries.listSessions({ filter, sort: { key, direction }, limit: 50, now: 1_700_001_000_000 });
          out.push(page.items.map((item) => item.session.id));
        }
      }
      return out;
    };
    const before = await pages(v8);
    await v8.close();

    const latest = database.open();
    expect((await migrate(latest.db)).results?.map((r) => [r.migrationName, r.status])[0]).toEqual(['009_session_list_covering', 'Success']);
    const rows = await latest.db.selectFrom('sessions').select(['id', 'record']).orderBy('id').execute();
    expect(rows.map((row) => JSON.parse(row.record))).toEqual(sessions);
    const indexNames =
      dialect === 'sqlite'
        ? sql<{ name: string }>`select name from sqlite_master where type = 'index'`
        : sql<{ name: string }>`select indexname as name from pg_indexes`;
    const names = (await indexNames.execute(latest.db)).rows.map((row) => row.name);
    expect(names).toEqual(expect.arrayContaining(['sessions_list_started_at', 'sessions_list_time_spent', 'sessions_list_errors', 'sessions_list_email_sort', 'sessions_list_location_sort']));
    expect(names).toEqual(expect.arrayContaining(['sessions_list_errors_asc', 'sessions_list_email_sort_asc', 'sessions_list_location_sort_asc']));
    expect(names).not.toContain('sessions_time_spent');
    // The same pages as before, in every sort: DE, Chrome and "buy" are old-8a and old-8b.
    expect(await pages(latest)).toEqual(before);
    expect(before[0]).toEqual(['old-8a', 'old-8b']);
    if (dialect === 'sqlite') {
      // The time-spent sort as sessionQueries.ts writes it on SQLite (facets as `+column`) reads its covering index alone, no table rows.
      const plan = await sql<{ detail: string }>`explain query plan select id, started_at, time_spent from sessions where +f_country in ('DE') and +f_browser in ('Chrome') order by time_spent desc, started_at desc, id asc limit 51`.execute(latest.db);
      expect(plan.rows.map((row) => row.detail).join(' | ')).toContain('USING COVERING INDEX sessions_list_time_spent');
    }
    await latest.close();
  });

  it('upgrades a v9 database with sessions to v10: rows intact, a search term’s sessions looked up in the by-id index', async () => {
    const v9 = await database.openMigrated('009_session_list_covering');
    const sessions = [
      makeSession('old-9a', 1_700_000_000_000, { geo: { country: 'DE', city: null, region: null }, lastEventAt: 1_700_000_090_000 }),
      makeSession('old-9b', 1_700_000_100_000, { geo: { country: 'DE', city: null, region: null }, user: { id: 'u2', email: 'zed@example.com', name: 'Z' } }),
      makeSession('old-9c', 1_700_000_200_000, { geo: { country: 'FR', city: null, region: null } }),
      makeSession('old-9d', 1_700_000_300_000, { geo: { country: 'DE', city: null, region: null }, counts: { events: 9, views: 1, actions: 1, errors: 7, apiCalls: 0, resources: 0, longTasks: 0 } }),
    ];
    await sqlRepository(v9, { facetCodes: false }).transaction(async (tx) => {
      for (const session of sessions) await tx.putSession(session);
      for (const session of sessions) await tx.putEvents(makeEvents(session.id, `load-${session.id}`, session.startedAt, 3));
    });
    // Before: the term's few sessions listed in the query. After, also: every term's sessions read by id (as a term
    // of middling frequency over a million sessions is), which needs the new index.
    const pages = async (store: typeof v9, byId: boolean) => {
      const queries = createSessionQueries(store.db, dialect, byId ? { listedTermRows: 0 } : {});
      const out: string[][] = [];
      for (const key of ['startedAt', 'timeSpent', 'errors', 'email', 'location'] as const) {
        for (const direction of ['asc', 'desc'] as const) {
          const page = await queries.listSessions({ filter: { country: ['DE'], search: 'buy' }, sort: { key, direction }, limit: 50, now: 1_700_001_000_000 });
          out.push(page.items.map((item) => item.session.id));
        }
      }
      out.push([String(await queries.countSessions({ country: ['DE'], search: 'buy' }, 1_700_001_000_000))]);
      return out;
    };
    const before = await pages(v9, false);
    await v9.close();

    const latest = database.open();
    expect((await migrate(latest.db)).results?.map((r) => [r.migrationName, r.status])[0]).toEqual(['010_session_list_by_id', 'Success']);
    const rows = await latest.db.selectFrom('sessions').select(['id', 'record']).orderBy('id').execute();
    expect(rows.map((row) => JSON.parse(row.record))).toEqual(sessions);
    expect(await pages(latest, false)).toEqual(before);
    expect(await pages(latest, true)).toEqual(before);
    expect(before[0]).toEqual(['old-9a', 'old-9b', 'old-9d']);
    expect(before.at(-1)).toEqual(['3']);
    if (dialect === 'sqlite') {
      // The index holds every column the list reads: a page from a term's sessions reads no session row.
      const plan = await sql<{ detail: string }>`explain query plan select id, started_at, errors from sessions indexed by sessions_list_by_id where id in (select session_id from search_terms where term = 'buy') and +f_country in ('DE') and +f_browser in ('Chrome') and +f_device_type in ('Mobile') order by errors asc, started_at desc, id asc limit 51`.execute(latest.db);
      expect(plan.rows.map((row) => row.detail).join(' | ')).toContain('USING COVERING INDEX sessions_list_by_id');
    }
    await latest.close();
  });

  it('upgrades a v10 database with sessions to v11: rows intact, a term’s sessions read by id in the same order', async () => {
    const v10 = await database.openMigrated('010_session_list_by_id');
    // Ids that differ from each other in case and punctuation: a collation's order is not the bytes' order.
    const sessions = [
      makeSession('b-old', 1_700_000_000_000, { geo: { country: 'DE', city: null, region: null } }),
      makeSession('B_old', 1_700_000_000_000, { geo: { country: 'DE', city: null, region: null } }),
      makeSession('a.old', 1_700_000_000_000, { geo: { country: 'DE', city: null, region: null } }),
      makeSession('Zold', 1_700_000_100_000, { geo: { country: 'DE', city: null, region: null }, counts: { events: 9, views: 1, actions: 1, errors: 7, apiCalls: 0, resources: 0, longTasks: 0 } }),
      makeSession('c-old', 1_700_000_200_000, { geo: { country: 'FR', city: null, region: null } }),
    ];
    await sqlRepository(v10, { facetCodes: false }).transaction(async (tx) => {
      for (const session of sessions) await tx.putSession(session);
      for (const session of sessions) await tx.putEvents(makeEvents(session.id, `load-${session.id}`, session.startedAt, 3));
    });
    const pages = async (store: typeof v10, facetCodes = false) => {
      const queries = createSessionQueries(store.db, dialect, { listedTermRows: 0, facetCodes });
      const out: string[][] = [];
      for (const key of ['startedAt', 'timeSpent', 'errors', 'email', 'location'] as const) {
        for (const direction of ['asc', 'desc'] as const) {
          const filter = { country: ['DE'], search: 'buy' };
          const first = await queries.listSessions({ filter, sort: { key, direction }, limit: 2, now: 1_700_001_000_000 });
          const rest = await queries.listSessions({ filter, sort: { key, direction }, limit: 50, after: first.next!, now: 1_700_001_000_000 });
          out.push([...first.items, ...rest.items].map((item) => item.session.id));
        }
      }
      return out;
    };
    const before = await pages(v10);
    await v10.close();

    const latest = database.open();
    expect((await migrate(latest.db)).results?.map((r) => [r.migrationName, r.status])[0]).toEqual(['011_session_list_by_id_bytewise', 'Success']);
    const rows = await latest.db.selectFrom('sessions').select(['id', 'record']).orderBy('id').execute();
    expect(rows.map((row) => JSON.parse(row.record))).toEqual([...sessions].sort((a, b) => (a.id < b.id ? -1 : 1)));
    expect(await pages(latest, true)).toEqual(before);
    // Ties on the start: ids in code-unit order, as the panel compares them.
    expect(before[0]).toEqual(['B_old', 'a.old', 'b-old', 'Zold']);
    if (dialect === 'postgres') {
      const { rows: defs } = await sql<{ def: string }>`select indexdef as def from pg_indexes where indexname = 'sessions_list_by_id'`.execute(latest.db);
      expect(defs.map((row) => row.def)).toEqual([expect.stringContaining('(id COLLATE "C", started_at, time_spent')]);
    }
    await migrate(latest.db, '010_session_list_by_id');
    expect(await pages(latest)).toEqual(before);
    await latest.close();
  });

  it('upgrades a v11 database with sessions to v12: rows intact, each term row with its session’s facet code, the same pages', async () => {
    const v11 = await database.openMigrated('011_session_list_by_id_bytewise');
    const geo = (country: string | null, city: string | null) => ({ country, city, region: null });
    const sessions = [
      makeSession('v11-a', 1_700_000_000_000, { geo: geo('DE', 'München'), deviceType: 'Mobile' }),
      makeSession('v11-b', 1_700_000_100_000, { geo: geo('DE', null), deviceType: 'Desktop', user: { id: 'u2', email: 'Zed@Example.com', name: 'Z' } }),
      makeSession('v11-c', 1_700_000_200_000, { geo: geo(' ΕΛΛΆΣ ', 'Αθήνα'), deviceType: 'Mobile' }),
      makeSession('v11-d', 1_700_000_300_000, { geo: geo('DE', 'Köln'), deviceType: 'Mobile', browser: { name: 'Firefox', version: '140' } }),
      makeSession('v11-e', 1_700_000_400_000, { geo: geo('FR', 'Montréal 🍁'), deviceType: null }),
    ];
    await sqlRepository(v11, { facetCodes: false }).transaction(async (tx) => {
      for (const session of sessions) await tx.putSession(session);
      for (const session of sessions) await tx.putEvents(makeEvents(session.id, `load-${session.id}`, session.startedAt, 3));
      // Events whose session row is not stored (yet): their term rows have no session to take a code from.
      await tx.putEvents(makeEvents('v11-late', 'load-v11-late', 1_700_000_500_000, 3));
    });
    const filters: SessionFilter[] = [
      { country: ['DE'], deviceType: ['Mobile'], search: 'buy' },
      { country: ['DE', 'ΕΛΛΆΣ'], search: 'buy' },
      { city: ['Montréal 🍁', 'Köln'], search: 'buy' },
      { userEmail: ['Zed@Example.com'], search: 'buy' },
      { country: ['DE'], browser: ['Firefox', 'Chrome'], deviceType: ['Mobile', 'Unknown'], search: 'bu' },
    ];
    // Every term's sessions read by id (as a term of middling frequency over a million sessions is), keyset pages.
    const pages = async (store: typeof v11, facetCodes = true) => {
      const queries = createSessionQueries(store.db, dialect, { listedTermRows: 0, facetCodes });
      const out: string[][] = [];
      for (const filter of filters) {
        for (const key of ['startedAt', 'timeSpent', 'errors', 'email', 'location'] as const) {
          for (const direction of ['asc', 'desc'] as const) {
            const first = await queries.listSessions({ filter, sort: { key, direction }, limit: 1, now: 1_700_001_000_000 });
            const rest = first.next ? await queries.listSessions({ filter, sort: { key, direction }, limit: 50, after: first.next, now: 1_700_001_000_000 }) : { items: [] };
            out.push([...first.items, ...rest.items].map((item) => item.session.id));
          }
        }
        out.push([String(await queries.countSessions(filter, 1_700_001_000_000))]);
      }
      return out;
    };
    const before = await pages(v11, false);
    expect(before[0]).toEqual(['v11-a', 'v11-d']);
    await v11.close();

    const latest = database.open();
    expect((await migrate(latest.db)).results?.map((r) => [r.migrationName, r.status])).toEqual([['012_search_terms_facets', 'Success']]);
    const rows = await latest.db.selectFrom('sessions').select(['id', 'record']).orderBy('id').execute();
    expect(rows.map((row) => JSON.parse(row.record))).toEqual(sessions);
    const terms = await latest.db.selectFrom('search_terms').select(['session_id', 'facets']).execute();
    expect(terms.length).toBeGreaterThan(sessions.length * 5);
    if (dialect === 'postgres') {
      // The codes the migration's SQL wrote are facetCode's (MD5 of UTF-8 bytes in both): non-ASCII values included.
      const want = new Map(sessions.map((session) => [session.id, facetCode(sessionListColumns(session))]));
      for (const row of terms) expect(row.facets === null ? null : Number(row.facets), row.session_id).toBe(want.get(row.session_id) ?? null);
      expect(new Set(terms.filter((row) => row.facets === null).map((row) => row.session_id))).toEqual(new Set(['v11-late']));
      const { rows: defs } = await sql<{ def: string }>`select indexdef as def from pg_indexes where indexname = 'search_terms_pk'`.execute(latest.db);
      expect(defs.map((row) => row.def)).toEqual([expect.stringContaining('(term, session_id, kind) INCLUDE (facets)')]);
      // Vacuumed after the commit: every page all-visible, so the term's index-only scans read no table page.
      const { rows: visible } = await sql<{ pages: number; visible: number }>`select relpages as pages, relallvisible as visible from pg_class where relname = 'search_terms'`.execute(latest.db);
      expect(visible[0]!.visible).toBe(visible[0]!.pages);
      expect(visible[0]!.pages).toBeGreaterThan(0);
    } else {
      expect(terms.every((row) => row.facets === null)).toBe(true);
    }
    expect(await pages(latest)).toEqual(before);
    // Written after the upgrade: a new session's term rows carry its code (PostgreSQL), and the pages still agree.
    await sqlRepository(latest).transaction(async (tx) => {
      await tx.putSession(makeSession('v11-late', 1_700_000_500_000, { geo: geo('DE', null), deviceType: 'Mobile' }));
    });
    const after = await pages(latest);
    expect(after[0]).toEqual(['v11-a', 'v11-d', 'v11-late']);
    await migrate(latest.db, '011_session_list_by_id_bytewise');
    expect(await pages(latest, false)).toEqual(after);
    await latest.close();
  });

  it('names the latest migration last', () => {
    expect(LATEST_MIGRATION).toBe(Object.keys(MIGRATIONS).sort().at(-1));
  });
});
