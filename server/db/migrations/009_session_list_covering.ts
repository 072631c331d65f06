/**
 * v9: one index per sort of the session list that also holds every column the list filters on, so that a page
 * (filters + sort + limit, server/db/sessionQueries.ts) is read from the index alone: walking the sort's order and
 * testing each filter there, without reading the session rows, which carry the record's JSON (a kilobyte or more
 * each: a million of them do not stay in memory). They replace migration 005's (sort column, started_at) indexes,
 * whose leading columns they share.
 */
import type { Kysely } from 'kysely';

/** The columns the list's filters read (sessionQueries.ts `conditions`), after the sort key's. */
const FILTERED = ['errors', 'time_spent', 'f_country', 'f_browser', 'f_os', 'f_device_type', 'f_env', 'f_version', 'f_site', 'f_sdk', 'f_city', 'f_user_email', 'user_email', 'device_key'];

const SORT_KEYS = ['started_at', 'time_spent', 'errors', 'email_sort', 'location_sort'];

/** Migration 005's sort indexes, superseded. */
const REPLACED: [string, string[]][] = [
  ['sessions_errors', ['errors', 'started_at']],
  ['sessions_time_spent', ['time_spent', 'started_at']],
  ['sessions_email_sort', ['email_sort', 'started_at']],
  ['sessions_location_sort', ['location_sort', 'started_at']],
];

/**
 * Sort keys that many sessions share (0 errors, no email, a country): ties are listed newest first in both directions,
 * which an index read backwards gives for the descending sort only; the ascending sort gets its own index.
 */
const TIED_KEYS = ['errors', 'email_sort', 'location_sort'];

export const listIndexName = (sortKey: string, ascending = false) => `sessions_list_${sortKey}${ascending ? '_asc' : ''}`;

const coveringColumns = (key: string, ties: 'started_at' | 'started_at desc') =>
  [key, ...(key === 'started_at' ? [] : [ties]), 'id', ...FILTERED.filter((column) => column !== key)] as string[];

export async function up(db: Kysely<any>): Promise<void> {
  for (const key of SORT_KEYS) await db.schema.createIndex(listIndexName(key)).on('sessions').columns(coveringColumns(key, 'started_at')).execute();
  for (const key of TIED_KEYS) await db.schema.createIndex(listIndexName(key, true)).on('sessions').columns(coveringColumns(key, 'started_at desc')).execute();
  for (const [name] of REPLACED) await db.schema.dropIndex(name).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name, columns] of REPLACED) await db.schema.createIndex(name).on('sessions').columns(columns).execute();
  for (const key of TIED_KEYS) await db.schema.dropIndex(listIndexName(key, true)).execute();
  for (const key of SORT_KEYS) await db.schema.dropIndex(listIndexName(key)).execute();
}
