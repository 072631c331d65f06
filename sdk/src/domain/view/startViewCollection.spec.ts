// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RumEvent, ViewEndEvent, ViewEvent } from '../../../schema';
import { createLifeCycle } from '../../lifeCycle';
import { createGuard } from '../../tools/guard';
import { redactUrl } from '../../tools/redactUrl';
import { createPageActivity } from '../pageActivity/createPageActivity';
import { startViewCollection } from './startViewCollection';

let stop: () => void;
let events: RumEvent[];

function start() {
  const guard = createGuard((e) => {
    throw e;
  });
  const lifeCycle = createLifeCycle((e) => {
    throw e;
  });
  events = [];
  // No assembly here: raw events go straight out, as the assembly would pass them.
  lifeCycle.subscribe('rawEvent', (event) => {
    events.push(event);
    lifeCycle.notify('event', event);
  });
  const activity = createPageActivity(lifeCycle, guard);
  const views = startViewCollection(lifeCycle, guard, activity, redactUrl);
  stop = () => {
    views.stop();
    activity.stop();
  };
  return { lifeCycle, views };
}

const views = () => events.filter((e): e is ViewEvent => e.type === 'view');
const ends = () => events.filter((e): e is ViewEndEvent => e.type === 'view_end');

beforeEach(() => {
  vi.useFakeTimers();
  history.replaceState(null, '', '/');
});
afterEach(() => {
  stop?.();
  vi.useRealTimers();
});

describe('views', () => {
  it('sends the initial view once the page has loaded, with URL, referrer, title and loading time', () => {
    start();
    document.title = 'Shop';
    vi.runAllTimers();
    expect(views()).toHaveLength(1);
    expect(views()[0]).toMatchObject({ url: 'http://localhost:3000/', title: 'Shop', loadingTime: expect.any(Number) });
    expect(['initial', 'reload']).toContain(views()[0]!.navigation);
  });

  it('makes a view of every SPA navigation: pushState, replaceState, popstate, hashchange', () => {
    const { views: collection } = start();
    vi.runAllTimers();
    history.pushState({}, '', '/products');
    vi.runAllTimers();
    history.replaceState({}, '', '/products?page=2');
    vi.runAllTimers();
    history.replaceState({ scroll: 10 }, '', '/products?page=2'); // same URL: not a navigation
    window.location.hash = '#/cart';
    window.dispatchEvent(new PopStateEvent('popstate')); // Chromium's order: popstate, then hashchange
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    vi.runAllTimers();
    history.pushState({}, '', '/checkout');
    window.dispatchEvent(new PopStateEvent('popstate'));
    vi.runAllTimers();
    expect(views().map((v) => [v.navigation, new URL(v.url).pathname + new URL(v.url).search + new URL(v.url).hash])).toEqual([
      [views()[0]!.navigation, '/'],
      ['push', '/products'],
      ['replace', '/products?page=2'],
      ['hash', '/products?page=2#/cart'],
      ['push', '/checkout'],
    ]);
    // The referrer of a route is the previous view; every view but the current one has ended.
    expect(views()[1]!.referrer).toBe('http://localhost:3000/');
    expect(ends().map((e) => e.viewId)).toEqual(views().slice(0, -1).map((v) => v.viewId));
    expect(collection.state.viewId).toBe(views().at(-1)!.viewId);
  });

  it('a route waits for the page to go quiet: its loading time covers the DOM work after pushState', () => {
    start();
    vi.runAllTimers();
    history.pushState({}, '', '/slow');
    expect(views()).toHaveLength(1);
    vi.advanceTimersByTime(50);
    document.body.append(document.createElement('div'));
    return Promise.resolve().then(() => {
      // The mutation was seen (observer callback is a microtask); quiet for 100 ms ends the wait.
      vi.advanceTimersByTime(99);
      expect(views()).toHaveLength(1);
      vi.advanceTimersByTime(2);
      expect(views()).toHaveLength(2);
      expect(views()[1]!.loadingTime).toBeGreaterThanOrEqual(50);
    });
  });

  it('view_end carries the time spent and what happened in the view', () => {
    const { lifeCycle, views: collection } = start();
    vi.runAllTimers();
    const viewId = collection.state.viewId;
    const base = { time: Date.now(), tz: 0, viewId };
    lifeCycle.notify('rawEvent', { type: 'action', ...base, action: 'click', name: 'x', selector: null, x: 0, y: 0, rage: false, dead: false, errorClick: false });
    lifeCycle.notify('rawEvent', { type: 'error', ...base, source: 'uncaught', errorType: 'Error', message: 'x', stack: null, frames: [] });
    lifeCycle.notify('rawEvent', { type: 'error', ...base, source: 'internal', errorType: 'Error', message: 'x', stack: null, frames: [] });
    vi.advanceTimersByTime(3000);
    history.pushState({}, '', '/next');
    expect(ends()[0]).toMatchObject({ viewId, counts: { actions: 1, errors: 1, apiCalls: 0, resources: 0, longTasks: 0 } });
    expect(ends()[0]!.timeSpent).toBeGreaterThanOrEqual(3000);
  });

  it('ends the view on pagehide (sending a view that was still loading) and starts one on a bfcache restore', () => {
    const { lifeCycle } = start();
    lifeCycle.notify('pageHide', { persisted: true });
    expect(views()).toHaveLength(1);
    expect(ends()).toHaveLength(1);
    lifeCycle.notify('pageHide', { persisted: true }); // never twice
    expect(ends()).toHaveLength(1);
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    expect(views().at(-1)).toMatchObject({ navigation: 'back_forward', loadingTime: 0 });
  });

  it('startView(name) makes a manual view; setViewName names the current one; addTiming goes with its view_end', () => {
    const { lifeCycle, views: collection } = start();
    vi.runAllTimers();
    collection.setViewName('home');
    collection.addTiming('hero image', 250); // relative to the view start
    collection.startManualView('checkout');
    vi.runAllTimers();
    expect(ends()[0]).toMatchObject({ name: 'home', timings: { hero_image: 250 } });
    expect(views().at(-1)).toMatchObject({ navigation: 'manual', name: 'checkout' });
    const checkoutId = views().at(-1)!.viewId;
    vi.advanceTimersByTime(40);
    collection.addTiming('ready');
    collection.addTiming('constructor', Date.now() + 10); // an epoch time; a key the validator refuses is renamed
    collection.setViewName('checkout step 2');
    for (let i = 0; i < 150; i++) collection.addTiming(`t${i}`, i);
    lifeCycle.notify('pageHide', { persisted: false });
    const end = ends().find((e) => e.viewId === checkoutId)!;
    expect(end.name).toBe('checkout step 2');
    expect(end.timings!.ready).toBeGreaterThanOrEqual(40); // since the view started (the quiet wait ran the clock on)
    expect(end.timings!._constructor).toBe(end.timings!.ready! + 10);
    expect(end.timings!.t0).toBe(0);
    expect(Object.keys(end.timings!)).toHaveLength(100);
  });

  it('redacts secrets in view URLs and referrers', () => {
    start();
    vi.runAllTimers();
    history.pushState({}, '', '/cb?code=SECRET&x=1');
    vi.runAllTimers();
    history.pushState({}, '', '/home');
    vi.runAllTimers();
    expect(JSON.stringify(events)).not.toContain('SECRET');
  });

  it('stop() gives history back its own methods', () => {
    const original = History.prototype.pushState;
    start();
    expect(History.prototype.pushState).not.toBe(original);
    stop();
    expect(History.prototype.pushState).toBe(original);
  });
});
