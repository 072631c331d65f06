/**
 * v8: replay assets (stylesheets, fonts, images kept with recordings; docs/replay-assets.md), as the extension keeps
 * them: each body once per hex sha-256 (`replay_assets`), and each session's references to what its recording shows
 * (`replay_asset_refs`, one row per [session_id+url]: kept with the body's hash, or skipped with the reason).
 */
import { PostgresAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('replay_assets')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('data', postgres ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('replay_asset_refs')
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('hash', 'text')
    .addColumn('reason', 'text')
    .addColumn('detail', 'text')
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('replay_asset_refs_pk', ['session_id', 'url'])
    .execute();
  await db.schema.createIndex('replay_asset_refs_hash').on('replay_asset_refs').columns(['hash', 'session_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('replay_asset_refs').execute();
  await db.schema.dropTable('replay_assets').execute();
}
