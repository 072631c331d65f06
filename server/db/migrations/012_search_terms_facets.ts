/**
 * v12, PostgreSQL: each search term row carries its session's facet code (server/db/sessionColumns.ts facetCode: 5
 * bits of each facet's value), INCLUDEd in the term's primary key, so that a term of middling frequency and the list's
 * facet filters are answered from the term's index range alone before any session is looked up: over a million
 * sessions "US + Mobile + typeerror" looked up the 24,690 sessions of the term in the by-id index (~4 buffers a
 * descent, 104,000 in all: 53 ms warm) to keep 830; with the code the range itself leaves ~830 (4–6 ms).
 *
 * The table is written anew (a new table filled by one INSERT … SELECT, the sessions' codes computed once per
 * session in a hash join, then its indexes built) instead of an UPDATE of every row, which would leave every row
 * twice in the table and in both indexes. After the commit a VACUUM marks the new table all-visible, so that the
 * term's index-only scans do not read the table (`afterCommit`, run by openDatabase's `migrate`).
 *
 * SQLite: the column only (always NULL there): its list met the target without it, and its intake does not write it.
 *
 * Upgrade with every instance of the previous version stopped: one still running after the commit writes term rows
 * without a code (NULL: they pass every filter), but when it writes a session again with other facets it does not
 * re-code the session's term rows, which would then hide it from the filters it now passes until its next write.
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * The coded facets in the code's order and the bits of each, written out so that this migration stays what it was
 * when it ran; migrations.spec.ts checks the codes it writes against facetCode's.
 */
const FACETS = ['f_country', 'f_device_type', 'f_browser', 'f_os', 'f_env', 'f_version', 'f_site', 'f_sdk', 'f_city', 'f_user_email'];
const BITS = 5;

const isPostgres = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter;

const NEW_TABLE = 'search_terms_v12';

/**
 * facetCode in SQL: the first byte of each facet's MD5, modulo 32, in its place. The MD5 of the value's UTF-8 bytes
 * (convert_to), as facetCode hashes them, whatever the database's encoding (md5(text) hashes the text in that encoding).
 */
const code = sql.join(
  FACETS.map((facet, i) => sql`(get_byte(decode(md5(convert_to(${sql.ref(facet)}, 'UTF8')), 'hex'), 0) & ${sql.lit((1 << BITS) - 1)})::int8 * ${sql.lit(2 ** (BITS * i))}`),
  sql` + `,
);

export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) {
    await db.schema.alterTable('search_terms').addColumn('facets', 'integer').execute();
    return;
  }
  // For this transaction only: the hash of a million sessions' codes and the sorts of the index builds in memory.
  await sql`set local work_mem = '256MB'`.execute(db);
  await sql`set local maintenance_work_mem = '256MB'`.execute(db);
  await db.schema
    .createTable(NEW_TABLE)
    .addColumn('term', sql`text collate "C"`, (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addColumn('facets', 'bigint')
    .execute();
  const codes = db.selectFrom('sessions').select(['id', code.as('code')]);
  await db
    .insertInto(NEW_TABLE)
    .columns(['term', 'session_id', 'kind', 'hits', 'facets'])
    .expression(db.selectFrom('search_terms as t').leftJoin(codes.as('s'), 's.id', 't.session_id').select(['t.term', 't.session_id', 't.kind', 't.hits', 's.code']))
    .execute();
  await db.schema.dropTable('search_terms').execute();
  await db.schema.alterTable(NEW_TABLE).renameTo('search_terms').execute();
  // Kysely's primary key constraint has no INCLUDE: the clause is written out (identifiers only, no values).
  await sql`alter table ${sql.table('search_terms')} add constraint ${sql.id('search_terms_pk')} primary key (term, session_id, kind) include (facets)`.execute(db);
  await db.schema.createIndex('search_terms_session').on('search_terms').columns(['session_id', 'term']).execute();
}

/** After the commit (VACUUM cannot run in a transaction): the new table's pages marked all-visible, its statistics taken. */
export async function afterCommit(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) await sql`vacuum (analyze) search_terms`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // PostgreSQL: the key without the INCLUDE, as migration 006 made it.
  if (isPostgres(db)) await db.schema.alterTable('search_terms').dropConstraint('search_terms_pk').execute();
  await db.schema.alterTable('search_terms').dropColumn('facets').execute();
  if (isPostgres(db)) await db.schema.alterTable('search_terms').addPrimaryKeyConstraint('search_terms_pk', ['term', 'session_id', 'kind']).execute();
}
