/**
 * The SDK for apps (ES module): `import { openobserveRum } from 'rumscope'` or window.rumscope /
 * window.openobserveRum where those names are free (the extension may have defined window.rumscope).
 * Session state lives in localStorage ('rumscope_session'). Events and replay segments go to the team server
 * (init's clientToken with site or intakeUrl: startHttpTransport), to the app's `transport` / `replayTransport`
 * hooks if given, and a bounded copy stays in memory (getBufferedEvents).
 */
import { makeRumPublicApi, type RumPublicApi } from './boot/makeRumPublicApi';
import { startSessionStore } from './domain/session/startSessionStore';
import { startMemoryTransport } from './transport/startMemoryTransport';
import { startStandaloneReplay, type ReplaySegmentBatch, type ReplayTransport } from './replay/startStandaloneReplay';
import { intakeBaseUrl } from './boot/configuration';
import { startHttpTransport, type HttpTransport } from './transport/startHttpTransport';
import { redactUrl } from './tools/redactUrl';

export const rumscope: RumPublicApi = makeRumPublicApi('standalone', (init) => {
  let http: HttpTransport | undefined;
  const appReplayHook = typeof init.replayTransport === 'function' ? (init.replayTransport as ReplayTransport) : undefined;
  return {
    startSession: (lifeCycle, guard, config) =>
      startSessionStore(lifeCycle, guard, { sampleRate: config.sessionSampleRate, replaySampleRate: config.sessionReplaySampleRate }),
    timeZoneInPage: true,
    startTransport: (lifeCycle, guard, session) => {
      const sessionId = () => session?.current()?.id;
      const memory = startMemoryTransport(lifeCycle, guard, sessionId, typeof init.transport === 'function' ? init.transport : undefined);
      const baseUrl = intakeBaseUrl(init);
      if (!baseUrl) return memory;
      http = startHttpTransport(lifeCycle, guard, { baseUrl, token: init.clientToken as string, sessionId, visitorId: () => session?.visitorId(), pageUrl: () => redactUrl(location.href) });
      const sender = http;
      return {
        leave: (persisted) => {
          memory.leave();
          sender.leave(persisted);
        },
        handOver: () => sender.handOver(),
        events: memory.events,
        dropped: () => memory.dropped() + sender.dropped(),
        stop: () => {
          memory.stop();
          sender.stop();
        },
      };
    },
    startReplay: (session, config, viewId) =>
      startStandaloneReplay({
        session,
        viewId,
        privacyLevel: () => (config.defaultPrivacyLevel === 'hidden' ? 'mask' : config.defaultPrivacyLevel),
        transport:
          http || appReplayHook
            ? (batch: ReplaySegmentBatch) => {
                http?.sendSegment(batch.sessionId, batch.segment);
                appReplayHook?.(batch);
              }
            : undefined,
      }),
  };
});
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
