/**
 * v3: replay segments (from the standalone SDK and the extension's sync), one row per [load_id+seq] so that a
 * re-sent segment is stored once; the records deflated (as the extension stores them), read per session in time order.
 */
import { PostgresAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('replay_segments')
    .addColumn('load_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('view_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('start_at', 'bigint', (c) => c.notNull())
    .addColumn('end_at', 'bigint', (c) => c.notNull())
    .addColumn('records', 'integer', (c) => c.notNull())
    .addColumn('full_snapshot', 'integer', (c) => c.notNull())
    .addColumn('raw_chars', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('data', postgres ? 'bytea' : 'blob', (c) => c.notNull())
    .addPrimaryKeyConstraint('replay_segments_pk', ['load_id', 'seq'])
    .execute();
  await db.schema.createIndex('replay_segments_session').on('replay_segments').columns(['session_id', 'start_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('replay_segments').execute();
}
