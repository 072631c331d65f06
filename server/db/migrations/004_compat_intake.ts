/**
 * v4: the compatible intake (Datadog / OpenObserve browser SDKs). Applications and their client tokens (an
 * upload-only credential an admin creates per application), the derivation keys that make the peers' retries
 * and repeated view updates idempotent, the replay segments they record in a format the player cannot read
 * (kept as sent), and sessions.sdk (which SDK recorded a session; null: Rumscope's own) for filtering.
 */
import { PostgresAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema
    .createTable('compat_keys')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('foreign_replay_segments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('sdk', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('view_id', 'text')
    .addColumn('start_at', 'bigint', (c) => c.notNull())
    .addColumn('end_at', 'bigint', (c) => c.notNull())
    .addColumn('records', 'integer', (c) => c.notNull())
    .addColumn('raw_bytes', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('full_snapshot', 'integer', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('data', postgres ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('foreign_replay_session').on('foreign_replay_segments').columns(['session_id', 'start_at']).execute();
  await db.schema.alterTable('sessions').addColumn('sdk', 'text').execute();
  await db.schema.createIndex('sessions_sdk_started').on('sessions').columns(['sdk', 'started_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('sessions_sdk_started').execute();
  await db.schema.alterTable('sessions').dropColumn('sdk').execute();
  for (const table of ['foreign_replay_segments', 'compat_keys', 'applications']) await db.schema.dropTable(table).execute();
}
