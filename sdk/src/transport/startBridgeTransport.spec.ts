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
});
