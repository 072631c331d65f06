import type { BeforeSend } from '../domain/assembly/startRumEventAssembly';
import type { PrivacyLevel } from '../domain/privacy/getPrivacyLevel';
import type { Transport } from '../transport/startMemoryTransport';

/**
 * openobserveRum.init() options. Standalone, events and replay segments go to a Rumscope team server when
 * `clientToken` (an upload token) and `site` (host[:port], https unless `insecureHTTP`, as OpenObserve's SDK
 * takes them) or `intakeUrl` (the server's full URL) are given. The peers' other options (applicationId,
 * organizationIdentifier, apiVersion...) are accepted and ignored.
 */
export interface RumInitConfiguration {
  applicationId?: string;
  /** An upload token of the team server (it can only upload). */
  clientToken?: string;
  /** The team server's host[:port] (OpenObserve style): https://<site>, or http:// with insecureHTTP. */
  site?: string;
  insecureHTTP?: boolean;
  /** Rumscope: the team server's URL (e.g. https://rum.example.com), instead of site / insecureHTTP. */
  intakeUrl?: string;
  service?: string;
  env?: string;
  version?: string;
  /** Percentage of sessions tracked (standalone; in the extension the extension's settings decide). Default 100. */
  sessionSampleRate?: number;
  /** Percentage of tracked sessions recorded for replay. Default 0 here (openobserve's default is 100). */
  sessionReplaySampleRate?: number;
  /** Default 'mask-user-input'. Input values are never captured at any level. */
  defaultPrivacyLevel?: Exclude<PrivacyLevel, 'hidden'>;
  /** May edit an event in place or return false to drop it (views cannot be dropped). */
  beforeSend?: BeforeSend;
  trackUserInteractions?: boolean;
  trackResources?: boolean;
  trackLongTasks?: boolean;
  silentMultipleInit?: boolean;
  /** 'not-granted': nothing is sent until setTrackingConsent('granted'). Default 'granted'. */
  trackingConsent?: 'granted' | 'not-granted';
  /** Standalone only: receives each batch of events (the server issue brings an HTTP transport). */
  transport?: Transport;
  /** Standalone only: receives each replay segment (when the session is recorded). */
  replayTransport?: (batch: { sessionId: string; segment: string }) => void;
  [option: string]: unknown;
}

export interface RumConfiguration {
  sessionSampleRate: number;
  sessionReplaySampleRate: number;
  defaultPrivacyLevel: PrivacyLevel;
  beforeSend: BeforeSend | undefined;
  trackUserInteractions: boolean;
  trackResources: boolean;
  trackLongTasks: boolean;
}

const percent = (value: unknown, fallback: number) =>
  typeof value === 'number' && value >= 0 && value <= 100 ? value : fallback;

export function validateAndBuildConfiguration(init: RumInitConfiguration): RumConfiguration {
  return {
    sessionSampleRate: percent(init.sessionSampleRate, 100),
    sessionReplaySampleRate: percent(init.sessionReplaySampleRate, 0),
    defaultPrivacyLevel: init.defaultPrivacyLevel === 'allow' || init.defaultPrivacyLevel === 'mask' ? init.defaultPrivacyLevel : 'mask-user-input',
    beforeSend: typeof init.beforeSend === 'function' ? init.beforeSend : undefined,
    trackUserInteractions: init.trackUserInteractions !== false,
    trackResources: init.trackResources !== false,
    trackLongTasks: init.trackLongTasks !== false,
  };
}

/** The team server's base URL from init()'s options, or null when the HTTP transport is off (or misconfigured). */
export function intakeBaseUrl(init: RumInitConfiguration): string | null {
  if (typeof init.clientToken !== 'string' || !init.clientToken) return null;
  const raw = typeof init.intakeUrl === 'string' && init.intakeUrl
    ? init.intakeUrl
    : typeof init.site === 'string' && init.site
      ? /^https?:\/\//i.test(init.site) ? init.site : `${init.insecureHTTP === true ? 'http' : 'https'}://${init.site}`
      : null;
  if (!raw) return null;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return null;
  }
}
