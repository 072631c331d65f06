import type { JsonValue, UserContext } from '../../schema';
import { createRumContexts } from '../domain/context/createRumContexts';
import { startRum, type RumHandle, type RumMode } from '../startRum';
import { validateAndBuildConfiguration, type RumInitConfiguration } from './configuration';

export const SDK_VERSION = '0.1.0';
/** Calls made before init() that wait for it (standalone). */
const MAX_PENDING_CALLS = 100;

/** Public methods never throw into the page. */
const safe =
  <A extends unknown[], R>(fn: (...args: A) => R) =>
  (...args: A): R | undefined => {
    try {
      return fn(...args);
    } catch {
      return undefined;
    }
  };

/**
 * The API, compatible with openobserveRum / DD_RUM for what Rumscope supports. In 'extension' mode RUM
 * starts at once (document_start) and init() only configures it; in 'standalone' mode init() starts it.
 * Initialising twice is ignored: one SDK, one session.
 */
export function makeRumPublicApi(kind: 'extension' | 'standalone', mode: (init: RumInitConfiguration) => RumMode) {
  const contexts = createRumContexts();
  const config = validateAndBuildConfiguration({});
  let initConfiguration: RumInitConfiguration | undefined;
  let rum: RumHandle | undefined;
  /** setTrackingConsent (or init's trackingConsent): 'not-granted' stops sending until 'granted'. */
  let consent = true;
  const pending: ((rum: RumHandle) => void)[] = [];
  const whenStarted = (call: (rum: RumHandle) => void) => {
    if (rum) call(rum);
    else if (pending.length < MAX_PENDING_CALLS) pending.push(call);
  };
  const start = (init: RumInitConfiguration) => {
    rum = startRum({ mode: mode(init), config, contexts, consented: () => consent });
    if (rum) pending.splice(0).forEach((call) => safe(call)(rum!));
  };
  if (kind === 'extension') start({});

  return {
    version: SDK_VERSION,
    init: safe((init: RumInitConfiguration) => {
      if (initConfiguration) {
        if (kind === 'standalone' && !init?.silentMultipleInit) console.warn('Rumscope is already initialized.');
        return;
      }
      initConfiguration = { ...init };
      if (initConfiguration.trackingConsent === 'not-granted') consent = false;
      Object.assign(config, validateAndBuildConfiguration(initConfiguration));
      contexts.setApp(initConfiguration);
      if (!rum) start(initConfiguration);
    }),
    getInitConfiguration: () => (initConfiguration ? { ...initConfiguration } : undefined),

    setUser: safe((user: UserContext) => contexts.setUser(user)),
    getUser: () => ({ ...contexts.user }),
    setUserProperty: safe((key: string, value: unknown) => contexts.setUserProperty(String(key), value)),
    removeUserProperty: safe((key: string) => contexts.removeUserProperty(String(key))),
    clearUser: safe(() => contexts.setUser(null)),

    setGlobalContext: safe((context: Record<string, unknown>) => contexts.setGlobal(context)),
    getGlobalContext: () => ({ ...contexts.global }),
    setGlobalContextProperty: safe((key: string, value: unknown) => contexts.setGlobalProperty(String(key), value)),
    removeGlobalContextProperty: safe((key: string) => contexts.removeGlobalProperty(String(key))),
    clearGlobalContext: safe(() => contexts.setGlobal({})),

    addAction: safe((name: string, context?: Record<string, JsonValue>) => whenStarted((r) => r.addAction(name, context))),
    addError: safe((error: unknown, context?: Record<string, JsonValue>) => whenStarted((r) => r.addError(error, context))),

    /** A manual view: ends the current view and starts one with this name; service / version set the app context. */
    startView: safe((options?: string | { name?: string; service?: string; version?: string }) => {
      const named = typeof options === 'object' && options !== null ? options : { name: options };
      if (named.service != null || named.version != null) contexts.setApp({ service: named.service, version: named.version });
      whenStarted((r) => r.startView(named.name == null ? undefined : String(named.name)));
    }),
    setViewName: safe((name: string) => whenStarted((r) => r.setViewName(String(name)))),
    /** A named moment of the current view: ms since the view started (or `time`), sent with its view_end. */
    addTiming: safe((name: string, time?: number) => {
      // The time of the call, not of a pre-init replay.
      const at = typeof time === 'number' ? time : Date.now();
      whenStarted((r) => r.addTiming(String(name), at));
    }),
    setTrackingConsent: safe((decision: 'granted' | 'not-granted') => {
      if (decision === 'granted' || decision === 'not-granted') consent = decision === 'granted';
    }),
    /** There is no replay (and no link to one) until the recorder exists. */
    getSessionReplayLink: (): string | undefined => undefined,

    /** { force: true } turns replay on for this session even if it was not sampled for replay. */
    startSessionReplayRecording: safe((options?: { force?: boolean }) => whenStarted((r) => r.startReplay(!!options?.force))),
    stopSessionReplayRecording: safe(() => whenStarted((r) => r.stopReplay())),
    stopSession: safe(() => rum?.stopSession()),
    getInternalContext: safe(() => rum?.getInternalContext()),

    /** Main-thread ms the SDK has spent in this page. */
    get overheadMs() {
      return rum?.overheadMs ?? 0;
    },
    /** Standalone: events kept in memory (until the HTTP transport exists), each with its session id. */
    getBufferedEvents: () => rum?.events() ?? [],
    /** Standalone: replay segments kept in memory (JSON of ReplaySegmentPayload, with their session id). */
    getBufferedReplaySegments: () => rum?.replaySegments() ?? [],
  };
}

export type RumPublicApi = ReturnType<typeof makeRumPublicApi>;
