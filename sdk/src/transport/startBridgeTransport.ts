import { LIMITS, PAGE_SOURCE, PAGE_UNLOAD_EVENT, PROTOCOL_VERSION, RELAY_SOURCE } from '../../schema';
import type { PageToRelay, RelayToPage, RumEvent } from '../../schema';
import type { LifeCycle } from '../lifeCycle';
import type { Guard } from '../tools/guard';

/**
 * Extension mode: events leave the page only through a synchronous window event to the extension's relay,
 * which numbers them and hands them to the background. No network, no page storage.
 */
export function startBridgeTransport(lifeCycle: LifeCycle, guard: Guard, win: Window = window) {
  let queue: RumEvent[] = [];
  let scheduled = false;

  /** From pagehide until the page is shown again (back/forward cache), events leave at once. */
  let leaving = false;
  /**
   * Every message is handed over synchronously, as a CustomEvent carrying its JSON (see PAGE_UNLOAD_EVENT): a
   * posted message waits in the task queue, and one still waiting when the document goes away is lost with it
   * (a click on a link, sent just before the navigation commits). Dispatch runs the relay's listener at once.
   */
  // Taken at document start, before the page's own scripts could replace them.
  const dispatch = win.dispatchEvent.bind(win);
  const Custom = (win as unknown as { CustomEvent: typeof CustomEvent }).CustomEvent;
  const stringify = JSON.stringify;
  const send = (message: PageToRelay) => {
    dispatch(new Custom(PAGE_UNLOAD_EVENT, { detail: stringify(message) }));
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
    handOver: () => flush(),
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
