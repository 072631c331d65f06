import { LIMITS, PAGE_SOURCE, PAGE_UNLOAD_EVENT, PROTOCOL_VERSION, RELAY_SOURCE } from '../../schema';
import type { PageToRelay, RelayToPage, RumEvent } from '../../schema';
import type { LifeCycle } from '../lifeCycle';
import type { Guard } from '../tools/guard';

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
  /** While handing over (hidden, frozen): the same synchronous path for what is queued, once. */
  let handingOver = false;
  const send = (message: PageToRelay) => {
    if (!leaving && !handingOver) return post(message, origin);
    // A posted message would be delivered after the document is gone: the relay takes the same message
    // synchronously as a CustomEvent carrying its JSON (see PAGE_UNLOAD_EVENT) and forwards it at once.
    win.dispatchEvent(new CustomEvent(PAGE_UNLOAD_EVENT, { detail: JSON.stringify(message) }));
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
  win.addEventListener('message', onMessage);
  const onPageShow = () => (leaving = false);
  win.addEventListener('pageshow', onPageShow);

  return {
    flush,
    /** pagehide, after every collector has had its say: send what is queued, and from now on at once. */
    leave() {
      leaving = true;
      flush();
    },
    handOver() {
      handingOver = true;
      try {
        flush();
      } finally {
        handingOver = false;
      }
    },
    requestReplay: () => send({ source: PAGE_SOURCE, protocol: PROTOCOL_VERSION, kind: 'control', command: 'startReplay' }),
    stop() {
      flush();
      unsubscribeEvent();
      win.removeEventListener('message', onMessage);
      win.removeEventListener('pageshow', onPageShow);
      queue = [];
    },
  };
}
