/**
 * v11, PostgreSQL only: migration 010's by-id index again, its id compared bytewise (COLLATE "C"). A search term of
 * middling frequency is read from that index by id (server/db/search.ts DRIVING_TERM_ROWS: `id = any(array of the
 * term's sessions)`): PostgreSQL sorts the array and then descends the index once per id, comparing ids at every step
 * with the index's collation. Under the database's own collation (C.UTF-8 or a language's) each comparison is a
 * strcoll call; bytewise it is a memcmp. Measured over a million sessions (the "US + Mobile + typeerror" list of the
 * server bench, 25,250 ids, backend CPU per query): 37–47 ms before, 30–38 ms after. The list's order already
 * compares ids bytewise (sessionQueries.ts `idRef`), and equality is the same under both collations. SQLite compares
 * text bytewise (BINARY) already: nothing to do there.
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';

/** The index's name, as migration 010 made it (SQLite's `indexed by` names it). */
const NAME = 'sessions_list_by_id';

/** Migration 010's columns after the id, written out so that this migration stays what it was when it ran. */
const REST = [
  'started_at',
  'time_spent',
  'errors',
  'email_sort',
  'location_sort',
  'f_country',
  'f_browser',
  'f_os',
  'f_device_type',
  'f_env',
  'f_version',
  'f_site',
  'f_sdk',
  'f_city',
  'f_user_email',
  'user_email',
  'device_key',
];

const isPostgres = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter;

async function rebuild(db: Kysely<any>, id: ReturnType<typeof sql>): Promise<void> {
  await db.schema.dropIndex(NAME).execute();
  await sql`create index ${sql.id(NAME)} on sessions (${id}, ${sql.join(REST.map((column) => sql.id(column)))})`.execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) await rebuild(db, sql`id collate "C"`);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) await rebuild(db, sql`id`);
}
