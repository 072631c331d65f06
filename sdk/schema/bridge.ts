/**
 * The bridge: typed message maps per direction, plus a protocol version (as react-devtools' bridge does).
 *
 *   page (MAIN world SDK) --window.postMessage--> relay (isolated content script)
 *   relay --runtime Port "rumscope:relay"--> background (validates, persists, then acks)
 *   panel / popup / options --runtime.sendMessage--> background (commands; extension pages only)
 *
 * The page never names a session, a tab or a URL it did not come from: the relay numbers events,
 * the background stamps session, tab and frame from the port's sender.
 */
import type { RumEvent } from './events';
import type { DefaultPrivacyLevel } from './settings';
import type { ImportResult } from './storage';

export const PROTOCOL_VERSION = 1 as const;

/** `source` tags on window messages, so the relay can ignore everything else on the page. */
export const PAGE_SOURCE = 'rumscope:page' as const;
export const RELAY_SOURCE = 'rumscope:relay' as const;
export const RELAY_PORT_NAME = 'rumscope:relay' as const;
/**
 * The relay's port is named after its load (`rumscope:relay:<loadId>`): the background binds the load id to the
 * port's sender (tab, frame, site) the moment the document connects, before any batch, so a document's last events
 * can still be matched to that identity when they arrive by the second path (a RelayExitMessage).
 */
export const relayPortName = (loadId: string) => `${RELAY_PORT_NAME}:${loadId}`;
/** The load id a relay port names, or null when the name is not a relay port's. */
export function loadIdOfPort(name: string): string | null {
  if (!name.startsWith(RELAY_PORT_NAME + ':')) return null;
  const loadId = name.slice(RELAY_PORT_NAME.length + 1);
  return /^[\w-]{1,64}$/.test(loadId) ? loadId : null;
}
/**
 * Name of the CustomEvent (on window, detail = JSON string of a PageToRelay message) by which the SDK hands
 * over its events while the page is hidden, frozen or unloaded: dispatch is synchronous across worlds, whereas a
 * posted message still queued when the document goes away (a click just before a navigation commits) is lost
 * with it. At pagehide the SDK re-sends this way what it posted and has not seen delivered.
 */
export const PAGE_UNLOAD_EVENT = 'rumscope:page-unload' as const;
/**
 * A posted message still undelivered at pagehide is handed over again through PAGE_UNLOAD_EVENT. When the page
 * goes into the back/forward cache the posted copy is not lost but delivered if the page is shown again, so the
 * SDK names each message it posts (`id`, at most this long) and the relay takes a posted message whose id it
 * already took through PAGE_UNLOAD_EVENT as the copy it is, and drops it.
 */
export const PAGE_MESSAGE_ID_MAX_CHARS = 64;

/**
 * The page global the replay recorder (recorder.js, injected into the MAIN world only when the session is
 * recorded) defines: { start(options), stop(), recording }. The capture script's start/stopSessionReplayRecording
 * use it; its absence means the page is not recorded.
 */
export const RECORDER_GLOBAL = '__rumscopeRecorder' as const;

/** Hard limits, enforced by the relay and again by the background. */
export const LIMITS = {
  /** Events in one page message. */
  maxEventsPerMessage: 200,
  /** JSON length of one page message. */
  maxMessageChars: 256 * 1024,
  /** JSON length of one event (replay chunks included). */
  maxEventChars: 128 * 1024,
  /** Nesting depth of any value. */
  maxDepth: 12,
  /** Events per second a tab may send before the rest are dropped (burst allowance below). */
  eventsPerSecondPerTab: 1000,
  burstEventsPerTab: 5000,
  /** Events the relay keeps while unacknowledged before it starts dropping the oldest. */
  maxUnackedEvents: 20000,
  /** Replay has its own channel and limits: JSON length of one replay segment (a full snapshot of a large page). */
  maxReplaySegmentChars: 8 * 1024 * 1024,
  /** JSON length of replay segments the relay keeps while unacknowledged; beyond, new segments are dropped. */
  maxUnackedReplayChars: 48 * 1024 * 1024,
} as const;

// ---------- page -> relay (window.postMessage) ----------

export interface PageEventsMessage {
  source: typeof PAGE_SOURCE;
  protocol: typeof PROTOCOL_VERSION;
  kind: 'events';
  events: RumEvent[];
  /** Set on messages the SDK posts (see PAGE_MESSAGE_ID_MAX_CHARS): the same message may reach the relay twice. */
  id?: string;
}

/** Requests the page may make of the extension about its own session. */
export interface PageControlMessage {
  source: typeof PAGE_SOURCE;
  protocol: typeof PROTOCOL_VERSION;
  kind: 'control';
  command: 'startReplay';
  id?: string;
}

/** One replay segment from the recorder: `segment` is the JSON of a ReplaySegmentPayload (see replay.ts). */
export interface PageReplayMessage {
  source: typeof PAGE_SOURCE;
  protocol: typeof PROTOCOL_VERSION;
  kind: 'replay';
  segment: string;
}

export type PageToRelay = PageEventsMessage | PageControlMessage | PageReplayMessage;

// ---------- relay -> page ----------

/** What the page's SDK needs to know about the session the extension chose (sampling is per session). */
export interface SessionInfo {
  /** The session's id (getInternalContext().session_id); absent when the page is not recorded. Not a secret. */
  id?: string;
  sampled: boolean;
  replay: boolean;
  /** Default replay privacy of this session (the user's setting when it started); absent: the SDK's own default. */
  privacyLevel?: DefaultPrivacyLevel;
  /**
   * Present only when the user turned network detail on for this site: the page then keeps API calls' headers
   * and bodies, redacting the built-in names plus these (NetworkDetailSettings.redactHeaders / redactFields).
   * Requests that start before the page hears this (its first acknowledgement) carry no detail.
   */
  networkDetail?: { redactHeaders: string[]; redactFields: string[] };
}

export interface RelayConfigMessage {
  source: typeof RELAY_SOURCE;
  protocol: typeof PROTOCOL_VERSION;
  kind: 'session';
  session: SessionInfo;
}

export type RelayToPage = RelayConfigMessage;

// ---------- relay -> background (port) ----------

export interface RelayBatchMessage {
  protocol: typeof PROTOCOL_VERSION;
  kind: 'batch';
  loadId: string;
  /** seq of events[0]; events[i] has seq first + i. */
  first: number;
  events: RumEvent[];
  /** Page messages the relay dropped since the last batch (malformed, forged, oversized). */
  dropped: number;
}

export interface RelayControlMessage {
  protocol: typeof PROTOCOL_VERSION;
  kind: 'control';
  loadId: string;
  command: PageControlMessage['command'];
}

/** One replay segment, numbered by the relay per load (its own sequence, apart from the events'). */
export interface RelayReplayMessage {
  protocol: typeof PROTOCOL_VERSION;
  kind: 'replay';
  loadId: string;
  seq: number;
  segment: string;
}

/**
 * The second delivery path, for a document going away (pagehide, beforeunload, hidden, freeze): the relay sends
 * what is still unacknowledged by runtime.sendMessage, which survives the document where the port's last message
 * may not. The background takes it only from the tab, frame and site the load's port connected from, and stores
 * it idempotently ([loadId+seq]); its reply is an AckMessage.
 */
export interface RelayExitMessage extends Omit<RelayBatchMessage, 'kind'> {
  kind: 'exit';
}

export type RelayToBackground = RelayBatchMessage | RelayControlMessage | RelayReplayMessage | RelayExitMessage;

// ---------- background -> relay (port) ----------

export interface AckMessage {
  kind: 'ack';
  loadId: string;
  /** Every seq below this is persisted. */
  upTo: number;
  session: SessionInfo;
}

/** A replay segment is stored (or refused for good): the relay forgets it. */
export interface ReplayAckMessage {
  kind: 'replayAck';
  loadId: string;
  seq: number;
}

export type BackgroundToRelay = AckMessage | ReplayAckMessage;

// ---------- extension pages -> background (runtime.sendMessage) ----------

export interface CommandMap {
  endSession: { request: { sessionId: string }; response: { ok: true } };
  deleteSessions: { request: { sessionIds: string[] | 'all' }; response: { deleted: number } };
  pinSession: { request: { sessionId: string; pinned: boolean }; response: { ok: true } };
  /** Ends the session of the tab's current page; its next event starts a new one (popup, panel). */
  endTabSession: { request: { tabId: number }; response: { sessionId: string | null } };
  /**
   * "Keep replay" (popup, panel): the session of the tab's current page records a replay from now on, and the
   * page's instant replay buffer (the last two minutes) is kept. sessionId null: the tab has no tracked session.
   */
  keepReplay: { request: { tabId: number }; response: { sessionId: string | null } };
  /** Whether the tab's site is recorded and its current session (popup). */
  tabStatus: { request: { tabId: number }; response: TabRecordingStatus };
  /** Dismisses the panel's storage warning. */
  clearStorageWarning: { request: Record<string, never>; response: { ok: true } };
  /** Runs retention now (options page); also runs hourly and when retention settings change. */
  runRetention: { request: Record<string, never>; response: { expired: number; overCap: number } };
  /** Saves the sync server's upload token ('' forgets it) where content scripts cannot read it, then syncs (options page). */
  setSyncToken: { request: { token: string }; response: { ok: true } };
  /**
   * Importing a bundle: the picked file's text crosses in parts (IMPORT_PART_CHARS each), since one runtime message
   * is at most 64 MiB in Chrome and a bundle with its replay assets can be larger; `importEnd` joins them, checks
   * the text whole, then stores it in one transaction or not at all. Parts are kept in the background's memory
   * only: a background that restarted in between answers `importEnd` with an error, nothing imported.
   */
  importPart: { request: { importId: string; index: number; text: string }; response: { ok: true } };
  importEnd: { request: { importId: string; parts: number }; response: ImportResult };
  /**
   * Nothing but an answer: sent every few seconds while a long command is being answered, since Firefox stops an idle
   * event page (30 s without an event) even while it is still answering one.
   */
  ping: { request: Record<string, never>; response: { ok: true } };
  /**
   * Test builds only (a release answers with an error): compacts the search postings to the end now
   * (extension/storage/compactPostings.ts), so that e2e tests and benches read what a user's background had compacted.
   */
  compactSearchPostings: { request: Record<string, never>; response: { moved: number } };
}

/** Characters of an imported bundle per `importPart`: far below the message limit even if every one were escaped. */
export const IMPORT_PART_CHARS = 4 * 1024 * 1024;
/** The longest bundle text the background takes (characters); a longer file is refused before it is parsed. */
export const IMPORT_MAX_CHARS = 768 * 1024 * 1024;

/** Why a site is or is not recorded (extension/settings/siteAccess.ts). */
export type SiteAccessReason =
  /** An allow pattern matches and nothing below refuses it. */
  | 'allowed'
  /** No allow pattern matches (a fresh install allows only loopback hosts). */
  | 'not_allowed'
  /** A block pattern matches (the popup's switch was turned off). */
  | 'blocked'
  /** Not an http(s) page. */
  | 'unsupported'
  /** The extension's own pages are never recorded. */
  | 'extension'
  /** The configured sync server is never recorded. */
  | 'sync_server'
  /** A private window, and settings do not allow private windows. */
  | 'private_window';

export interface TabRecordingStatus {
  tabId: number;
  /** The tab's site (origin), null for pages that are not http(s). */
  site: string | null;
  recorded: boolean;
  reason: SiteAccessReason;
  /** The allow or block pattern that decided. */
  pattern: string | null;
  /** Epoch ms since which the tab's current page is recorded (its first stored event; later than its load when the
   * page was open before its site was allowed); null when nothing of it is stored. */
  recordingSince: number | null;
  /** The session of the tab's current page, when it has one. */
  session: {
    id: string;
    startedAt: number;
    endedAt: number | null;
    sampled: boolean;
    /** Whether the session records a replay (drawn, forced, or kept from instant replay). */
    replay: boolean;
    counts: { events: number; views: number; actions: number; errors: number; apiCalls: number };
  } | null;
}

export type CommandName = keyof CommandMap;

export type CommandMessage = {
  [K in CommandName]: { protocol: typeof PROTOCOL_VERSION; kind: 'command'; command: K; args: CommandMap[K]['request'] };
}[CommandName];

export type CommandResult<K extends CommandName> = { ok: true; value: CommandMap[K]['response'] } | { ok: false; error: string };


/** Why the background refused a message; counted per tab and shown in the panel. */
export type DropReason = 'malformed' | 'forged' | 'oversized' | 'rate' | 'protocol' | 'foreign_load';
