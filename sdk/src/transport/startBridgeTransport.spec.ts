// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { LIMITS, PAGE_UNLOAD_EVENT, type RumEvent } from '../../schema';
import { createLifeCycle } from '../lifeCycle';
import { createGuard } from '../tools/guard';
import { startBridgeTransport } from './startBridgeTransport';

describe('startBridgeTransport while leaving', () => {
  it('hands over large events in messages the relay accepts (none over maxMessageChars), all of them, in order', () => {
    const lifeCycle = createLifeCycle((error) => {
      throw error;
    });
    const transport = startBridgeTransport(lifeCycle, createGuard(() => {}));
    const received: string[] = [];
    const listener = (event: Event) => received.push((event as CustomEvent<string>).detail);
    window.addEventListener(PAGE_UNLOAD_EVENT, listener);
    const big = (i: number) => ({ type: 'console', time: i, tz: 0, viewId: 'v', level: 'log', message: String(i) + 'x'.repeat(90 * 1024), args: [], count: 1 }) as RumEvent;
    // Queued before leaving in one task, then flushed together.
    for (let i = 0; i < 5; i++) lifeCycle.notify('event', big(i));
    transport.leave();
    window.removeEventListener(PAGE_UNLOAD_EVENT, listener);
    transport.stop();
    expect(received.length).toBeGreaterThan(1);
    expect(received.every((json) => json.length <= LIMITS.maxMessageChars)).toBe(true);
    const times = received.flatMap((json) => (JSON.parse(json) as { events: RumEvent[] }).events.map((e) => e.time));
    expect(times).toEqual([0, 1, 2, 3, 4]);
  });

  it('hands over at a pagehide into the back/forward cache what it posted and has not seen delivered, under the id its posted copy carries', async () => {
    const lifeCycle = createLifeCycle((error) => {
      throw error;
    });
    const transport = startBridgeTransport(lifeCycle, createGuard(() => {}));
    const handedOver: { id?: string; events: RumEvent[] }[] = [];
    const posted: { id?: string; events: RumEvent[] }[] = [];
    const onUnload = (event: Event) => handedOver.push(JSON.parse((event as CustomEvent<string>).detail));
    const onPosted = (event: MessageEvent) => posted.push(event.data);
    window.addEventListener(PAGE_UNLOAD_EVENT, onUnload);
    window.addEventListener('message', onPosted);
    const view = { type: 'view', time: 1, tz: 0, viewId: 'v', url: 'https://a.test/', referrer: '', navigation: 'initial', loadingTime: 5 } as RumEvent;
    lifeCycle.notify('event', view);
    await Promise.resolve(); // the microtask that posts it
    transport.leave(true); // before the posted message was delivered
    await new Promise((ok) => setTimeout(ok, 20)); // the posted copy arrives (as it would after a restore)
    window.removeEventListener(PAGE_UNLOAD_EVENT, onUnload);
    window.removeEventListener('message', onPosted);
    transport.stop();
    expect(handedOver.map((m) => m.events.map((e) => e.type))).toEqual([['view']]);
    expect(posted.map((m) => m.events.map((e) => e.type))).toEqual([['view']]);
    expect(handedOver[0]!.id).toMatch(/^\w+:1$/);
    expect(posted[0]!.id).toBe(handedOver[0]!.id);
  });
});
