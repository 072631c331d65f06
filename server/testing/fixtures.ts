/** Sessions and events as the extension exports them, for the server's tests. */
import { createHash } from 'node:crypto';
import { EXPORT_FORMAT, EXPORT_VERSION, SCHEMA_VERSION, type BundleAssetBody, type BundleAssetRef, type SessionBundleEntry, type SessionRecord, type StoredEvent, type UploadRequest } from '../../sdk/schema';

export function makeSession(id: string, startedAt: number, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id,
    site: 'http://127.0.0.1:5173',
    startedAt,
    lastEventAt: startedAt + 5000,
    lastActivityAt: startedAt + 4000,
    endedAt: startedAt + 5000 + 15 * 60 * 1000,
    endReason: 'inactivity',
    tz: 60,
    user: { id: 'u1', email: 'Tester@Example.com', name: 'Tess' },
    global: { plan: 'pro' },
    app: { service: 'shop', env: 'staging', version: '1.2.3' },
    browser: { name: 'Chrome', version: '156' },
    os: { name: 'Linux', version: null },
    deviceType: 'Desktop',
    screen: { width: 1920, height: 1080 },
    viewport: { width: 1280, height: 720 },
    connectionType: null,
    effectiveType: '4g',
    language: 'en-GB',
    timeZone: 'Europe/London',
    geo: { country: 'GB', city: null, region: null },
    counts: { events: 3, views: 1, actions: 1, errors: 1, apiCalls: 0, resources: 0, longTasks: 0 },
    sampled: true,
    replay: false,
    pinned: 0,
    overheadMs: 1.5,
    ...overrides,
  };
}

export function makeEvents(sessionId: string, loadId: string, startedAt: number, count = 3): StoredEvent[] {
  const stamp = (seq: number) => ({ sessionId, loadId, seq, tabId: 7, frameId: 0, schema: SCHEMA_VERSION, tz: 60, viewId: 'v1', time: startedAt + seq * 1000 });
  const events: StoredEvent[] = [];
  for (let seq = 0; seq < count; seq++) {
    if (seq === 0) {
      events.push({ ...stamp(seq), type: 'view', url: 'http://127.0.0.1:5173/', referrer: '', title: 'Shop', navigation: 'initial', loadingTime: 120 });
    } else if (seq % 2 === 1) {
      events.push({ ...stamp(seq), type: 'action', action: 'click', name: `Buy ${seq}`, selector: '#buy', x: 10, y: 20, rage: false, dead: false, errorClick: false });
    } else {
      events.push({ ...stamp(seq), type: 'error', source: 'uncaught', errorType: 'TypeError', message: `boom ${seq}`, stack: null, frames: [] });
    }
  }
  return events;
}

export function makeUpload(sessions: SessionBundleEntry[], batchId?: string): UploadRequest {
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    schema: SCHEMA_VERSION,
    exportedAt: Date.now(),
    source: { name: 'rumscope-extension', version: '0.1.0' },
    sessions,
    ...(batchId ? { batchId } : {}),
  };
}

/** One session of `count` events on one load, as an upload. */
export function oneSessionUpload(id: string, startedAt: number, count = 3, batchId?: string): UploadRequest {
  return makeUpload([{ session: makeSession(id, startedAt, { counts: { events: count, views: 1, actions: 0, errors: 0, apiCalls: 0, resources: 0, longTasks: 0 } }), events: makeEvents(id, `load-${id}`, startedAt, count) }], batchId);
}

/** A kept replay asset as a bundle carries it: its body (base64, keyed by sha-256) and a session's reference to it. */
export function makeAssetBody(data: Uint8Array | string, contentType: string): BundleAssetBody {
  const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
  return { hash: createHash('sha256').update(bytes).digest('hex'), contentType, data: bytes.toString('base64') };
}

export function keptAssetRef(url: string, kind: BundleAssetRef['kind'], body: BundleAssetBody, at = 1_700_000_000_000): BundleAssetRef {
  return { url, kind, hash: body.hash, bytes: Buffer.from(body.data, 'base64').byteLength, at };
}

export function skippedAssetRef(url: string, reason: NonNullable<BundleAssetRef['reason']>, detail?: string, at = 1_700_000_000_000): BundleAssetRef {
  return { url, kind: 'image', hash: null, reason, ...(detail !== undefined && { detail }), bytes: 0, at };
}
