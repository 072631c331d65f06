/**
 * User settings, shared by the extension (options page, popup, background) and the server.
 * Types and defaults only; the valibot validator is in validateSettings.ts (trust boundaries only).
 *
 * Stored as one object; a stored copy may be partial (a test or an older version wrote only some fields):
 * readers merge it over DEFAULT_SETTINGS field by field, and an invalid field falls back to its default.
 */

/** Replay masking, as the peers name it: record everything, mask what users type, or mask all text. */
export type DefaultPrivacyLevel = 'allow' | 'mask-user-input' | 'mask';
export const PRIVACY_LEVELS: readonly DefaultPrivacyLevel[] = ['allow', 'mask-user-input', 'mask'];

export interface SiteAccessSettings {
  /**
   * Site patterns that may be recorded. A pattern is `[scheme://]host[:port][/path]`: scheme `http`,
   * `https` or `*` (no scheme: both); host exact, `*.example.com` (the domain and its subdomains) or `*`;
   * port a number or `*` (no port: any port). A path is ignored: sessions are per site (origin).
   */
  allow: string[];
  /** Patterns never recorded, even when an allow pattern matches (the popup's switch adds exact sites here). */
  block: string[];
  /** Record in private (incognito) windows too. The browser must also let the extension run there. */
  privateWindows: boolean;
}

export interface RumscopeSettings {
  siteAccess: SiteAccessSettings;
  sampling: {
    /** Percentage of new sessions tracked (0-100). An untracked session keeps its record, no events. */
    sessionSampleRate: number;
    /** Percentage of tracked sessions that also record a replay (0-100). */
    sessionReplaySampleRate: number;
  };
  /** Replay privacy level given to new sessions. */
  privacyLevel: DefaultPrivacyLevel;
  /** Environment label of new sessions when the app sets none (spec: Production / Staging / Development). '' = none. */
  environment: string;
  /** The session's user when the app sets none. '' = not set. */
  tester: { name: string; email: string };
  retention: {
    /** Sessions that ended more than this many days ago are deleted (pinned ones never). 0 = no age limit. */
    days: number;
    /** The oldest unpinned sessions are deleted while what is stored exceeds this (MB, 1 MB = 1,000,000 bytes). */
    maxStorageMb: number;
  };
  /**
   * Where sync sends ended sessions. Its origin is never recorded. '' = no sync server. The server's upload token
   * is not a setting: settings live in storage.local, which content scripts can read, so the token is kept in the
   * extension's own IndexedDB (extension/sync/syncCredentials.ts).
   */
  sync: { url: string };
  networkDetail: NetworkDetailSettings;
  instantReplay: InstantReplaySettings;
  replayAssets: ReplayAssetSettings;
}

/**
 * Stylesheets, fonts and images kept with recordings (docs/replay-assets.md). Assets of other origins that a
 * recorded page loaded are kept; never those of a site on the block list. A response marked
 * `Cache-Control: private` or `no-store` is kept only for the recorded pages of the sites listed here.
 */
export interface ReplayAssetSettings {
  /** Site patterns (as siteAccess.allow) of recorded pages whose private / no-store assets are kept too. */
  privateSites: string[];
}

/**
 * Instant replay, opt-in per site (off everywhere by default: it loads the recorder into the page). A page of
 * these sites whose session is not drawn for a full recording keeps the last two minutes in its own memory,
 * stored only when an error happens (drawn by onErrorSampleRate) or the user asks ("Keep replay").
 */
export interface InstantReplaySettings {
  /** Site patterns (as siteAccess.allow). */
  sites: string[];
  /** Percentage of sessions whose buffer an error keeps (0-100); "Keep replay" keeps it whatever this says. */
  onErrorSampleRate: number;
}

/**
 * Request and response headers and bodies of fetch / XHR calls, opt-in per site (off everywhere by default).
 * Secrets are redacted in the page whatever these say (Authorization, Cookie, CSRF headers, password / token
 * fields, login endpoints' bodies); these lists only add to the built-in ones.
 */
export interface NetworkDetailSettings {
  /** Site patterns (as siteAccess.allow) whose API calls keep headers and bodies. */
  sites: string[];
  /** More header names to redact (case-insensitive). */
  redactHeaders: string[];
  /** More JSON / form field names to redact, at any depth (case-insensitive). */
  redactFields: string[];
}

/**
 * Loopback hosts are allowed on a fresh install so that the demo app (`npm start`, http://127.0.0.1:5173)
 * and local development servers are recorded without a setup step; every other site waits for the user.
 */
export const DEFAULT_ALLOW_PATTERNS: readonly string[] = ['http://127.0.0.1:*', 'http://localhost:*', 'http://[::1]:*'];

export const DEFAULT_SETTINGS: RumscopeSettings = {
  siteAccess: { allow: [...DEFAULT_ALLOW_PATTERNS], block: [], privateWindows: false },
  sampling: { sessionSampleRate: 100, sessionReplaySampleRate: 100 },
  privacyLevel: 'mask-user-input',
  environment: '',
  tester: { name: '', email: '' },
  retention: { days: 30, maxStorageMb: 500 },
  sync: { url: '' },
  networkDetail: { sites: [], redactHeaders: [], redactFields: [] },
  instantReplay: { sites: [], onErrorSampleRate: 100 },
  replayAssets: { privateSites: [] },
};

/** Limits the validator enforces (and the options page shows). */
export const SETTINGS_LIMITS = {
  maxPatterns: 500,
  maxPatternChars: 300,
  maxRetentionDays: 3650,
  minStorageMb: 0.001,
  maxStorageMb: 1_000_000,
  maxLabelChars: 256,
  maxUrlChars: 2048,
  /** The sync server's upload token. */
  maxTokenChars: 4096,
  /** Names in each of networkDetail.redactHeaders / redactFields, and the characters of one. */
  maxRedactNames: 200,
  maxRedactNameChars: 128,
} as const;

/** Deep partial, for stored copies and patches. */
export type SettingsPatch = {
  [K in keyof RumscopeSettings]?: RumscopeSettings[K] extends unknown[] ? RumscopeSettings[K] : RumscopeSettings[K] extends object ? Partial<RumscopeSettings[K]> : RumscopeSettings[K];
};
