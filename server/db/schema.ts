/** The server's tables as Kysely sees them (the latest migration). Times are UTC ms; JSON columns are text. */
import type { Generated } from 'kysely';
import type { SessionListColumns } from './sessionColumns';

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'member';
  /** argon2id PHC string; null until the member sets a password (invited by link). Never the password. */
  password_hash: string | null;
  created_at: number;
}

/** A login session: the cookie holds a random token, the table only its SHA-256. */
export interface AuthSessionsTable {
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

/** One-time login links (invites, `npm start`): only the hash of the link's token. */
export interface LoginLinksTable {
  id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface UploadTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** With the derived list columns of migration 005 (server/db/sessionColumns.ts). */
export interface SessionsTable extends SessionListColumns {
  id: string;
  site: string;
  started_at: number;
  last_event_at: number;
  ended_at: number | null;
  incognito: number;
  /** Lower-cased user.email of the session's app user, for export/deletion requests (migration 002). */
  user_email: string | null;
  uploaded_by: string | null;
  uploaded_at: number;
  /** The SDK that recorded it when not Rumscope's own ('datadog', 'openobserve'), else null (migration 003). */
  sdk: string | null;
  /** The SessionRecord as JSON. */
  record: string;
}

export interface EventsTable {
  load_id: string;
  seq: number;
  session_id: string;
  type: string;
  time: number;
  /** The StoredEvent as JSON. */
  body: string;
}

export interface LoadsTable {
  id: string;
  tab_id: number;
  frame_id: number;
  site: string;
  session_id: string;
  url: string;
  started_at: number;
  next_seq: number;
}

/** Fixed-window counters shared by every instance (migration 002). */
export interface RateLimitsTable {
  key: string;
  window_start: number;
  count: number;
}

/** Batches already stored, by the client's batch id (migration 002). */
export interface UploadReceiptsTable {
  batch_id: string;
  token_id: string;
  created_at: number;
  response: string;
}

/** One row per session write, in commit order per instance: the live view's cursor (migration 002). */
export interface SessionChangesTable {
  id: Generated<number>;
  session_id: string;
  changed_at: number;
}

/** Replay segments, keyed [load_id+seq] (migration 003). `data`: the records' JSON, deflated. */
export interface ReplaySegmentsTable {
  load_id: string;
  seq: number;
  session_id: string;
  view_id: string | null;
  reason: string;
  start_at: number;
  end_at: number;
  records: number;
  full_snapshot: number;
  raw_chars: number;
  bytes: number;
  data: Uint8Array;
}

/** An application instrumented with a peer SDK; its client token (hashed) may only upload (migration 004). */
export interface ApplicationsTable {
  id: string;
  name: string;
  token_hash: string;
  created_by: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** Derivation keys of the peers' events already stored ("view v1 started", "error e7"): a retry adds nothing (migration 004). */
export interface CompatKeysTable {
  key: string;
  created_at: number;
}

/** A peer SDK's replay segment, kept as sent (deflated) with its metadata JSON (migration 004). */
export interface ForeignReplaySegmentsTable {
  id: string;
  session_id: string;
  sdk: string;
  format: string;
  view_id: string | null;
  start_at: number;
  end_at: number;
  records: number;
  raw_bytes: number;
  bytes: number;
  full_snapshot: number;
  metadata: string;
  data: Uint8Array;
  created_at: number;
}

/** A session's distinct searchable texts per kind, cut as the panel's index cuts them (migration 006). */
export interface SearchTextsTable {
  session_id: string;
  kind: string;
  text: string;
}

/** One term of a session's texts of one kind, lower-cased (migration 006; COLLATE "C" on PostgreSQL). */
export interface SearchTermsTable {
  term: string;
  session_id: string;
  kind: string;
  /** How many of the session's texts of that kind hold the term (the hit's score adds them up). */
  hits: number;
  /**
   * PostgreSQL: the session's facetCode (sessionColumns.ts) as its row stands, or NULL when not known (the session's
   * row not stored yet when its events were); always NULL on SQLite (migration 012).
   */
  facets: number | null;
}

/** A kept replay asset body, once per hex sha-256 of its bytes (migration 008). */
export interface ReplayAssetsTable {
  hash: string;
  content_type: string;
  bytes: number;
  data: Uint8Array;
  created_at: number;
}

/** A session's reference to an asset its recording shows, keyed [session_id+url]: kept (hash) or skipped (reason) (migration 008). */
export interface ReplayAssetRefsTable {
  session_id: string;
  url: string;
  kind: string;
  hash: string | null;
  reason: string | null;
  detail: string | null;
  bytes: number;
  at: number;
}

export interface Database {
  users: UsersTable;
  auth_sessions: AuthSessionsTable;
  login_links: LoginLinksTable;
  upload_tokens: UploadTokensTable;
  sessions: SessionsTable;
  events: EventsTable;
  loads: LoadsTable;
  rate_limits: RateLimitsTable;
  upload_receipts: UploadReceiptsTable;
  session_changes: SessionChangesTable;
  replay_segments: ReplaySegmentsTable;
  applications: ApplicationsTable;
  compat_keys: CompatKeysTable;
  foreign_replay_segments: ForeignReplaySegmentsTable;
  search_texts: SearchTextsTable;
  search_terms: SearchTermsTable;
  replay_assets: ReplayAssetsTable;
  replay_asset_refs: ReplayAssetRefsTable;
}
