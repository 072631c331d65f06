/**
 * v5: the columns the session list filters and sorts on (every filter and sort of the panel in SQL): the error
 * count, time spent, the User Email and Location sort keys, each facet's value and the device key of "new
 * device", filled from the records already stored, with indexes for the sorts and the common facets. On
 * PostgreSQL the text sort keys compare bytewise (COLLATE "C"), as the panel's JavaScript comparison does,
 * whatever the database's collation.
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { sessionListColumns } from '../sessionColumns';

const TEXT_COLUMNS = ['f_user_email', 'f_country', 'f_city', 'f_browser', 'f_os', 'f_device_type', 'f_env', 'f_version', 'f_site', 'f_sdk', 'device_key'];

const INDEXES: [string, string[]][] = [
  ['sessions_errors', ['errors', 'started_at']],
  ['sessions_time_spent', ['time_spent', 'started_at']],
  ['sessions_email_sort', ['email_sort', 'started_at']],
  ['sessions_location_sort', ['location_sort', 'started_at']],
  ['sessions_f_country', ['f_country', 'started_at']],
  ['sessions_f_browser', ['f_browser', 'started_at']],
  ['sessions_f_version', ['f_version', 'started_at']],
  ['sessions_f_user_email', ['f_user_email', 'started_at']],
  ['sessions_device_key', ['device_key', 'started_at']],
];

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const bytewise = postgres ? sql`text collate "C"` : sql`text`;
  await db.schema.alterTable('sessions').addColumn('errors', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('sessions').addColumn('time_spent', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('sessions').addColumn('email_sort', bytewise, (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('sessions').addColumn('location_sort', bytewise, (c) => c.notNull().defaultTo('')).execute();
  for (const column of TEXT_COLUMNS) await db.schema.alterTable('sessions').addColumn(column, 'text', (c) => c.notNull().defaultTo('Unknown')).execute();

  // Backfill in pages from each stored record (the values are the panel's functions of it).
  let after = '';
  for (;;) {
    const rows: { id: string; record: string }[] = await db.selectFrom('sessions').select(['id', 'record']).where('id', '>', after).orderBy('id').limit(500).execute();
    if (!rows.length) break;
    for (const row of rows) await db.updateTable('sessions').set(sessionListColumns(JSON.parse(row.record))).where('id', '=', row.id).execute();
    after = rows[rows.length - 1]!.id;
  }
  for (const [name, columns] of INDEXES) await db.schema.createIndex(name).on('sessions').columns(columns).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name] of INDEXES) await db.schema.dropIndex(name).execute();
  for (const column of ['errors', 'time_spent', 'email_sort', 'location_sort', ...TEXT_COLUMNS]) await db.schema.alterTable('sessions').dropColumn(column).execute();
}
