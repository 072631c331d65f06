import type { AppContext, JsonValue, UserContext, VitalName } from './events';
import type { ReplayAssetStats, ReplayStats } from './replay';
import type { DefaultPrivacyLevel } from './settings';

/** Spec: a session ends after 15 minutes of inactivity. */
export const SESSION_INACTIVITY_MS = 15 * 60 * 1000;
/** A session lasts 4 hours at most (as the peers do). */
export const SESSION_MAX_MS = 4 * 60 * 60 * 1000;

export type DeviceType = 'Desktop' | 'Mobile' | 'Tablet';

export interface NamedVersion {
  name: string | null;
  version: string | null;
}

export interface GeoInfo {
  country: string | null;
  city: string | null;
  region: string | null;
}

export type SessionEndReason = 'inactivity' | 'max_duration' | 'browser_closed' | 'user' | null;

/**
 * One visit to one site (scheme, host and port). Owned by the extension's background:
 * the page never names a session.
 */
export interface SessionRecord {
  id: string;
  /** Origin of the top-level page, e.g. "http://127.0.0.1:5173". */
  site: string;
  /**
   * Anonymous per-site visitor id (kept by the extension, or by the standalone SDK in its own storage):
   * a session is "returning" when the same visitor id was seen in an earlier session. Absent on sessions
   * recorded before it existed.
   */
  visitorId?: string;
  /** UTC ms of the first event. */
  startedAt: number;
  /** UTC ms of the last event of any kind: "Time Spent" is lastEventAt - startedAt. */
  lastEventAt: number;
  /** UTC ms of the last user activity: drives the 15-minute inactivity rule. */
  lastActivityAt: number;
  endedAt: number | null;
  endReason: SessionEndReason;
  /** Client UTC offset (minutes east) at session start, for "+05:30" display. */
  tz: number;
  user: UserContext | null;
  global: Record<string, JsonValue>;
  app: AppContext;
  browser: NamedVersion;
  os: NamedVersion;
  deviceType: DeviceType | null;
  screen: { width: number; height: number } | null;
  viewport: { width: number; height: number } | null;
  connectionType: string | null;
  effectiveType: string | null;
  language: string | null;
  timeZone: string | null;
  geo: GeoInfo;
  counts: {
    events: number;
    views: number;
    actions: number;
    errors: number;
    apiCalls: number;
    resources: number;
    longTasks: number;
  };
  /** Drawn once per session from sessionSampleRate: unsampled sessions keep only their record. */
  sampled: boolean;
  /** Drawn once per session from sessionReplaySampleRate, or forced by startSessionReplayRecording. */
  replay: boolean;
  /** Present once a replay segment is stored: the session has a recording (its size and time range). */
  replayStats?: ReplayStats;
  /** Assets kept with the recording (stylesheets, fonts, images): counts and bytes. Absent: none referenced yet. */
  replayAssets?: ReplayAssetStats;
  /** Recorded in a private window (only when the user allows it); never shares a session with normal windows. */
  incognito?: boolean;
  /** Pinned sessions are never deleted by retention. 0/1 so that it can be indexed. */
  pinned: 0 | 1;
  /** Main-thread ms the SDK reported spending, summed. */
  overheadMs: number;
  /**
   * The session's Web Vitals: the last measured value of each (by event time) with that time, kept as vital
   * events are written, so the dashboard's p75 needs no event read. Absent: none measured yet.
   */
  vitals?: SessionVitalValues;
  /**
   * Approximate bytes this session takes in storage (JSON length of its record and events). Kept by the
   * extension's storage layer; retention and the size cap use it. Absent only on records not yet counted.
   */
  bytes?: number;
  /** Settings in force when the session started (options page); used where the app sets nothing. */
  defaults?: SessionDefaults;
  /**
   * The SDK that recorded it, when it is not Rumscope's own (absent: the extension or Rumscope's standalone SDK).
   * Set by the server's compatible intake (@datadog/browser-rum, @openobserve/browser-rum) with the SDK's version.
   */
  sdk?: SessionSdk;
  /** Replay segments another SDK recorded in a format the player cannot read: kept as sent, with the reason. */
  foreignReplay?: ForeignReplayStats;
}

/** SDKs whose intake the team server speaks (see server/compat/). */
export type SdkName = 'rumscope' | 'datadog' | 'openobserve';
export const SDK_NAMES: readonly SdkName[] = ['rumscope', 'datadog', 'openobserve'];

/** What people call each SDK (the session detail, the dashboard's "Recorded by" facet). */
export const SDK_LABELS: Readonly<Record<SdkName, string>> = {
  rumscope: 'Rumscope',
  datadog: 'Datadog browser-rum',
  openobserve: 'OpenObserve browser-rum',
};

export interface SessionSdk {
  name: SdkName;
  /** The version the SDK reported (`_dd.browser_sdk_version` / the intake's origin version), when it did. */
  version: string | null;
}

/** Replay segments kept as another SDK sent them (not playable here: `reason` says why). */
export interface ForeignReplayStats {
  /** The recording's format, e.g. 'datadog-change' (Datadog's change-record snapshots). */
  format: string;
  /** Why the player cannot show it. */
  reason: string;
  segments: number;
  /** Compressed bytes stored. */
  bytes: number;
  records: number;
  /** Epoch ms of the first and last record. */
  start: number;
  end: number;
}

/** One session's Web Vitals: the last measured value of each name, with the UTC ms it was reported at. */
export type SessionVitalValues = Partial<Record<VitalName, { value: number; time: number }>>;

/** What the user's settings give a new session (see RumscopeSettings). */
export interface SessionDefaults {
  /** The tester identity: the session's user while the app sets none. */
  user: UserContext | null;
  /** The environment label: the session's app.env while the app sets none. */
  env: string | null;
  privacyLevel: DefaultPrivacyLevel;
}
