/**
 * A session's API calls and resources as HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), which
 * Chrome's and Firefox's Network panels import. Headers and bodies only when the events carry them (secret
 * headers redacted); what the browser did not tell (HTTP version, a resource's status) is left empty or 0,
 * never made up. A fetch / XHR appears once, as its API call, not again as its Resource Timing entry.
 */
import type { ApiEvent, ResourceEvent, SessionRecord, StoredEvent, ViewEvent } from '../../../sdk/schema';
import { networkDetail, type Header } from './networkDetail';

export interface HarTimings {
  blocked: number;
  dns: number;
  connect: number;
  ssl: number;
  send: number;
  wait: number;
  receive: number;
}

export interface HarEntry {
  pageref?: string;
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: never[];
    headers: Header[];
    queryString: Header[];
    postData?: { mimeType: string; text: string };
    headersSize: number;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: never[];
    headers: Header[];
    content: { size: number; mimeType: string; text?: string };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
  };
  cache: Record<string, never>;
  timings: HarTimings;
  /** Chrome's name for the initiator type (fetch, xhr, script, stylesheet, image, font...). */
  _resourceType: string;
}

export interface HarPage {
  startedDateTime: string;
  id: string;
  title: string;
  pageTimings: { onContentLoad: number; onLoad: number };
}

export interface Har {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    browser?: { name: string; version: string };
    pages: HarPage[];
    entries: HarEntry[];
    comment: string;
  };
}

const iso = (time: number) => new Date(time).toISOString();
const ms = (value: number | null | undefined) => (value === null || value === undefined || !Number.isFinite(value) || value < 0 ? -1 : Math.round(value * 10) / 10);

/** HAR timings from the event's breakdown; their sum (less ssl, which connect includes) is the entry's time. */
export function harTimings(duration: number, timing: ApiEvent['timing']): HarTimings {
  const total = Math.max(0, duration);
  if (!timing) return { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: ms(total), receive: 0 };
  const t: HarTimings = {
    blocked: -1,
    dns: ms(timing.dns),
    connect: ms(timing.connect),
    ssl: ms(timing.tls),
    send: 0,
    wait: Math.max(0, ms(timing.request)),
    receive: Math.max(0, ms(timing.response)),
  };
  const known = [t.dns, t.connect, t.wait, t.receive].reduce((sum, v) => sum + Math.max(0, v), 0);
  t.blocked = ms(Math.max(0, total - known));
  return t;
}

export const harTime = (t: HarTimings): number =>
  Math.round([t.blocked, t.dns, t.connect, t.send, t.wait, t.receive].reduce((sum, v) => sum + Math.max(0, v), 0) * 10) / 10;

function queryString(url: string): Header[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

/** Chrome's resource types for an initiator type. */
const RESOURCE_TYPES: Record<string, string> = {
  script: 'script',
  css: 'stylesheet',
  link: 'stylesheet',
  img: 'image',
  image: 'image',
  font: 'font',
  fetch: 'fetch',
  xmlhttprequest: 'xhr',
  xhr: 'xhr',
  iframe: 'document',
  navigation: 'document',
};

function apiEntry(event: ApiEvent, pageref: string | undefined): HarEntry {
  const detail = networkDetail(event);
  const timings = harTimings(event.duration, event.timing);
  const mimeType = detail?.mimeType ?? 'x-unknown';
  const requestType = detail?.requestHeaders.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? 'application/octet-stream';
  return {
    ...(pageref ? { pageref } : {}),
    startedDateTime: iso(event.time),
    time: harTime(timings),
    request: {
      method: event.method,
      url: event.url,
      httpVersion: '',
      cookies: [],
      headers: detail?.requestHeaders ?? [],
      queryString: queryString(event.url),
      ...(detail?.requestBody !== null && detail?.requestBody !== undefined ? { postData: { mimeType: requestType, text: detail.requestBody } } : {}),
      headersSize: -1,
      bodySize: event.requestSize ?? -1,
    },
    response: {
      status: event.status,
      statusText: '',
      httpVersion: '',
      cookies: [],
      headers: detail?.responseHeaders ?? [],
      content: {
        size: event.responseSize ?? detail?.responseBody?.length ?? 0,
        mimeType,
        ...(detail?.responseBody !== null && detail?.responseBody !== undefined ? { text: detail.responseBody } : {}),
      },
      redirectURL: '',
      headersSize: -1,
      bodySize: event.responseSize ?? -1,
    },
    cache: {},
    timings,
    _resourceType: event.via,
  };
}

function resourceEntry(event: ResourceEvent, pageref: string | undefined): HarEntry {
  const timings = harTimings(event.duration, event.timing);
  return {
    ...(pageref ? { pageref } : {}),
    startedDateTime: iso(event.time),
    time: harTime(timings),
    request: { method: 'GET', url: event.url, httpVersion: '', cookies: [], headers: [], queryString: queryString(event.url), headersSize: -1, bodySize: 0 },
    response: {
      // Resource Timing does not give the status in every browser: 0 = not known.
      status: 0,
      statusText: '',
      httpVersion: '',
      cookies: [],
      headers: [],
      content: { size: event.transferSize ?? 0, mimeType: 'x-unknown' },
      redirectURL: '',
      headersSize: -1,
      bodySize: event.transferSize ?? -1,
    },
    cache: {},
    timings,
    _resourceType: RESOURCE_TYPES[event.resourceType] ?? 'other',
  };
}

const callKey = (loadId: string, via: string, url: string) => `${loadId} ${via} ${url}`;

/** The session's API calls, counted per page load, kind (fetch / xhr) and URL. */
function apiCallsByKey(events: readonly StoredEvent[]): Map<string, number> {
  const calls = new Map<string, number>();
  for (const e of events) {
    if (e.type !== 'api') continue;
    const key = callKey(e.loadId, e.via, e.url);
    calls.set(key, (calls.get(key) ?? 0) + 1);
  }
  return calls;
}

/**
 * A fetch / XHR resource entry is the Resource Timing of an API call already in the HAR (with its status and
 * detail): true, and that call counted off, when one of the same load, kind and URL is left. Its clock differs
 * from the call's (Firefox may put it first), so it is matched by count, not by order.
 */
function takeCall(calls: Map<string, number>, event: StoredEvent & ResourceEvent): boolean {
  if (event.resourceType !== 'fetch' && event.resourceType !== 'xhr') return false;
  const key = callKey(event.loadId, event.resourceType, event.url);
  const left = calls.get(key) ?? 0;
  if (left === 0) return false;
  calls.set(key, left - 1);
  return true;
}

export interface HarOptions {
  /** Rumscope's version, for `creator`. */
  version?: string;
}

/** The session's views as HAR pages and its API calls and resources as entries, in time order. */
export function toHar(session: SessionRecord, events: readonly StoredEvent[], options: HarOptions = {}): Har {
  const sorted = [...events].sort((a, b) => a.time - b.time);
  const views = sorted.filter((e): e is StoredEvent & ViewEvent => e.type === 'view');
  const pageIds = new Set(views.map((v) => v.viewId));
  const pages: HarPage[] = views.map((v) => ({
    startedDateTime: iso(v.time),
    id: v.viewId,
    title: v.title || v.url,
    pageTimings: { onContentLoad: -1, onLoad: ms(v.loadingTime) },
  }));
  const entries: HarEntry[] = [];
  const calls = apiCallsByKey(sorted);
  for (const event of sorted) {
    const pageref = pageIds.has(event.viewId) ? event.viewId : undefined;
    if (event.type === 'api') entries.push(apiEntry(event, pageref));
    else if (event.type === 'resource' && !takeCall(calls, event)) entries.push(resourceEntry(event, pageref));
  }
  return {
    log: {
      version: '1.2',
      creator: { name: 'Rumscope', version: options.version ?? '' },
      ...(session.browser.name ? { browser: { name: session.browser.name, version: session.browser.version ?? '' } } : {}),
      pages,
      entries,
      comment: `Rumscope session ${session.id} on ${session.site}`,
    },
  };
}
