import { LIMITS, PAGE_SOURCE, PROTOCOL_VERSION, RELAY_SOURCE } from '../../schema';
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

  const send = (message: PageToRelay) => post(message, origin);

  // Events of one task leave together at the end of it (a microtask): a message posted later, on
  // pagehide, might never be delivered before the document goes away.
  const flush = guard(() => {
    scheduled = false;
    while (queue.length) {
      const events = queue.splice(0, LIMITS.maxEventsPerMessage);
      send({ source: PAGE_SOURCE, protocol: PROTOCOL_VERSION, kind: 'events', events });
    }
  });

  const unsubscribeEvent = lifeCycle.subscribe('event', (event) => {
    queue.push(event);
    if (queue.length >= LIMITS.maxEventsPerMessage) flush();
    else if (!scheduled) {
      scheduled = true;
      queueMicrotask(flush);
    }
  });
  const unsubscribeHide = lifeCycle.subscribe('pageHide', () => flush());

  const onMessage = guard((message: MessageEvent) => {
    if (message.source !== win) return;
    const data = message.data as RelayToPage | undefined;
    if (data?.source !== RELAY_SOURCE || data.protocol !== PROTOCOL_VERSION) return;
    if (data.kind === 'session') lifeCycle.notify('session', data.session);
  });
  win.addEventListener('message', onMessage);

  return {
    flush,
    requestReplay: () => send({ source: PAGE_SOURCE, protocol: PROTOCOL_VERSION, kind: 'control', command: 'startReplay' }),
    stop() {
      flush();
      unsubscribeEvent();
      unsubscribeHide();
      win.removeEventListener('message', onMessage);
      queue = [];
    },
  };
}
