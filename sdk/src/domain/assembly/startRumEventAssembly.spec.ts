import { describe, expect, it, vi } from 'vitest';
import type { RumEvent } from '../../../schema';
import { createLifeCycle } from '../../lifeCycle';
import { EVENT_BURST, startRumEventAssembly, type BeforeSend } from './startRumEventAssembly';

const base = { time: 1, tz: 0, viewId: 'v1' };
const action = (name = 'Buy'): RumEvent => ({ type: 'action', ...base, action: 'click', name, selector: null, x: 0, y: 0, rage: false, dead: false, errorClick: false });
const view = (): RumEvent => ({ type: 'view', ...base, url: 'http://a.test/?x', referrer: '', title: 't', navigation: 'initial', loadingTime: 1 });

function setup(beforeSend?: BeforeSend, tracked?: (e: RumEvent) => boolean, consented?: () => boolean) {
  const lifeCycle = createLifeCycle((e) => {
    throw e;
  });
  const out: RumEvent[] = [];
  lifeCycle.subscribe('event', (e) => out.push(e));
  const assembly = startRumEventAssembly(lifeCycle, { beforeSend: () => beforeSend, tracked, consented });
  return { send: (e: RumEvent) => lifeCycle.notify('rawEvent', e), out, assembly };
}

describe('event assembly', () => {
  it('passes events through untouched without beforeSend', () => {
    const { send, out } = setup();
    const event = action();
    send(event);
    expect(out).toEqual([event]);
  });

  it('beforeSend may edit an event or drop it (returning false), but never drop a view', () => {
    const { send, out } = setup((event) => {
      if (event.type === 'action' && event.name === 'drop me') return false;
      if (event.type === 'view') {
        event.url = event.url.replace('?x', '');
        return false;
      }
      if (event.type === 'action') event.name = event.name.toUpperCase();
    });
    send(action('buy'));
    send(action('drop me'));
    send(view());
    expect(out.map((e) => (e.type === 'action' ? e.name : e.type === 'view' ? e.url : null))).toEqual(['BUY', 'http://a.test/']);
  });

  it('keeps what identifies an event and strips what only the extension may set', () => {
    const { send, out } = setup((event) => {
      Object.assign(event, { type: 'error', time: 99, viewId: 'other', sessionId: 'forged', seq: 3, extra: () => 1 });
    });
    send(action());
    expect(out[0]).toMatchObject({ type: 'action', time: 1, viewId: 'v1' });
    expect(out[0]).not.toHaveProperty('sessionId');
    expect(out[0]).not.toHaveProperty('seq');
    expect(out[0]).not.toHaveProperty('extra');
  });

  it('a beforeSend that throws keeps the event as it was', () => {
    const { send, out } = setup(() => {
      throw new Error('app bug');
    });
    send(action());
    expect(out).toHaveLength(1);
  });

  it('does not show beforeSend its own bookkeeping (telemetry, context)', () => {
    const hook = vi.fn();
    const { send } = setup(hook);
    send({ type: 'telemetry', ...base, overheadMs: 1, dropped: 0 });
    expect(hook).not.toHaveBeenCalled();
  });

  it('caps events per second, counts the drops, and never drops views or telemetry', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const { send, out, assembly } = setup();
    for (let i = 0; i < EVENT_BURST + 50; i++) send(action());
    send(view());
    send({ type: 'telemetry', ...base, overheadMs: 1, dropped: 0 });
    expect(assembly.dropped()).toBe(50);
    expect(out.filter((e) => e.type === 'action')).toHaveLength(EVENT_BURST);
    expect(out.slice(-2).map((e) => e.type)).toEqual(['view', 'telemetry']);
    vi.advanceTimersByTime(1000);
    send(action());
    expect(out.at(-1)!.type).toBe('action');
    vi.useRealTimers();
  });

  it('sends nothing while tracking consent is not granted, and again once it is', () => {
    let granted = false;
    const { send, out, assembly } = setup(undefined, undefined, () => granted);
    send(action());
    expect(out).toHaveLength(0);
    expect(assembly.dropped()).toBe(0);
    granted = true;
    send(action());
    expect(out).toHaveLength(1);
  });

  it('drops everything outside a tracked session (standalone: expired or not sampled)', () => {
    const { send, out, assembly } = setup(undefined, () => false);
    send(action());
    expect(out).toHaveLength(0);
    expect(assembly.dropped()).toBe(0);
  });
});
