/**
 * Multi-row INSERTs whose SQL Kysely builds once per shape. The intake writes the same few statements for every
 * upload (events, search texts and terms, sessions), each with hundreds of rows: building and compiling them anew
 * each time (parsing every row's values into nodes, visiting them, a new SQL text that the SQLite driver's
 * statement cache must hash and, for a new row count, prepare again) cost more than running them. Here a
 * statement is built by Kysely with marker values once per (name, dialect, row count), and run again with each
 * chunk's values in the order the markers came out. Chunk sizes are the full chunk and powers of two below it, so a
 * handful of shapes serve any number of rows.
 */
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import { isPostgres } from './jsonRows';

interface Template {
  sql: string;
  /** parameters[k] is row `slots[k] / columns` column `slots[k] % columns` of the chunk. */
  slots: Int32Array;
}

const templates = new Map<string, Template>();
/** Shapes kept at most (each a few names × a few sizes × two dialects in practice). */
const MAX_TEMPLATES = 512;

function template<R>(key: string, columns: readonly (keyof R & string)[], count: number, build: (rows: R[]) => Compilable<unknown>): Template {
  let found = templates.get(key);
  if (found) return found;
  const markers = new Map<string, number>();
  const rows: R[] = [];
  for (let r = 0; r < count; r++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < columns.length; c++) {
      const marker = `\u0000insertMany:${r * columns.length + c}`;
      markers.set(marker, r * columns.length + c);
      row[columns[c]!] = marker;
    }
    rows.push(row as R);
  }
  const compiled = build(rows).compile();
  const slots = new Int32Array(compiled.parameters.length);
  compiled.parameters.forEach((parameter, k) => {
    const slot = typeof parameter === 'string' ? markers.get(parameter) : undefined;
    if (slot === undefined) throw new Error(`insertMany(${key}): a parameter that is not a row value (${String(parameter)})`);
    slots[k] = slot;
  });
  if (slots.length !== markers.size) throw new Error(`insertMany(${key}): ${markers.size} values became ${slots.length} parameters`);
  found = { sql: compiled.sql, slots };
  if (templates.size >= MAX_TEMPLATES) templates.delete(templates.keys().next().value!);
  templates.set(key, found);
  return found;
}

/** The chunk sizes for `total` rows: full chunks, then the rest as powers of two (largest first). */
export function chunkSizes(total: number, maxRows: number): number[] {
  const sizes: number[] = [];
  let left = total;
  while (left >= maxRows) {
    sizes.push(maxRows);
    left -= maxRows;
  }
  for (let size = 1 << Math.floor(Math.log2(Math.max(left, 1))); left > 0; size >>= 1) {
    if (size <= left) {
      sizes.push(size);
      left -= size;
    }
  }
  return sizes;
}

/**
 * Inserts `rows` in chunks of at most `maxRows`, each by the statement `build` makes for its rows (an
 * `insertInto(...).values(rows)` with any ON CONFLICT / RETURNING that takes no other values). `name` names the
 * statement (one per distinct `build`); every row must have exactly `columns`, each a plain value. Returns the rows
 * RETURNING gave, all chunks together.
 */
export async function insertMany<R extends object, O = unknown>(
  db: Kysely<any>,
  name: string,
  columns: readonly (keyof R & string)[],
  rows: readonly R[],
  maxRows: number,
  build: (rows: R[]) => Compilable<O>,
): Promise<O[]> {
  const out: O[] = [];
  const dialect = isPostgres(db) ? 'pg' : 'sqlite';
  const width = columns.length;
  let start = 0;
  for (const count of chunkSizes(rows.length, maxRows)) {
    const { sql, slots } = template(`${dialect}:${name}:${count}`, columns, count, build);
    const parameters = new Array<unknown>(slots.length);
    for (let k = 0; k < slots.length; k++) {
      const slot = slots[k]!;
      const row = rows[start + ((slot / width) | 0)] as Record<string, unknown>;
      const value = row[columns[slot % width]!];
      // Kysely reads an undefined value as "no value" (the column's default): not a shape this template has.
      if (value === undefined) throw new Error(`insertMany(${name}): row ${start + ((slot / width) | 0)} has no ${columns[slot % width]}`);
      parameters[k] = value;
    }
    const result = await db.executeQuery<O>(CompiledQuery.raw(sql, parameters));
    for (const row of result.rows) out.push(row);
    start += count;
  }
  return out;
}
