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
  const pending: ((rum: RumHandle) => void)[] = [];
  const whenStarted = (call: (rum: RumHandle) => void) => {
    if (rum) call(rum);
    else if (pending.length < MAX_PENDING_CALLS) pending.push(call);
  };
  const start = (init: RumInitConfiguration) => {
    rum = startRum({ mode: mode(init), config, contexts });
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

    /** { force: true } turns replay on for this session even if it was not sampled for replay. */
    startSessionReplayRecording: safe((options?: { force?: boolean }) => whenStarted((r) => r.startReplay(!!options?.force))),
    stopSessionReplayRecording: () => {},
    stopSession: safe(() => rum?.stopSession()),
    getInternalContext: safe(() => rum?.getInternalContext()),

    /** Main-thread ms the SDK has spent in this page. */
    get overheadMs() {
      return rum?.overheadMs ?? 0;
    },
    /** Standalone: events kept in memory (until the HTTP transport exists), each with its session id. */
    getBufferedEvents: () => rum?.events() ?? [],
  };
}

export type RumPublicApi = ReturnType<typeof makeRumPublicApi>;
