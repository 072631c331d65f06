/**
 * The capture script the extension runs in the page's MAIN world at document_start.
 * It defines only window.rumscope (never openobserveRum or DD_RUM), writes no cookie or storage,
 * and sends events only through the extension's relay; the background owns the session.
 */
import { makeRumPublicApi, type RumPublicApi } from './boot/makeRumPublicApi';
import { startActivityEvents } from './domain/session/trackUserActivity';
import { startBridgeTransport } from './transport/startBridgeTransport';
import { watchPeerUser } from './domain/context/watchPeerUser';
import { RECORDER_GLOBAL } from '../schema/bridge';

/** recorder.js, when the background injected it (recorded sessions only); see sdk/src/replay/recorder.iife.ts. */
const recorder = () => (window as unknown as Record<string, { start(): void; stop(): void } | undefined>)[RECORDER_GLOBAL];

declare global {
  interface Window {
    rumscope?: RumPublicApi;
  }
}

(() => {
  if (window.rumscope) return; // initialised twice (e.g. an extension reload, or injected into an open tab too): keep the first.
  // Registered content scripts run at document_start; a later start is the background injecting it into a tab
  // that was open before (its site just allowed, the extension just installed): the page is recorded from now.
  const recordingSince = document.readyState === 'loading' ? undefined : Date.now();
  try {
    const rum = makeRumPublicApi('extension', () => ({
      startTransport: (lifeCycle, guard) => startBridgeTransport(lifeCycle, guard),
      startActivityEvents,
      recordingSince,
      replay: {
        start: () => {
          const found = recorder();
          found?.start();
          return !!found;
        },
        stop: () => recorder()?.stop(),
      },
    }));
    Object.defineProperty(window, 'rumscope', { value: rum, configurable: false, enumerable: false, writable: false });
    watchPeerUser(rum); // a user set in the page's own Datadog / OpenObserve SDK becomes the session's user
  } catch {
    // Never break the page.
  }
})();
