/**
 * Many rows as ONE parameter: a JSON array the database parses itself (SQLite's json_each, PostgreSQL's
 * json_array_elements), so a batch of thousands of rows is one short statement prepared once, instead of thousands of
 * bound parameters that Kysely compiles into a new statement text and the driver binds one by one. The SELECT it
 * gives goes into `insertInto(...).columns(...).expression(...)`. The intake uses it on PostgreSQL only: SQLite's
 * json_each measured slower than multi-row VALUES on arrays of thousands (bench/results/…-server-ingest.md).
 */
import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';

/** A column read from each element: `path` is an object key or an array index; `type` its PostgreSQL type. */
export interface JsonField {
  path: string | number;
  type: 'text' | 'int4' | 'int8';
}

/** The element itself, as its JSON text (e.g. an event's body). */
export const WHOLE = 'whole';

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * `select <fields> from <the elements of json>`. SQLite: `->>` gives a JSON number as INTEGER or REAL and a string
 * as TEXT, as a bound value would be; `where true` keeps SQLite from reading a following ON CONFLICT as a join's.
 * PostgreSQL: `json` (not jsonb) keeps each element's text as sent.
 */
export function selectJsonRows(db: Kysely<any>, json: string, fields: readonly (JsonField | typeof WHOLE)[]): RawBuilder<unknown> {
  if (isPostgres(db)) {
    const columns = fields.map((field) => (field === WHOLE ? sql`e::text` : sql`(e ->> ${sql.lit(field.path)})::${sql.raw(field.type)}`));
    return sql`select ${sql.join(columns)} from json_array_elements(${json}::json) as e`;
  }
  const columns = fields.map((field) => (field === WHOLE ? sql`value` : sql`value ->> ${sql.lit(field.path)}`));
  return sql`select ${sql.join(columns)} from json_each(${json}) where true`;
}
