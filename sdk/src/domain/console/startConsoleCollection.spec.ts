// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConsoleEvent, RumEvent } from '../../../schema';
import { createLifeCycle } from '../../lifeCycle';
import { createGuard } from '../../tools/guard';
import { CONSOLE_BURST, CONSOLE_GROUP_MS, startConsoleCollection } from './startConsoleCollection';

describe('startConsoleCollection', () => {
  let events: RumEvent[];
  let consoleErrors: unknown[][];
  let stop: () => void;
  let dropped: () => number;
  let pageCalls: [string, unknown[]][];
  const originals = { ...console };

  beforeEach(() => {
    vi.useFakeTimers();
    pageCalls = [];
    // The "page's" console, which the SDK wraps: records what reached it.
    for (const level of ['log', 'info', 'warn', 'error', 'debug', 'assert', 'trace', 'table'] as const) {
      (console as unknown as Record<string, unknown>)[level] = (...args: unknown[]) => {
        pageCalls.push([level, args]);
        return undefined;
      };
    }
    events = [];
    consoleErrors = [];
    const lifeCycle = createLifeCycle((error) => {
      throw error;
    });
    lifeCycle.subscribe('rawEvent', (event) => events.push(event));
    const collection = startConsoleCollection(lifeCycle, createGuard(() => {}), { viewId: 'v1' } as never, (args) => consoleErrors.push(args));
    stop = collection.stop;
    dropped = collection.dropped;
  });
  afterEach(() => {
    stop();
    Object.assign(console, originals);
    vi.useRealTimers();
  });
  const consoleEvents = () => events.filter((e): e is ConsoleEvent => e.type === 'console');

  it('records each level with its serialized arguments; the page console gets the very same call', () => {
    const args = [{ a: 1 }, 'two'];
    console.log('log', ...args);
    console.info('info');
    console.warn('warn');
    console.debug('debug');
    console.table([{ x: 1 }]);
    console.trace('here');
    console.assert(1 + 1 === 2, 'not recorded');
    console.assert(false, 'recorded');
    vi.advanceTimersByTime(CONSOLE_GROUP_MS);
    expect(consoleEvents().map((e) => [e.level, e.message])).toEqual([
      ['log', 'log {"a":1} two'],
      ['info', 'info'],
      ['warn', 'warn'],
      ['debug', 'debug'],
      ['table', '[{"x":1}]'],
      ['trace', 'here'],
      ['assert', 'Assertion failed: recorded'],
    ]);
    expect(consoleEvents().find((e) => e.level === 'trace')!.stack).toBeTruthy();
    expect(pageCalls.map(([level]) => level)).toEqual(['log', 'info', 'warn', 'debug', 'table', 'trace', 'assert', 'assert']);
    expect(pageCalls[0]![1][1]).toBe(args[0]); // same references for the page
  });

  it('console.error goes to the error collector only (one error, no console event)', () => {
    console.error('boom', new Error('x'));
    vi.advanceTimersByTime(CONSOLE_GROUP_MS);
    expect(consoleErrors).toHaveLength(1);
    expect(consoleEvents()).toHaveLength(0);
    expect(pageCalls).toHaveLength(1);
  });

  it('groups identical consecutive calls into one event with a count', () => {
    for (let i = 0; i < 50; i++) console.log('polling', { n: 1 });
    console.log('other');
    console.log('polling', { n: 1 });
    vi.advanceTimersByTime(CONSOLE_GROUP_MS);
    expect(consoleEvents().map((e) => [e.message, e.count])).toEqual([
      ['polling {"n":1}', 50],
      ['other', 1],
      ['polling {"n":1}', 1],
    ]);
  });

  it('caps the rate and counts the drops', () => {
    for (let i = 0; i < CONSOLE_BURST + 100; i++) console.log(`line ${i}`);
    vi.advanceTimersByTime(CONSOLE_GROUP_MS);
    expect(consoleEvents().length).toBeLessThanOrEqual(CONSOLE_BURST + 1);
    expect(dropped()).toBeGreaterThanOrEqual(99);
    expect(pageCalls).toHaveLength(CONSOLE_BURST + 100);
  });

  it('never throws into the page, whatever is logged', () => {
    const hostile = new Proxy({}, { get: () => { throw new Error('trap'); }, ownKeys: () => { throw new Error('trap'); }, getPrototypeOf: () => { throw new Error('trap'); } });
    expect(() => console.log(hostile, { get bad(): never { throw new Error('getter'); } })).not.toThrow();
    expect(() => console.error(hostile)).not.toThrow();
    vi.advanceTimersByTime(CONSOLE_GROUP_MS);
    expect(consoleEvents()[0]!.args).toEqual(['[Unserializable]', { bad: '[Getter]' }]);
  });

  it('stop() gives the page its console back', () => {
    stop();
    stop = () => {};
    console.log('after');
    vi.advanceTimersByTime(CONSOLE_GROUP_MS);
    expect(consoleEvents()).toHaveLength(0);
    expect(pageCalls).toHaveLength(1);
  });
});
