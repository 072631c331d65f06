/**
 * The SDK for apps (ES module): `import { openobserveRum } from 'rumscope'` or window.rumscope /
 * window.openobserveRum where those names are free (the extension may have defined window.rumscope).
 * Session state lives in localStorage ('rumscope_session'); events stay in memory and go to the
 * `transport` hook given to init() until the HTTP transport exists.
 */
import { makeRumPublicApi, type RumPublicApi } from './boot/makeRumPublicApi';
import { startSessionStore } from './domain/session/startSessionStore';
import { startMemoryTransport } from './transport/startMemoryTransport';
import { startStandaloneReplay, type ReplayTransport } from './replay/startStandaloneReplay';

export const rumscope: RumPublicApi = makeRumPublicApi('standalone', (init) => ({
  startSession: (lifeCycle, guard, config) =>
    startSessionStore(lifeCycle, guard, { sampleRate: config.sessionSampleRate, replaySampleRate: config.sessionReplaySampleRate }),
  timeZoneInPage: true,
  startTransport: (lifeCycle, guard, session) =>
    startMemoryTransport(lifeCycle, guard, () => session?.current()?.id, typeof init.transport === 'function' ? init.transport : undefined),
  startReplay: (session, config, viewId) =>
    startStandaloneReplay({
      session,
      viewId,
      privacyLevel: () => (config.defaultPrivacyLevel === 'hidden' ? 'mask' : config.defaultPrivacyLevel),
      transport: typeof init.replayTransport === 'function' ? (init.replayTransport as ReplayTransport) : undefined,
    }),
}));
export const openobserveRum = rumscope;
export default rumscope;

export type { RumPublicApi } from './boot/makeRumPublicApi';
export type { RumInitConfiguration } from './boot/configuration';
export type { TransportBatch, Transport } from './transport/startMemoryTransport';
export type { ReplaySegmentBatch, ReplayTransport } from './replay/startStandaloneReplay';
export type { BeforeSend } from './domain/assembly/startRumEventAssembly';
export type { PrivacyLevel } from './domain/privacy/getPrivacyLevel';
export type * from '../schema/events';

if (typeof window !== 'undefined') {
  const globals = window as unknown as Record<string, unknown>;
  for (const name of ['rumscope', 'openobserveRum']) if (!(name in globals)) globals[name] = rumscope;
}
