/**
 * v7: indexes by session on the two tables that had none (loads, session_changes), so that deleting sessions
 * (the retention job, deletion requests) finds their rows without reading the whole table.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('loads_session').on('loads').column('session_id').execute();
  await db.schema.createIndex('session_changes_session').on('session_changes').column('session_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('session_changes_session').execute();
  await db.schema.dropIndex('loads_session').execute();
}
