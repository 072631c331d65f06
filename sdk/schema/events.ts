/**
 * The Rumscope event contract. Every folder imports these types; nobody re-declares an event shape.
 * No browser or Node imports here: this module is types and constants only.
 *
 * Times are UTC epoch milliseconds; `tz` is the client's UTC offset in minutes east of UTC
 * (India is +330), so a timestamp can be shown in the zone it was recorded in.
 */

/** Bumped whenever a stored shape changes incompatibly. Stored on every event. */
export const SCHEMA_VERSION = 1 as const;

/** What the page fills in for every event. The background adds the rest (see StoredEvent). */
export interface EventBase {
  /** UTC epoch ms at which it happened in the page. */
  time: number;
  /** Client UTC offset in minutes east of UTC. */
  tz: number;
  /** The view (page view or SPA route) it happened in. */
  viewId: string;
}

/** 'manual': started by the app with startView(). */
export type NavigationKind = 'initial' | 'push' | 'replace' | 'pop' | 'hash' | 'reload' | 'back_forward' | 'manual';

export interface ViewEvent extends EventBase {
  type: 'view';
  url: string;
  referrer: string;
  title: string;
  navigation: NavigationKind;
  /** ms from navigation start to load (initial) or to the route settling (SPA); null if unknown yet. */
  loadingTime: number | null;
  /** The app's name for the view (startView / setViewName), when it gave one before the view was sent. */
  name?: string;
}

/** Sent when a view ends (next route, page hidden for good or put in the back/forward cache), with what happened inside it. */
export interface ViewEndEvent extends EventBase {
  type: 'view_end';
  timeSpent: number;
  counts: { actions: number; errors: number; apiCalls: number; resources: number; longTasks: number };
  /** The view's final name (startView / setViewName), when it has one. */
  name?: string;
  /** addTiming(name): ms from the view's start, per name (the last call of a name wins). */
  timings?: Record<string, number>;
}

/**
 * 'input': a form field changed. `name` is the field's label and `selector` its CSS selector; the value is
 * never recorded (the dashboard's "Export as Playwright test" fills it from a named placeholder).
 */
export type ActionKind = 'click' | 'submit' | 'input' | 'custom';

export interface ActionEvent extends EventBase {
  type: 'action';
  action: ActionKind;
  /** Readable name: aria-label, visible text, data attribute, or the addAction name. */
  name: string;
  /** CSS selector of the target, if any. */
  selector: string | null;
  x: number | null;
  y: number | null;
  rage: boolean;
  dead: boolean;
  errorClick: boolean;
  context?: Record<string, JsonValue>;
}

export type ErrorSource = 'uncaught' | 'unhandledrejection' | 'console' | 'network' | 'custom' | 'internal';

export interface StackFrame {
  fn: string | null;
  url: string | null;
  line: number | null;
  column: number | null;
}

export interface ErrorEvent extends EventBase {
  type: 'error';
  source: ErrorSource;
  /** Error class name, e.g. TypeError. */
  errorType: string;
  message: string;
  stack: string | null;
  frames: StackFrame[];
  context?: Record<string, JsonValue>;
}

/** Timing breakdown in ms; null where the browser does not expose it (e.g. cross-origin without TAO). */
export interface TimingBreakdown {
  dns: number | null;
  connect: number | null;
  tls: number | null;
  request: number | null;
  response: number | null;
}

export interface ApiEvent extends EventBase {
  type: 'api';
  via: 'fetch' | 'xhr';
  method: string;
  url: string;
  /** 0 for a network failure. */
  status: number;
  duration: number;
  requestSize: number | null;
  responseSize: number | null;
  timing: TimingBreakdown | null;
  /**
   * Headers and bodies, only where the user turned network detail on for the site (off by default).
   * Always redacted in the page before it leaves (see NETWORK_DETAIL_LIMITS and sdk/src/domain/requests/redactDetail.ts).
   */
  detail?: ApiDetail;
}

/** One HTTP header, as HAR lists them (name/value pairs: a name may repeat). */
export interface HttpHeader {
  name: string;
  value: string;
}

/** Why a body's text is absent. */
export type BodyOmitted =
  /** Binary (blob, array buffer, file, stream): described by type and size only. */
  | 'binary'
  /** A request to a login / token endpoint: never kept, whatever the settings. */
  | 'redacted'
  /** The page load's body budget (NETWORK_DETAIL_LIMITS.maxBodyCharsPerLoad) is spent. */
  | 'session_cap'
  /** The body could not be read (opaque response, read error, timeout). */
  | 'unreadable';

/** A request or response body (HAR postData / content: mimeType, text, size). */
export interface HttpBody {
  /** The content type as sent or received ('' when none). */
  mimeType: string;
  /** Size of the whole body in characters (text) or bytes (binary) when known. */
  size: number | null;
  /** The (redacted) text, cut at NETWORK_DETAIL_LIMITS.maxBodyChars; absent when omitted. */
  text?: string;
  /** The text was cut. */
  truncated?: boolean;
  omitted?: BodyOmitted;
}

export interface ApiDetail {
  requestHeaders: HttpHeader[];
  responseHeaders: HttpHeader[];
  /** null: the request had no body (GET) / the response none yet (failed call). */
  requestBody: HttpBody | null;
  responseBody: HttpBody | null;
}

/** Caps of network detail, shared by the page (which cuts) and the validator (which refuses beyond). */
export const NETWORK_DETAIL_LIMITS = {
  /** Characters of text kept per body. */
  maxBodyChars: 48 * 1024,
  /** Body characters one page load may keep in all (further bodies are 'session_cap'). */
  maxBodyCharsPerLoad: 5 * 1024 * 1024,
  maxHeaders: 100,
  maxHeaderNameChars: 256,
  maxHeaderValueChars: 4096,
} as const;

/** Console methods the SDK records (console.error becomes an ErrorEvent with source 'console', not a ConsoleEvent). */
export type ConsoleLevel = 'log' | 'info' | 'warn' | 'debug' | 'assert' | 'trace' | 'table';
export const CONSOLE_LEVELS = ['log', 'info', 'warn', 'debug', 'assert', 'trace', 'table'] as const satisfies readonly ConsoleLevel[];

/** Caps of console events (the page cuts, the validator refuses beyond). */
export const CONSOLE_LIMITS = {
  /** Characters of the formatted message. */
  maxMessageChars: 4000,
  /** Arguments kept per call. */
  maxArgs: 10,
  /** JSON characters of one serialized argument. */
  maxArgChars: 8 * 1024,
  /** Nesting kept inside one argument. */
  maxArgDepth: 4,
} as const;

/**
 * A console call (log, info, warn, debug, assert, trace, table). Identical consecutive calls within a second are
 * one event with `count`. Arguments are serialized when called (never kept by reference) and redacted.
 */
export interface ConsoleEvent extends EventBase {
  type: 'console';
  level: ConsoleLevel;
  /** The arguments formatted as the console shows them (format specifiers applied), redacted, capped. */
  message: string;
  /** Each argument as bounded JSON: DOM nodes, errors, maps, sets, typed arrays and the like are described. */
  args: JsonValue[];
  /** Identical consecutive calls grouped into this event (1 or more). */
  count: number;
  /** console.trace / a failed console.assert: where it was called (redacted). */
  stack?: string;
}

export interface ResourceEvent extends EventBase {
  type: 'resource';
  url: string;
  /** script, css, image, font, fetch, xhr, other... */
  resourceType: string;
  duration: number;
  timing: TimingBreakdown | null;
  transferSize: number | null;
  renderBlocking: boolean | null;
}

export type VitalName = 'LCP' | 'FID' | 'CLS' | 'TTFB' | 'INP' | 'FCP';
export type VitalRating = 'good' | 'needs-improvement' | 'poor';

export interface VitalEvent extends EventBase {
  type: 'vital';
  name: VitalName;
  /** null when the browser cannot measure it ("not supported"), never 0 in its place. */
  value: number | null;
  supported: boolean;
  rating: VitalRating | null;
  attribution?: Record<string, JsonValue>;
}

export interface LongTaskEvent extends EventBase {
  type: 'long_task';
  kind: 'longtask' | 'long-animation-frame';
  duration: number;
}

/** One chunk of an rrweb recording. Events are kept opaque here: the replay player knows them. */
export interface ReplayEvent extends EventBase {
  type: 'replay';
  records: JsonValue[];
}

export interface UserContext {
  id?: string;
  name?: string;
  email?: string;
  [attribute: string]: JsonValue | undefined;
}

/** Raw device facts from the page. Parsing (browser, OS, device type, country) happens outside the page. */
export interface DeviceFacts {
  userAgent: string;
  /** navigator.userAgentData brands/platform/mobile where available. */
  clientHints: { brands: { brand: string; version: string }[]; platform: string; mobile: boolean } | null;
  screen: { width: number; height: number };
  viewport: { width: number; height: number };
  pixelRatio: number;
  language: string;
  /** IANA zone; '' from the extension's SDK (the background takes the browser's: same browser, no Intl cost in the page). */
  timeZone: string;
  /** navigator.connection.type / effectiveType where available. */
  connectionType: string | null;
  effectiveType: string | null;
  /** Touch points, to tell tablets from desktops. */
  maxTouchPoints: number;
}

export interface AppContext {
  service: string | null;
  env: string | null;
  version: string | null;
}

/**
 * Sent at start and whenever user / global context / app context changes.
 * `cause` 'start' is a new page's first context: an empty user or global context there means "not set in
 * this page yet", so the session keeps what an earlier page set; 'change' replaces it (clearUser included).
 */
export interface ContextEvent extends EventBase {
  type: 'context';
  cause: 'start' | 'change';
  device: DeviceFacts;
  app: AppContext;
  user: UserContext | null;
  global: Record<string, JsonValue>;
}

/**
 * The SDK reports its own cost and drops so the panel can show "Rumscope overhead: N ms".
 * Both numbers are increments since the previous telemetry event of the same page load (the background sums them).
 */
export interface TelemetryEvent extends EventBase {
  type: 'telemetry';
  /** Main-thread ms the SDK spent in the page since the last report. */
  overheadMs: number;
  /** Events the SDK dropped (per-second cap, full buffers) since the last report. */
  dropped: number;
}

/** What kind of user activity kept the session alive. */
export type ActivityKind = 'key' | 'scroll' | 'touch' | 'visible';

/**
 * User activity that produces no other event (typing, scrolling, touching, coming back to the tab).
 * Throttled in the page; clicks and views need none (they are activity themselves).
 */
export interface ActivityEvent extends EventBase {
  type: 'activity';
  kind: ActivityKind;
}

export type RumEvent =
  | ViewEvent
  | ViewEndEvent
  | ActionEvent
  | ErrorEvent
  | ApiEvent
  | ConsoleEvent
  | ResourceEvent
  | VitalEvent
  | LongTaskEvent
  | ReplayEvent
  | ContextEvent
  | TelemetryEvent
  | ActivityEvent;

export type RumEventType = RumEvent['type'];

export const RUM_EVENT_TYPES = [
  'view',
  'view_end',
  'action',
  'error',
  'api',
  'console',
  'resource',
  'vital',
  'long_task',
  'replay',
  'context',
  'telemetry',
  'activity',
] as const satisfies readonly RumEventType[];

/** Events of which type count as user activity that keeps a session alive (spec: 15 minutes of inactivity). */
export const ACTIVITY_EVENT_TYPES: readonly RumEventType[] = ['view', 'action', 'activity'];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * What the background stores: the page's event plus what only the extension may decide.
 * The primary key is [loadId+seq]: a re-sent batch overwrites itself and never duplicates.
 */
export type StoredEvent = RumEvent & {
  /** Set by the background from its own session state, never taken from the page. */
  sessionId: string;
  /** Random id of one content-script instance (one document), chosen in the isolated world. */
  loadId: string;
  /** Gapless sequence number within the load, assigned by the relay. */
  seq: number;
  tabId: number;
  frameId: number;
  schema: typeof SCHEMA_VERSION;
};
