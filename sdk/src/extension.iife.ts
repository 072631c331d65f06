/**
 * The capture script the extension runs in the page's MAIN world at document_start.
 * It defines only window.rumscope (never openobserveRum or DD_RUM), writes no cookie or storage,
 * and sends events only through the extension's relay.
 */
import { startRum } from './startRum';
import { startBridgeTransport } from './transport/startBridgeTransport';

declare global {
  interface Window {
    rumscope?: ReturnType<typeof startRum>;
  }
}

(() => {
  if (window.rumscope) return; // initialised twice (e.g. an extension reload): keep the first.
  try {
    const rum = startRum({}, (lifeCycle, guard) => startBridgeTransport(lifeCycle, guard));
    Object.defineProperty(window, 'rumscope', { value: rum, configurable: false, enumerable: false, writable: false });
  } catch {
    // Never break the page.
  }
})();
