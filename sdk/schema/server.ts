/**
 * The team server's HTTP API payloads (server/ implements them; the extension's sync client, the standalone
 * SDK's HTTP transport and the dashboard's HTTP SessionSource call them). Types and constants only.
 */
import type { SessionInfo } from './bridge';
import type { RumEvent, StoredEvent } from './events';
import type { SessionRecord } from './session';
import type { SearchHit } from './dashboard';
import type { SessionExportBundle } from './storage';
import type { ReplayAssetRef } from './replay';

/** Header that carries an upload token (`Authorization: Bearer <token>` works too). */
export const UPLOAD_TOKEN_HEADER = 'x-rumscope-token' as const;
/** Header that carries the CSRF token of a cookie session on every state-changing request. */
export const CSRF_HEADER = 'x-rumscope-csrf' as const;

export const SERVER_ROUTES = {
  health: '/healthz',
  upload: '/api/intake/sessions',
  sdkBatch: '/api/intake/batch',
  replayUpload: '/api/intake/replay',
  sessions: '/api/sessions',
  changes: '/api/sessions/changes',
  count: '/api/sessions/count',
  search: '/api/sessions/search',
  login: '/api/auth/login',
  logout: '/api/auth/logout',
  me: '/api/auth/me',
  password: '/api/auth/password',
  loginLink: '/auth/link',
  users: '/api/admin/users',
  tokens: '/api/tokens',
  applications: '/api/admin/applications',
  /** The OpenAPI 3 document of every route. */
  openapi: '/api/openapi.json',
} as const;

/**
 * The compatible intake: the paths the real peer SDKs post to, unchanged (server/compat/). The client token is
 * an application's (ApplicationInfo), given where the SDK puts it: `dd-api-key` / `o2-api-key` in the query.
 * - Datadog @datadog/browser-rum: `/api/v2/rum|logs|replay`, or through its `proxy` option
 *   (`<proxy>?ddforward=<path and query>`), for which the server answers at `proxy`.
 * - OpenObserve @openobserve/browser-rum: `/rum/v1/<organization>/rum|logs|replay` (its `site` is the server's
 *   host, `insecureHTTP` for plain http), or its `proxy` option (`?o2forward=…`) at the same `proxy` path.
 */
export const COMPAT_ROUTES = {
  datadog: '/api/v2/:track',
  openobserve: '/rum/v1/:organization/:track',
  proxy: '/api/compat/proxy',
} as const;

/** What the compatible intake answers a stored batch (the SDKs read only the status). */
export interface CompatIntakeResponse {
  /** Events the batch held, and Rumscope events stored from them (0 for a retry). */
  received: number;
  stored: number;
  /** Events left out, with why (unknown type, no session, invalid after mapping). */
  refused: number;
  reasons?: string[];
}

/** An application instrumented with a peer SDK; its client token may only upload. */
export interface ApplicationInfo {
  id: string;
  name: string;
  createdBy: string | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** POST /api/admin/applications (admin): the client token is shown once; the server keeps only its hash. */
export interface CreateApplicationResponse {
  info: ApplicationInfo;
  clientToken: string;
}

/**
 * POST /api/intake/sessions: ended (or still growing) sessions with their events, as the extension exports
 * them, plus the client's id for this batch. Idempotent: a retried batch (same batchId) is stored once, and
 * events are keyed by [loadId+seq] and sessions by id, so even a batch re-sent under a new id adds nothing twice.
 */
export interface UploadRequest extends SessionExportBundle {
  /** Chosen by the client (a random id), kept across retries of the same batch. */
  batchId?: string;
}

export interface UploadResponse {
  batchId: string | null;
  /** Sessions and events in the batch, all committed before this response was sent. */
  sessions: number;
  events: number;
  /** True when this batch id had already been stored (nothing was written again). */
  duplicate: boolean;
}

/**
 * POST /api/intake/batch: one page load's events from the standalone SDK's HTTP transport (upload token).
 * The server's session model decides the session, as the extension's background does: the page never
 * names one. Events are numbered by the page from 0 per load; a re-sent batch is stored once.
 */
export interface SdkBatchRequest {
  protocol: 1;
  /** Random id of this page load, chosen by the SDK. */
  loadId: string;
  /** Sequence number of events[0]. */
  first: number;
  /** The page's URL (its origin is the session's site). */
  url: string;
  /**
   * The SDK's own session id (its first-party session store): every visitor of an app posts with the app's one
   * token, so the session is the visitor's, not the site's latest. One load id per page load and session.
   */
  sessionId?: string;
  /** The SDK's anonymous visitor id for the site (its first-party storage): a new session carries it (new vs returning users). */
  visitorId?: string;
  events: RumEvent[];
}

/**
 * POST /api/intake/replay (upload token): replay segments, each keyed by its load and the load's replay sequence
 * number ([loadId+seq]: a re-sent segment is stored once). The standalone SDK names only the load (its events
 * went first: an unknown load answers 409 `unknown_load`, retry later); the extension names the session it
 * uploaded (it must be the token's member's). `segment` is the JSON of a ReplaySegmentPayload.
 */
export interface ReplayUploadRequest {
  protocol: 1;
  segments: { loadId: string; seq: number; sessionId?: string; segment: string }[];
}

export type ReplayUploadResponse =
  | { status: 'stored'; stored: number; duplicates: number }
  | { status: 'unknown_load'; loadId: string };

/** GET /api/sessions/:id/replay: the session's segments and records (ReplayData). */
export const sessionReplayPath = (sessionId: string) => `${SERVER_ROUTES.sessions}/${encodeURIComponent(sessionId)}/replay`;

/**
 * GET /api/sessions/:id/assets: the session's replay asset references (kept with the body's hash, or skipped with the
 * reason), as an uploaded bundle carried them. The bodies: GET /api/sessions/:id/assets/:hash (the stored media type,
 * immutable: content-addressed); a hash the session does not reference answers 404.
 */
export interface SessionAssetsResponse {
  refs: ReplayAssetRef[];
}

export const sessionAssetsPath = (sessionId: string) => `${SERVER_ROUTES.sessions}/${encodeURIComponent(sessionId)}/assets`;
export const sessionAssetPath = (sessionId: string, hash: string) => `${sessionAssetsPath(sessionId)}/${encodeURIComponent(hash)}`;

/** 'gap': the server misses events before `first`: re-send from `upTo`. */
export type SdkBatchResponse = { status: 'stored'; upTo: number; stored: number; session: SessionInfo } | { status: 'gap'; upTo: number };

/**
 * GET /api/sessions/search?q&limit: sessions whose page URLs, API call URLs, error messages, action names,
 * console messages or context (global context, user, app) contain the text (case-insensitive), most matches first.
 */
export interface SessionSearchResponse {
  hits: SearchHit[];
}

/** Who uploaded a session (a member of the team). */
export interface Uploader {
  id: string;
  email: string;
  name: string;
}

export interface SessionSummary {
  session: SessionRecord;
  uploadedBy: Uploader | null;
  /** UTC ms of the last upload that touched it. */
  uploadedAt: number;
}

/**
 * GET /api/sessions: every filter of the panel (server/sessionListParams.ts: from, to, range, errors, duration,
 * email, the facets, novelty, q) and every sort (sort=startedAt|timeSpent|errors|email|location, direction;
 * ties newest first, then id), keyset-paginated by `cursor` (the previous page's nextCursor, same sort) or by
 * `offset` for the panel's numbered pages.
 */
export interface SessionListResponse {
  items: SessionSummary[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** GET /api/sessions/count with the list's filter parameters. */
export interface SessionCountResponse {
  count: number;
}

/** GET /api/sessions/:id */
export interface SessionDetailResponse {
  item: SessionSummary;
  events: StoredEvent[];
}

/** GET /api/sessions/changes?cursor: sessions written since the cursor (for a live view); cursor=now: only the current position. */
export interface SessionChangesResponse {
  items: SessionSummary[];
  /** Pass back as `cursor` next time. */
  cursor: string;
}

export type UserRole = 'admin' | 'member';

export interface AccountInfo {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  createdAt: number;
}

export interface LoginRequest {
  email: string;
  password: string;
}

/** POST /api/auth/login and GET /api/auth/me. */
export interface MeResponse {
  user: AccountInfo;
  /** Send back in the x-rumscope-csrf header on every POST/PUT/DELETE made with the session cookie. */
  csrfToken: string;
}

export interface CreateUserRequest {
  email: string;
  name?: string;
  role?: UserRole;
  /** Without one, the response carries a one-time login link to hand to the new member. */
  password?: string;
}

export interface CreateUserResponse {
  user: AccountInfo;
  loginLink: string | null;
}

export interface UploadTokenInfo {
  id: string;
  userId: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** POST /api/tokens: the token itself is shown once; the server keeps only its hash. */
export interface CreateTokenResponse {
  info: UploadTokenInfo;
  token: string;
}

/** Every 4xx/5xx body. */
export interface ApiError {
  statusCode: number;
  error: string;
  message: string;
}
