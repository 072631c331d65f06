// @vitest-environment jsdom
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createFrameGate, FRAME_SNAPSHOT_REQUEST, listenForSnapshotRequests } from './frameGate';

const FRAME = 'http://localhost:5173';

/** An rrweb IframeManager as the gate sees it: its map of frame windows to iframe elements. */
function setup(attributes: Record<string, string> = {}, wrapper: Record<string, string> = {}) {
  const box = document.createElement('div');
  for (const [name, value] of Object.entries(wrapper)) box.setAttribute(name, value);
  const iframe = document.createElement('iframe');
  for (const [name, value] of Object.entries(attributes)) iframe.setAttribute(name, value);
  box.append(iframe);
  document.body.append(box);
  const source = {}; // the frame's window (a WindowProxy in a browser)
  const manager = { crossOriginIframeMap: new WeakMap<object, Element>([[source, iframe]]) };
  const message = (data: unknown, origin = FRAME, from: object | null = source) => ({ data, origin, source: from }) as unknown as MessageEvent;
  const record = (origin = FRAME) => ({ type: 'rrweb', origin, event: { type: 2, timestamp: 1, data: {} } });
  return { manager, message, record };
}

afterEach(() => {
  document.body.replaceChildren();
  vi.useRealTimers();
});

describe('the frame gate in front of rrweb', () => {
  test("takes a record only from an allowed origin's frame, for the current rrweb run", () => {
    const gate = createFrameGate();
    const { manager, message, record } = setup();
    expect(gate.accept(manager, message(record()))).toBe(false); // no run registered
    gate.register(manager);
    expect(gate.accept(manager, message(record()))).toBe(false); // no origin allowed yet
    expect(gate.allow([FRAME, FRAME, 'javascript:alert(1)', 42, 'http://a.test/path'])).toEqual([FRAME]);
    expect(gate.accept(manager, message(record()))).toBe(true);
    // A stopped run's listener (rrweb never removes it) takes nothing once another run started.
    const next = { crossOriginIframeMap: manager.crossOriginIframeMap };
    gate.register(next);
    expect(gate.accept(manager, message(record()))).toBe(false);
    expect(gate.accept(next, message(record()))).toBe(true);
    gate.close();
    expect(gate.accept(next, message(record()))).toBe(false);
  });

  test('refuses forged, malformed and foreign messages without throwing', () => {
    const gate = createFrameGate();
    const { manager, message, record } = setup();
    gate.register(manager);
    gate.allow([FRAME]);
    expect(gate.accept(manager, message(record(), 'http://evil.test'))).toBe(false); // another origin
    expect(gate.accept(manager, message(record('http://evil.test')))).toBe(false); // claims another origin
    expect(gate.accept(manager, message(record(), FRAME, {}))).toBe(false); // not a frame rrweb serialized
    expect(gate.accept(manager, message(record(), FRAME, null))).toBe(false);
    for (const data of [null, undefined, 'rrweb', { type: 'rrweb', origin: FRAME }, { type: 'rrweb', origin: FRAME, event: { type: '2' } }, { type: 'other', origin: FRAME, event: { type: 2 } }]) {
      expect(gate.accept(manager, message(data))).toBe(false);
    }
    const hostile = { get type(): string { throw new Error('boom'); } };
    expect(gate.accept(manager, message(hostile))).toBe(false);
  });

  test("the iframe element's privacy level: hidden, or stricter than the session's, keeps the frame an empty box", () => {
    const cases: [Record<string, string>, Record<string, string>, 'allow' | 'mask-user-input' | 'mask', boolean][] = [
      [{}, {}, 'allow', true],
      [{ 'data-oo-privacy': 'hidden' }, {}, 'mask', false],
      [{}, { 'data-dd-privacy': 'hidden' }, 'allow', false],
      [{ 'data-oo-privacy': 'mask' }, {}, 'allow', false],
      [{ 'data-oo-privacy': 'mask' }, {}, 'mask', true],
      [{}, { 'data-oo-privacy': 'mask-user-input' }, 'allow', false],
      [{ 'data-oo-privacy': 'allow' }, {}, 'mask', true], // the frame masks with the session's level itself
    ];
    for (const [own, around, level, taken] of cases) {
      const gate = createFrameGate();
      const { manager, message, record } = setup(own, around);
      gate.register(manager);
      gate.allow([FRAME]);
      gate.setLevel(level);
      expect(gate.accept(manager, message(record())), JSON.stringify({ own, around, level })).toBe(taken);
      document.body.replaceChildren();
    }
  });

  test('asks the frames for a fresh snapshot with each allowed origin as the target origin (delivered only there)', () => {
    const gate = createFrameGate();
    const first = document.createElement('iframe');
    const second = document.createElement('iframe');
    document.body.append(first, second);
    // jsdom has no indexed access to a window's frames (a browser's window[i]): given here.
    [first, second].forEach((frame, index) => Object.defineProperty(window, index, { configurable: true, get: () => frame.contentWindow }));
    const posts: [number, unknown, string][] = [];
    [first, second].forEach((frame, index) => {
      vi.spyOn(frame.contentWindow!, 'postMessage').mockImplementation(((data: unknown, origin: string) => void posts.push([index, data, origin])) as typeof window.postMessage);
    });
    gate.requestSnapshots();
    expect(posts).toEqual([]); // nothing allowed: nothing asked
    gate.allow([FRAME, 'https://b.test']);
    gate.requestSnapshots();
    expect(posts).toEqual([
      [0, { type: FRAME_SNAPSHOT_REQUEST }, FRAME],
      [0, { type: FRAME_SNAPSHOT_REQUEST }, 'https://b.test'],
      [1, { type: FRAME_SNAPSHOT_REQUEST }, FRAME],
      [1, { type: FRAME_SNAPSHOT_REQUEST }, 'https://b.test'],
    ]);
    for (const index of [0, 1]) delete (window as unknown as Record<number, unknown>)[index];
  });
});

describe("a frame's recorder answering snapshot requests", () => {
  test('takes one only when the top window asks, at most one a second (one asked meanwhile follows)', () => {
    vi.useFakeTimers();
    const take = vi.fn();
    const stop = listenForSnapshotRequests(take);
    const ask = (source: unknown = window.top, type = FRAME_SNAPSHOT_REQUEST) =>
      window.dispatchEvent(new MessageEvent('message', { data: { type }, source: source as Window }));
    ask({} as Window); // not the top window
    ask(window.top, 'other');
    expect(take).toHaveBeenCalledTimes(0);
    ask();
    expect(take).toHaveBeenCalledTimes(1);
    ask();
    ask();
    expect(take).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    expect(take).toHaveBeenCalledTimes(2);
    take.mockImplementation(() => {
      throw new Error('rrweb not recording yet');
    });
    vi.advanceTimersByTime(1000);
    expect(() => ask()).not.toThrow();
    stop();
    vi.advanceTimersByTime(5000);
    ask();
    expect(take).toHaveBeenCalledTimes(3);
  });
});
