/** Test data for specs of the panel, its sources and storage. Test-only: never imported by product code. */
import { SCHEMA_VERSION } from '../../../sdk/schema';
import type { RumEvent, SessionRecord, StoredEvent } from '../../../sdk/schema';
import type { LoadRecord } from '../../../sdk/model/repository';

export function makeSession(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: 's1',
    site: 'http://127.0.0.1:5173',
    startedAt: Date.UTC(2025, 11, 5, 12, 12, 20),
    lastEventAt: Date.UTC(2025, 11, 5, 12, 17, 31),
    lastActivityAt: Date.UTC(2025, 11, 5, 12, 17, 31),
    endedAt: null,
    endReason: null,
    tz: 330,
    user: null,
    global: {},
    app: { service: 'demo', env: 'dev', version: '1.0.0' },
    browser: { name: 'Chrome', version: '131.0' },
    os: { name: 'Mac OS X', version: '14.5' },
    deviceType: 'Desktop',
    screen: { width: 1920, height: 1080 },
    viewport: { width: 1280, height: 800 },
    connectionType: null,
    effectiveType: '4g',
    language: 'en-IN',
    timeZone: 'Asia/Kolkata',
    geo: { country: 'India', city: null, region: null },
    counts: { events: 0, views: 0, actions: 0, errors: 0, apiCalls: 0, resources: 0, longTasks: 0 },
    sampled: true,
    replay: false,
    pinned: 0,
    overheadMs: 0,
    ...overrides,
  };
}

let seq = 0;

/** Wraps a page event as the background stores it. */
export function stored(event: RumEvent, sessionId = 's1', loadId = 'load-1'): StoredEvent {
  return { ...event, sessionId, loadId, seq: seq++, tabId: 7, frameId: 0, schema: SCHEMA_VERSION };
}

export function makeLoad(overrides: Partial<LoadRecord> = {}): LoadRecord {
  return {
    id: 'load-1',
    tabId: 7,
    frameId: 0,
    site: 'http://127.0.0.1:5173',
    sessionId: 's1',
    url: 'http://127.0.0.1:5173/',
    startedAt: Date.UTC(2025, 11, 5, 12, 12, 20),
    nextSeq: 0,
    ...overrides,
  };
}

export const base = (time: number) => ({ time, tz: 330, viewId: 'v1' });
