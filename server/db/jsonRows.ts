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
 * The JSON array `[items[0],items[1],…]` of these JSON texts as UTF-8 bytes, written straight into one buffer: no
 * joined string (a copy, then scanned again for its UTF-8 length and encoded by the driver). The PostgreSQL driver
 * sends a Buffer parameter in binary format, which for `json` is the text itself.
 */
export function jsonArrayBytes(items: readonly string[]): Buffer {
  const lengths = new Array<number>(items.length);
  let total = 2 + Math.max(items.length - 1, 0);
  for (let i = 0; i < items.length; i++) total += lengths[i] = Buffer.byteLength(items[i]!, 'utf8');
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  out[at++] = 0x5b; // [
  for (let i = 0; i < items.length; i++) {
    if (i) out[at++] = 0x2c; // ,
    at += out.write(items[i]!, at, lengths[i]!, 'utf8');
  }
  out[at++] = 0x5d; // ]
  return out;
}

/**
 * `select <fields> from <the elements of json>`. SQLite: `->>` gives a JSON number as INTEGER or REAL and a string
 * as TEXT, as a bound value would be; `where true` keeps SQLite from reading a following ON CONFLICT as a join's.
 * PostgreSQL: `json` (not jsonb) keeps each element's text as sent.
 */
export function selectJsonRows(db: Kysely<any>, json: string | Buffer, fields: readonly (JsonField | typeof WHOLE)[]): RawBuilder<unknown> {
  if (isPostgres(db)) {
    const columns = fields.map((field) => (field === WHOLE ? sql`e::text` : sql`(e ->> ${sql.lit(field.path)})::${sql.raw(field.type)}`));
    return sql`select ${sql.join(columns)} from json_array_elements(${json}::json) as e`;
  }
  const columns = fields.map((field) => (field === WHOLE ? sql`value` : sql`value ->> ${sql.lit(field.path)}`));
  return sql`select ${sql.join(columns)} from json_each(${typeof json === 'string' ? json : json.toString('utf8')}) where true`;
}
