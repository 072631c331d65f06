/**
 * v6: the search index (server/db/search.ts): each session's distinct searchable texts per kind, and their terms
 * (one row per term, session and kind, with how many of those texts hold it; B-tree keyed by term, COLLATE "C" on PostgreSQL so that a prefix is a
 * bytewise range). Filled from the sessions and events already stored.
 *
 * Why a token table and not FTS5 / tsvector: the panel's search has its own tokenizer (split on spaces,
 * punctuation and symbols, lower-cased) and matches whole terms with the last one as a prefix. The same table on
 * both databases, filled by the same tokenizer, answers exactly that on SQLite and PostgreSQL alike; FTS5's and
 * tsvector's tokenizers and stemmers differ from it and from each other (a URL or "TypeError:" would split
 * differently, "errors" would find "error").
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { StoredEvent } from '../../../sdk/schema';
import { indexTexts, searchTexts, SEARCHED_TYPES } from '../search';

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('search_texts')
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('search_texts_pk', ['session_id', 'kind', 'text'])
    .execute();
  await db.schema
    .createTable('search_terms')
    .addColumn('term', postgres ? sql`text collate "C"` : 'text', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('search_terms_pk', ['term', 'session_id', 'kind'])
    .execute();
  await db.schema.createIndex('search_terms_session').on('search_terms').columns(['session_id', 'term']).execute();

  let after = '';
  for (;;) {
    const rows: { id: string; record: string }[] = await db.selectFrom('sessions').select(['id', 'record']).where('id', '>', after).orderBy('id').limit(200).execute();
    if (!rows.length) break;
    const ids = rows.map((row) => row.id);
    const events: { body: string }[] = await db
      .selectFrom('events')
      .select('body')
      .where('session_id', 'in', ids)
      .where('type', 'in', SEARCHED_TYPES)
      .orderBy('session_id')
      .orderBy('time')
      .orderBy('load_id')
      .orderBy('seq')
      .execute();
    await indexTexts(
      db,
      searchTexts(
        events.map((e) => JSON.parse(e.body) as StoredEvent),
        rows.map((row) => JSON.parse(row.record)),
      ),
    );
    after = ids[ids.length - 1]!;
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('search_terms').execute();
  await db.schema.dropTable('search_texts').execute();
}
