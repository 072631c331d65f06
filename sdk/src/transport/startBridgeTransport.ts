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
  let queue: RumEvent[] = [];
  let scheduled = false;

  /** From pagehide until the page is shown again (back/forward cache), events leave synchronously. */
  let leaving = false;
  // Taken at document start, before the page's own scripts could replace them.
  const post = win.postMessage.bind(win);
  const origin = win.location.origin === 'null' ? '*' : win.location.origin;
  const stringify = JSON.stringify;
  // The window's own (its realm's) dispatchEvent and CustomEvent, as they were at document start.
  const dispatch = (nativeDispatch && typeof EventTarget !== 'undefined' && win instanceof EventTarget ? nativeDispatch : win.dispatchEvent).bind(win);
  const Custom = (win as unknown as { CustomEvent?: typeof CustomEvent }).CustomEvent ?? NativeCustomEvent;
  /**
   * The synchronous path (see PAGE_UNLOAD_EVENT): dispatch runs the relay's listener at once. The relay refuses a
   * longer message whole: large events (API calls with their bodies) go in smaller messages.
   */
  const dispatchNow = (message: PageToRelay): void => {
    const json = stringify(message);
    if (json.length > LIMITS.maxMessageChars && message.kind === 'events' && message.events.length > 1) {
      const half = Math.ceil(message.events.length / 2);
      dispatchNow({ ...message, events: message.events.slice(0, half) });
      dispatchNow({ ...message, events: message.events.slice(half) });
      return;
    }
    dispatch(new Custom(PAGE_UNLOAD_EVENT, { detail: json }));
  };
  /**
   * Posted messages not delivered yet: the SDK sees its own messages arrive on window, in order, in the same
   * dispatch as the relay. One still queued when the document is unloaded would be lost with it (a click on a
   * link, sent just before the navigation commits), and one queued when the page enters the back/forward cache
   * runs only if the page is shown again: at pagehide those are handed over synchronously instead.
   */
  let inFlight: PageToRelay[] = [];
  const MAX_IN_FLIGHT = 1000;
  // Names this transport's posted messages: handed over again at pagehide, a copy the relay already took is known.
  const stream = Math.random().toString(36).slice(2, 10);
  let posted = 0;
  const send = (message: PageToRelay) => {
    if (leaving) return dispatchNow(message);
    if (message.kind !== 'replay') message.id = `${stream}:${++posted}`;
    if (inFlight.push(message) > MAX_IN_FLIGHT) inFlight.shift();
    post(message, origin);
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
    const data = message.data as RelayToPage | PageToRelay | undefined;
    if (data?.source === PAGE_SOURCE) {
      // Ours, delivered: it and any posted before it (a copy handed over at pagehide arrives after a restore).
      const id = (data as { id?: unknown }).id;
      const delivered = inFlight.findIndex((sent) => sent.kind !== 'replay' && sent.id === id);
      if (delivered >= 0) inFlight.splice(0, delivered + 1);
      return;
    }
    if (data?.source !== RELAY_SOURCE || data.protocol !== PROTOCOL_VERSION) return;
    if (data.kind === 'session') lifeCycle.notify('session', data.session);
  });
  listen(win, 'message', onMessage);
  const onPageShow = () => (leaving = false);
  listen(win, 'pageshow', onPageShow);

  return {
    flush,
    /** pagehide, after every collector has had its say: send what is queued, and from now on at once. */
    leave(_persisted = false) {
      leaving = true;
      // Posted and not delivered yet: unloaded, their tasks never run; kept in the back/forward cache, they run
      // only if the page is shown again, which may never happen. Hand them over now either way (a copy delivered
      // after a restore carries an id the relay already took, and is dropped there).
      const undelivered = inFlight;
      inFlight = [];
      undelivered.forEach(dispatchNow);
      flush();
    },
    /** Hidden or frozen: what is queued leaves synchronously (posted messages still arrive while the document lives). */
    handOver() {
      if (leaving || !queue.length) return flush();
      const events = queue.splice(0, queue.length);
      scheduled = false;
      for (let i = 0; i < events.length; i += LIMITS.maxEventsPerMessage) {
        dispatchNow({ source: PAGE_SOURCE, protocol: PROTOCOL_VERSION, kind: 'events', events: events.slice(i, i + LIMITS.maxEventsPerMessage) });
      }
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
