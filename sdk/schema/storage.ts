/**
 * What a session store reports about itself (the extension's IndexedDB; later the server's database),
 * shown by the panel and the options page. Types only.
 */
import type { StoredEvent } from './events';
import type { ReplayAssetRef, ReplayRecord } from './replay';
import type { SessionRecord } from './session';

/** The last time the store refused a write for lack of space, until the user dismisses it. */
export interface StorageWarning {
  /**
   * 'quota': a write was refused (full disk or quota) and the oldest unpinned sessions were deleted so that
   * recording goes on. 'full': a write was refused and nothing was left to delete (every session pinned or live).
   */
  kind: 'quota' | 'full';
  at: number;
  /** Sessions deleted to make room, since the warning was last dismissed. */
  evictedSessions: number;
  evictedBytes: number;
  /** Writes refused, since the warning was last dismissed. */
  refusedWrites: number;
}

export interface StorageUsage {
  /** Sum of the sessions' `bytes` (JSON length of records and events). */
  bytes: number;
  sessions: number;
  pinned: number;
  /** The size cap from settings, in bytes. */
  capBytes: number;
  /** Retention in days from settings; 0 = no age limit. */
  retentionDays: number;
  /** What the browser reports for the extension's origin (navigator.storage.estimate), where it does. */
  browserUsage: number | null;
  browserQuota: number | null;
  updatedAt: number;
  /** The last retention pass: when, and how many sessions it deleted for their age and for the size cap. */
  lastRetention: { at: number; expired: number; overCap: number } | null;
}

/** One download of sessions (the popup's, panel's or options page's Export): what the dashboard imports. */
export interface SessionExportBundle {
  format: 'rumscope.sessions';
  /** Version of this bundle's layout. */
  version: 1;
  /** SCHEMA_VERSION of the events inside. */
  schema: number;
  exportedAt: number;
  /** What wrote it, e.g. { name: 'rumscope-extension', version: '0.1.0' }. */
  source: { name: string; version: string };
  /**
   * `replay`: the session's replay records (decompressed, in time order), when it has a recording.
   * `assets`: what its recording shows, kept (with the hash of a body in `assetBodies`) or skipped (with the reason).
   */
  sessions: SessionBundleEntry[];
  /** The kept stylesheets, fonts and images the sessions' `assets` name, each body once (base64). */
  assetBodies?: BundleAssetBody[];
}

export interface SessionBundleEntry {
  session: SessionRecord;
  events: StoredEvent[];
  replay?: ReplayRecord[];
  assets?: BundleAssetRef[];
}

/** A session's asset reference in a bundle: the stored reference without its session id. */
export type BundleAssetRef = Omit<ReplayAssetRef, 'sessionId'>;

/** One kept asset body in a bundle: `data` is the body in base64; `hash` its hex sha-256 (checked on import). */
export interface BundleAssetBody {
  hash: string;
  contentType: string;
  data: string;
}

/** What importing a bundle did (SessionCommands.importSessions). */
export interface ImportResult {
  /** Sessions stored, with their events and recordings. */
  added: number;
  /** Sessions already stored exactly as in the bundle: nothing written. */
  unchanged: number;
  /** Sessions stored differently than in the bundle: left as they are, never overwritten (their ids). */
  kept: string[];
}

export const EXPORT_FORMAT = 'rumscope.sessions' as const;
export const EXPORT_VERSION = 1 as const;
