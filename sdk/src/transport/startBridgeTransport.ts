import { LIMITS, PAGE_SOURCE, PAGE_UNLOAD_EVENT, PROTOCOL_VERSION, RELAY_SOURCE } from '../../schema';
import type { PageToRelay, RelayToPage, RumEvent } from '../../schema';
import type { LifeCycle } from '../lifeCycle';
import type { Guard } from '../tools/guard';
import { listen, queueMicrotask, unlisten } from '../tools/safeGlobals';

// As the browser made them, taken at document_start (a page may replace them later).
const NativeCustomEvent = globalThis.CustomEvent;
const nativeDispatch = typeof EventTarget !== 'undefined' ? EventTarget.prototype.dispatchEvent : undefined;

/**
 * Extension mode: events leave the page only through window.postMessage to the extension's relay,
 * which numbers them and hands them to the background. No network, no page storage.
 */
export function startBridgeTransport(lifeCycle: LifeCycle, guard: Guard, win: Window = window) {
  const post = win.postMessage.bind(win);
  const origin = win.location.origin === 'null' ? '*' : win.location.origin;
  let queue: RumEvent[] = [];
  let scheduled = false;

  /** From pagehide until the page is shown again (back/forward cache), events leave synchronously. */
  let leaving = false;
  const send = (message: PageToRelay): void => {
    if (!leaving) return post(message, origin);
    // A posted message would be delivered after the document is gone: the relay takes the same message
    // synchronously as a CustomEvent carrying its JSON (see PAGE_UNLOAD_EVENT) and forwards it at once.
    const json = JSON.stringify(message);
    // The relay refuses a longer one whole: large events (API calls with their bodies) go in smaller messages.
    if (json.length > LIMITS.maxMessageChars && message.kind === 'events' && message.events.length > 1) {
      const half = Math.ceil(message.events.length / 2);
      send({ ...message, events: message.events.slice(0, half) });
      send({ ...message, events: message.events.slice(half) });
      return;
    }
    nativeDispatch?.call(win, new NativeCustomEvent(PAGE_UNLOAD_EVENT, { detail: json }));
  };

  // Events of one task leave together at the end of it (a microtask); when leaving, at once.
  const flush = guard(() => {
    scheduled = false;
    while (queue.length) {
      const events = queue.splice(0, LIMITS.maxEventsPerMessage);
      send({ source: PAGE_SOURCE, protocol: PROTOCOL_VERSION, kind: 'events', events });
    }
  });

  const unsubscribeEvent = lifeCycle.subscribe('event', (event) => {
    queue.push(event);
    if (leaving || queue.length >= LIMITS.maxEventsPerMessage) flush();
    else if (!scheduled) {
      scheduled = true;
      queueMicrotask(flush);
    }
  });

  const onMessage = guard((message: MessageEvent) => {
    if (message.source !== win) return;
    const data = message.data as RelayToPage | undefined;
    if (data?.source !== RELAY_SOURCE || data.protocol !== PROTOCOL_VERSION) return;
    if (data.kind === 'session') lifeCycle.notify('session', data.session);
  });
  listen(win, 'message', onMessage);
  const onPageShow = () => (leaving = false);
  listen(win, 'pageshow', onPageShow);

  return {
    flush,
    /** pagehide, after every collector has had its say: send what is queued, and from now on at once. */
    leave() {
      leaving = true;
      flush();
    },
    requestReplay: guard(() => send({ source: PAGE_SOURCE, protocol: PROTOCOL_VERSION, kind: 'control', command: 'startReplay' })),
    stop() {
      flush();
      unsubscribeEvent();
      unlisten(win, 'message', onMessage);
      unlisten(win, 'pageshow', onPageShow);
      queue = [];
    },
  };
}
