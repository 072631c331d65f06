// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TransportBatch } from './transport/startMemoryTransport';
import { SESSION_STORE_KEY } from './domain/session/startSessionStore';

/** A fresh module instance per test: the SDK is a singleton per page. */
async function load() {
  vi.resetModules();
  return (await import('./standalone')).rumscope;
}
const flush = () => new Promise((ok) => setTimeout(ok, 0));

beforeEach(() => {
  localStorage.clear();
  history.replaceState(null, '', '/app?x=1');
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('standalone SDK (ES module)', () => {
  it('exposes the same API as window.rumscope and window.openobserveRum, where those names are free', async () => {
    const rum = await load();
    expect((window as any).rumscope).toBeDefined();
    expect((window as any).openobserveRum).toBe((window as any).rumscope);
    for (const name of ['init', 'setUser', 'getUser', 'clearUser', 'setGlobalContextProperty', 'removeGlobalContextProperty', 'addAction', 'addError', 'startSessionReplayRecording', 'getInternalContext', 'getInitConfiguration']) {
      expect(typeof (rum as any)[name], name).toBe('function');
    }
  });

  it('starts on init: session in localStorage, events to the transport hook with their session id', async () => {
    const rum = await load();
    rum.setUser({ id: 'u1', email: 'ann@example.com' }); // before init: kept
    rum.addAction('early'); // before init: queued
    const batches: TransportBatch[] = [];
    rum.init({ service: 'shop', env: 'prod', version: '2.0.0', transport: (batch) => batches.push(batch) });
    await flush();
    const stored = localStorage.getItem(SESSION_STORE_KEY)!;
    expect(stored).toMatch(/^id=[\w-]+&created=\d+&expire=\d+&rum=1&replay=0$/);
    const sessionId = new URLSearchParams(stored).get('id');
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.every((b) => b.sessionId === sessionId)).toBe(true);
    const events = batches.flatMap((b) => b.events);
    expect(events.find((e) => e.type === 'context')).toMatchObject({ app: { service: 'shop', env: 'prod', version: '2.0.0' }, user: { id: 'u1', email: 'ann@example.com' } });
    expect(events.find((e) => e.type === 'action')).toMatchObject({ action: 'custom', name: 'early' });
    expect(rum.getInternalContext()).toMatchObject({ session_id: sessionId, view: { url: 'http://localhost:3000/app?x=1' } });
    expect(rum.getBufferedEvents().length).toBe(events.length);
  });

  it('a second init is ignored (one SDK, one session), with a warning unless silentMultipleInit', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const rum = await load();
    rum.init({ service: 'first' });
    rum.init({ service: 'second' });
    rum.init({ service: 'third', silentMultipleInit: true });
    expect(rum.getInitConfiguration()?.service).toBe('first');
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('a second SDK instance on the page (or a reload) joins the stored session', async () => {
    const first = await load();
    first.init({});
    await flush();
    const id = first.getInternalContext()!.session_id;
    const second = await load();
    second.init({});
    expect(second.getInternalContext()!.session_id).toBe(id);
  });

  it('sessionSampleRate 0: the session exists (drawn once) but nothing is sent', async () => {
    const rum = await load();
    const batches: TransportBatch[] = [];
    rum.init({ sessionSampleRate: 0, transport: (batch) => batches.push(batch) });
    rum.addAction('not sent');
    await flush();
    expect(localStorage.getItem(SESSION_STORE_KEY)).toContain('rum=0');
    expect(batches).toEqual([]);
  });

  it('startSessionReplayRecording({ force: true }) turns replay on for the session', async () => {
    const rum = await load();
    rum.init({ sessionReplaySampleRate: 0 });
    rum.startSessionReplayRecording();
    expect(localStorage.getItem(SESSION_STORE_KEY)).toContain('replay=0');
    rum.startSessionReplayRecording({ force: true });
    expect(localStorage.getItem(SESSION_STORE_KEY)).toContain('replay=1');
  });

  it('startView, setViewName, addTiming, setTrackingConsent and getSessionReplayLink', async () => {
    const rum = await load();
    const batches: TransportBatch[] = [];
    rum.init({ transport: (batch) => batches.push(batch), trackingConsent: 'not-granted' });
    rum.addAction('before consent');
    await flush();
    expect(batches.flatMap((b) => b.events)).toEqual([]);
    rum.setTrackingConsent('granted');
    rum.setViewName('landing');
    rum.addTiming('first_paint_done');
    rum.startView({ name: 'checkout', service: 'shop', version: '3.1' });
    rum.setTrackingConsent('not-granted');
    rum.addAction('after withdrawal');
    rum.setTrackingConsent('granted');
    rum.addAction('granted again');
    await flush();
    const events = batches.flatMap((b) => b.events);
    expect(events.filter((e) => e.type === 'action').map((e) => (e as { name: string }).name)).toEqual(['granted again']);
    expect(events.find((e) => e.type === 'view_end')).toMatchObject({ name: 'landing', timings: { first_paint_done: expect.any(Number) } });
    expect(events.find((e) => e.type === 'context' && e.cause === 'change')).toMatchObject({ app: { service: 'shop', version: '3.1' } });
    expect(rum.getSessionReplayLink()).toBeUndefined();
  });

  it('never throws into the app, whatever it passes', async () => {
    const rum = await load();
    expect(() => {
      rum.init(null as never);
      rum.setUser(undefined as never);
      rum.addAction(undefined as never, 42 as never);
      rum.addError(undefined);
      rum.startView(null as never);
      rum.setViewName(undefined as never);
      rum.addTiming(Symbol() as never, 'x' as never);
      rum.setTrackingConsent(42 as never);
      rum.setGlobalContextProperty('circular', (() => {
        const o: any = {};
        o.self = o;
        return o;
      })());
    }).not.toThrow();
  });
});
