/** Every migration, in order. Both dialects run the same list; names are numbered so they sort. */
import type { Kysely, Migration } from 'kysely';
import * as m001 from './001_initial';
import * as m002 from './002_shared_state';
import * as m003 from './003_replay_segments';
import * as m004 from './004_compat_intake';
import * as m005 from './005_session_list_columns';
import * as m006 from './006_search_index';
import * as m007 from './007_session_delete_indexes';
import * as m008 from './008_replay_assets';
import * as m009 from './009_session_list_covering';
import * as m010 from './010_session_list_by_id';
import * as m011 from './011_session_list_by_id_bytewise';
import * as m012 from './012_search_terms_facets';

/** A migration, and what runs after its transaction commits (work that cannot run in one: PostgreSQL's VACUUM). */
export interface ServerMigration extends Migration {
  afterCommit?(db: Kysely<any>): Promise<void>;
}

export const MIGRATIONS: Record<string, ServerMigration> = {
  '001_initial': m001,
  '002_shared_state': m002,
  '003_replay_segments': m003,
  '004_compat_intake': m004,
  '005_session_list_columns': m005,
  '006_search_index': m006,
  '007_session_delete_indexes': m007,
  '008_replay_assets': m008,
  '009_session_list_covering': m009,
  '010_session_list_by_id': m010,
  '011_session_list_by_id_bytewise': m011,
  '012_search_terms_facets': m012,
};

export const LATEST_MIGRATION = Object.keys(MIGRATIONS).at(-1)!;
