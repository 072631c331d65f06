import type { RumEvent, SessionRecord, StoredEvent } from '../schema';
import { geoFromTimeZone } from './device/geoFromTimeZone';
import { parseDevice } from './device/parseDevice';
import { isActivity } from './sessionRules';
import { applyVital } from './applyVital';

export interface ApplyEventEnv {
  /**
   * The receiver's own IANA time zone, used when a context event names none (the extension's SDK leaves it
   * empty: the background's zone is the browser's). A server passes nothing: the zone then stays unknown.
   */
  fallbackTimeZone?: () => string | null;
}

/**
 * Folds one new event into its session's running totals (counts, times, overhead) and context.
 * Frames join the top page's session, but a frame's page view is not one of the session's page views and
 * a frame's context does not replace what the top page said about the user, the app or the device.
 */
export function applyEvent(session: SessionRecord, event: RumEvent | StoredEvent, env: ApplyEventEnv = {}): void {
  const fromFrame = 'frameId' in event && event.frameId > 0;
  session.counts.events++;
  session.lastEventAt = Math.max(session.lastEventAt, event.time);
  if (isActivity(event)) session.lastActivityAt = Math.max(session.lastActivityAt, event.time);
  switch (event.type) {
    case 'view':
      if (!fromFrame) session.counts.views++;
      break;
    case 'action':
      session.counts.actions++;
      break;
    case 'error':
      if (event.source !== 'internal') session.counts.errors++;
      break;
    case 'api':
      session.counts.apiCalls++;
      break;
    case 'resource':
      session.counts.resources++;
      break;
    case 'long_task':
      session.counts.longTasks++;
      break;
    case 'vital':
      applyVital(session, event);
      break;
    case 'telemetry':
      session.overheadMs += event.overheadMs;
      break;
    case 'context': {
      if (fromFrame && session.browser.name !== null) break;
      const device = parseDevice(event.device);
      session.browser = device.browser;
      session.os = device.os;
      session.deviceType = device.deviceType;
      session.screen = event.device.screen;
      session.viewport = event.device.viewport;
      session.connectionType = event.device.connectionType;
      session.effectiveType = event.device.effectiveType;
      session.language = event.device.language;
      session.timeZone = event.device.timeZone || env.fallbackTimeZone?.() || null;
      session.geo = geoFromTimeZone(session.timeZone);
      if (fromFrame) break;
      // A new page's first context has not heard of the user yet: keep what an earlier page set.
      const change = event.cause === 'change';
      if (change || event.user) session.user = event.user;
      if (change || Object.keys(event.global).length) session.global = event.global;
      if (change || event.app.service !== null || event.app.env !== null || event.app.version !== null) session.app = event.app;
      break;
    }
  }
}
