/**
 * v2: state that several instances share (rate-limit windows, stored upload batches, the change feed for the
 * live view), and sessions.user_email (the app user's email, for export/deletion requests), filled from the
 * records already stored.
 */
import { PostgresAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('upload_receipts')
    .addColumn('batch_id', 'text', (c) => c.primaryKey())
    .addColumn('token_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('response', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('session_changes')
    .addColumn('id', postgres ? 'bigserial' : 'integer', (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('sessions').addColumn('user_email', 'text').execute();
  await db.schema.createIndex('sessions_user_email').on('sessions').column('user_email').execute();

  // Backfill, in pages: the email is inside each stored record's JSON, whose functions differ per dialect.
  let after = '';
  for (;;) {
    const rows: { id: string; record: string }[] = await db
      .selectFrom('sessions')
      .select(['id', 'record'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(500)
      .execute();
    if (!rows.length) break;
    for (const row of rows) {
      const email = userEmailOf(JSON.parse(row.record));
      if (email) await db.updateTable('sessions').set({ user_email: email }).where('id', '=', row.id).execute();
      await db.insertInto('session_changes').values({ session_id: row.id, changed_at: Date.now() }).execute();
    }
    after = rows[rows.length - 1]!.id;
  }
}

export function userEmailOf(record: { user?: { email?: unknown } | null }): string | null {
  const email = record.user?.email;
  return typeof email === 'string' && email.trim() ? email.trim().toLowerCase() : null;
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('sessions_user_email').execute();
  await db.schema.alterTable('sessions').dropColumn('user_email').execute();
  for (const table of ['session_changes', 'upload_receipts', 'rate_limits']) await db.schema.dropTable(table).execute();
}
