/**
 * One RUM event as @datadog/browser-rum (7.x) and its fork @openobserve/browser-rum (0.4.x) send it (one line
 * of their NDJSON batch) → the Rumscope events it stands for, each with a derivation key. A key names what the
 * event is in the peer's terms ("the view v1 started", "error e7"): the intake stores an event only the first
 * time its key is seen, so the SDK's retries and its repeated view updates add nothing twice.
 *
 * Their times are in nanoseconds (durations) and epoch ms (`date`). Pure functions; the result is checked by
 * the shared event validator before it is stored.
 */
import type { ActionEvent, ContextEvent, ErrorEvent, ErrorSource, JsonValue, RumEvent, TimingBreakdown, UserContext, VitalName } from '../../sdk/schema';
import { vitalRating } from '../../panel/dashboard/kpis';

export interface MappedItem {
  key: string;
  event: RumEvent;
}

export interface MappedEvent {
  /** The peer's session id (their `session.id`). */
  sessionId: string;
  /** The page URL the event happened on (its origin is the session's site). */
  url: string;
  /** `_dd.browser_sdk_version` when the event carries it. */
  sdkVersion: string | null;
  items: MappedItem[];
}

export type MapResult = { ok: true; value: MappedEvent } | { ok: false; reason: string };

/** What the intake knows of the request, not of the event (the peers let the intake read the browser from its User-Agent). */
export interface RequestFacts {
  userAgent: string;
}

type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const obj = (value: unknown): Obj => (isObj(value) ? value : {});
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
/** Nanoseconds → milliseconds (their durations), null when absent. */
const ms = (ns: unknown): number | null => {
  const value = num(ns);
  return value === null || value < 0 ? null : Math.round(value / 1e4) / 100;
};

/** Event types that carry no user data Rumscope keeps (their SDK's own telemetry, custom duration vitals, …). */
const UNMAPPED = new Set(['telemetry', 'vital', 'transition']);

export function mapRumEvent(raw: unknown, facts: RequestFacts): MapResult {
  if (!isObj(raw)) return { ok: false, reason: 'an event is not a JSON object' };
  const type = str(raw.type);
  const session = obj(raw.session);
  const sessionId = str(session.id);
  const view = obj(raw.view);
  const viewId = str(view.id);
  const url = str(view.url);
  const time = num(raw.date);
  if (!type) return { ok: false, reason: 'an event has no type' };
  if (!sessionId) return { ok: false, reason: `a ${type} event has no session.id` };
  if (time === null) return { ok: false, reason: `a ${type} event has no date` };
  if (!viewId || !url) return { ok: false, reason: `a ${type} event has no view.id or view.url` };
  const dd = obj(raw._dd);
  const sdkVersion = str(dd.browser_sdk_version);
  const base = { time, tz: 0, viewId };
  const items: MappedItem[] = [];

  switch (type) {
    case 'view':
    case 'view_update':
      items.push(...mapView(raw, view, base, type === 'view', facts));
      break;
    case 'action':
      items.push(...mapAction(raw, base));
      break;
    case 'error':
      items.push(...mapError(raw, base));
      break;
    case 'resource':
      items.push(...mapResource(raw, base));
      break;
    case 'long_task': {
      const task = obj(raw.long_task);
      const id = str(task.id);
      if (id) {
        const kind = str(task.entry_type) === 'long-animation-frame' ? 'long-animation-frame' : 'longtask';
        items.push({ key: `long_task:${id}`, event: { ...base, type: 'long_task', kind, duration: ms(task.duration) ?? 0 } });
      }
      break;
    }
    default:
      if (!UNMAPPED.has(type)) return { ok: false, reason: `unknown event type ${type.slice(0, 32)}` };
  }
  return { ok: true, value: { sessionId, url, sdkVersion, items } };
}

type Base = { time: number; tz: number; viewId: string };

const NAVIGATION: Record<string, 'initial' | 'push'> = { initial_load: 'initial', route_change: 'push' };

/** Web vitals a view carries, in their field names; CLS and INP keep changing while the view lives. */
const VIEW_VITALS: [VitalName, string, 'ns' | 'unitless', 'first' | 'final'][] = [
  ['FCP', 'first_contentful_paint', 'ns', 'first'],
  ['LCP', 'largest_contentful_paint', 'ns', 'first'],
  ['TTFB', 'first_byte', 'ns', 'first'],
  ['FID', 'first_input_delay', 'ns', 'first'],
  ['INP', 'interaction_to_next_paint', 'ns', 'final'],
  ['CLS', 'cumulative_layout_shift', 'unitless', 'final'],
];

function mapView(raw: Obj, view: Obj, base: Base, full: boolean, facts: RequestFacts): MappedItem[] {
  const items: MappedItem[] = [];
  const viewId = base.viewId;
  const ended = view.is_active === false;
  if (full) {
    const name = str(view.name);
    items.push({
      key: `view:${viewId}`,
      event: {
        ...base,
        type: 'view',
        url: str(view.url) ?? '',
        referrer: str(view.referrer) ?? '',
        title: name ?? '',
        navigation: NAVIGATION[str(view.loading_type) ?? ''] ?? 'initial',
        loadingTime: ms(view.loading_time),
        ...(name ? { name } : {}),
      },
    });
    const context = contextOf(raw, base, facts);
    if (context) items.push(context);
  }
  for (const [name, field, unit, when] of VIEW_VITALS) {
    if (when === 'final' && !ended) continue;
    const value = unit === 'ns' ? ms(view[field]) : num(view[field]);
    if (value === null) continue;
    items.push({ key: `vital:${viewId}:${name}`, event: { ...base, type: 'vital', name, value, supported: true, rating: vitalRating(name, value) } });
  }
  if (ended) {
    const count = (field: string) => num(obj(view[field]).count) ?? 0;
    const name = str(view.name);
    items.push({
      key: `view_end:${viewId}`,
      event: {
        ...base,
        time: base.time + (ms(view.time_spent) ?? 0),
        type: 'view_end',
        timeSpent: ms(view.time_spent) ?? 0,
        // Their resource count includes fetch and XHR calls: they are not told apart here.
        counts: { actions: count('action'), errors: count('error'), apiCalls: 0, resources: count('resource'), longTasks: count('long_task') },
        ...(name ? { name } : {}),
        ...(isObj(view.custom_timings) ? { timings: customTimings(view.custom_timings) } : {}),
      },
    });
  }
  return items;
}

function customTimings(timings: Obj): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(timings).slice(0, 100)) {
    const at = ms(value);
    if (at !== null) out[name.slice(0, 256)] = at;
  }
  return out;
}

/**
 * The page's user, global context, app and device as a Rumscope context event, keyed by its content: a change
 * (setUser, a new global property) is a new context event, the same again is none.
 */
function contextOf(raw: Obj, base: Base, facts: RequestFacts): MappedItem | null {
  const usr = isObj(raw.usr) ? (json(raw.usr) as UserContext) : null;
  const global = isObj(raw.context) ? (json(raw.context) as Record<string, JsonValue>) : {};
  const viewport = obj(obj(raw.display).viewport);
  const connectivity = obj(raw.connectivity);
  const device = obj(raw.device);
  const size = { width: num(viewport.width) ?? 0, height: num(viewport.height) ?? 0 };
  const event: ContextEvent = {
    ...base,
    type: 'context',
    cause: 'change',
    device: {
      userAgent: facts.userAgent.slice(0, 2048),
      clientHints: null,
      // They send the viewport only.
      screen: size,
      viewport: size,
      pixelRatio: 1,
      language: (str(device.locale) ?? '').slice(0, 64),
      timeZone: (str(device.time_zone) ?? '').slice(0, 128),
      connectionType: (Array.isArray(connectivity.interfaces) ? str(connectivity.interfaces[0]) : null)?.slice(0, 32) ?? null,
      effectiveType: str(connectivity.effective_type)?.slice(0, 32) ?? null,
      maxTouchPoints: 0,
    },
    app: { service: str(raw.service), env: envFromTags(str(raw.ddtags) ?? str(raw.ootags)), version: str(raw.version) },
    user: usr && Object.keys(usr).length ? usr : null,
    global,
  };
  const { time: _time, viewId: _view, tz: _tz, ...content } = event;
  return { key: `context:${fingerprint(JSON.stringify(content))}`, event };
}

/** `env:prod,service:shop` (Datadog's `ddtags`, OpenObserve's `ootags`) → 'prod'. */
function envFromTags(tags: string | null): string | null {
  const match = tags ? /(?:^|,)env:([^,]*)/.exec(tags) : null;
  return match?.[1] || null;
}

function json(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

/** A short stable digest (FNV-1a 64, hex) for content keys. */
export function fingerprint(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

function mapAction(raw: Obj, base: Base): MappedItem[] {
  const action = obj(raw.action);
  const id = str(action.id);
  if (!id) return [];
  const kind = str(action.type);
  const target = obj(obj(obj(raw._dd).action).target);
  const position = obj(obj(obj(raw._dd).action).position);
  const frustration = obj(action.frustration);
  const frustrations = Array.isArray(frustration.type) ? frustration.type : [];
  const event: ActionEvent = {
    ...base,
    type: 'action',
    action: kind === 'custom' ? 'custom' : 'click',
    name: (str(obj(action.target).name) ?? '').slice(0, 2048),
    selector: str(target.selector)?.slice(0, 2048) ?? null,
    x: num(position.x),
    y: num(position.y),
    rage: frustrations.includes('rage_click'),
    dead: frustrations.includes('dead_click'),
    errorClick: frustrations.includes('error_click'),
  };
  if (kind === 'custom' && isObj(raw.context)) event.context = json(raw.context) as Record<string, JsonValue>;
  return [{ key: `action:${id}`, event }];
}

/** Their error sources → Rumscope's ('source': thrown and not caught; 'agent': the SDK's own). */
function errorSource(source: string | null, handling: string | null, type: string | null): ErrorSource {
  switch (source) {
    case 'source':
      return type === 'UnhandledRejection' || handling === 'unhandled_rejection' ? 'unhandledrejection' : 'uncaught';
    case 'console':
    case 'logger':
      return 'console';
    case 'network':
      return 'network';
    case 'agent':
      return 'internal';
    default:
      return 'custom';
  }
}

function mapError(raw: Obj, base: Base): MappedItem[] {
  const error = obj(raw.error);
  const id = str(error.id);
  if (!id) return [];
  const type = str(error.type);
  const event: ErrorEvent = {
    ...base,
    type: 'error',
    source: errorSource(str(error.source), str(error.handling), type),
    errorType: (type ?? 'Error').slice(0, 256),
    message: (str(error.message) ?? '').slice(0, 16 * 1024),
    stack: str(error.stack)?.slice(0, 64 * 1024) ?? null,
    frames: [],
  };
  return [{ key: `error:${id}`, event }];
}

const RESOURCE_TYPES: Record<string, string> = { js: 'script', css: 'css', image: 'image', font: 'font', media: 'media', document: 'document', beacon: 'beacon' };

function timingOf(resource: Obj): TimingBreakdown | null {
  const phase = (name: string) => ms(obj(resource[name]).duration);
  const timing = { dns: phase('dns'), connect: phase('connect'), tls: phase('ssl'), request: phase('first_byte'), response: phase('download') };
  return Object.values(timing).some((value) => value !== null) ? timing : null;
}

function mapResource(raw: Obj, base: Base): MappedItem[] {
  const resource = obj(raw.resource);
  const id = str(resource.id);
  const url = str(resource.url);
  if (!id || !url) return [];
  const kind = str(resource.type) ?? 'other';
  const duration = ms(resource.duration) ?? 0;
  if (kind === 'fetch' || kind === 'xhr') {
    return [
      {
        key: `resource:${id}`,
        event: {
          ...base,
          type: 'api',
          via: kind,
          method: (str(resource.method) ?? 'GET').slice(0, 32),
          url: url.slice(0, 16 * 1024),
          status: Math.max(0, Math.min(999, Math.trunc(num(resource.status_code) ?? 0))),
          duration,
          requestSize: null,
          responseSize: num(resource.size),
          timing: timingOf(resource),
        },
      },
    ];
  }
  const blocking = str(resource.render_blocking_status);
  return [
    {
      key: `resource:${id}`,
      event: {
        ...base,
        type: 'resource',
        url: url.slice(0, 16 * 1024),
        resourceType: RESOURCE_TYPES[kind] ?? 'other',
        duration,
        timing: timingOf(resource),
        transferSize: num(resource.transfer_size),
        renderBlocking: blocking === 'blocking' ? true : blocking === 'non-blocking' ? false : null,
      },
    },
  ];
}
