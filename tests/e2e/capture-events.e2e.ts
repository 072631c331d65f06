/**
 * The capture SDK's event model in real browsers with the built extension (Chromium and Firefox ESR):
 * SPA views, errors, API calls, resources, vitals, long tasks, the custom API, and privacy.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDemoServer, type DemoServer } from '../../demo/server';
import { eventsOf, simulateHidden, typeInto, waitFor } from './support/capture';
import { BROWSERS, useDriver } from './support/driver';

let demo: DemoServer;
beforeAll(async () => {
  demo = await startDemoServer();
});
afterAll(async () => {
  await demo?.close();
});

const path = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search + u.hash;
};

describe.each(BROWSERS)('capture in %s', (kind) => {
  const driver = useDriver(kind);

  test('SPA: the first load and every pushState, replaceState, hashchange and popstate are views', async () => {
    const url = `${demo.origin}/fixtures/spa.html?t=spa`;
    const page = await driver.openPage(url);
    const views = async () => (await eventsOf(driver, url)).filter((e) => e.type === 'view');
    await waitFor(views, (v) => v.length === 1, 'the first view');
    const steps = [['#to-products', 2], ['#to-details', 3], ['#sort', 4], ['#same-url', 4], ['#to-cart', 5], ['#back', 6], ['#back', 7]] as const;
    for (const [button, count] of steps) {
      await page.click(button);
      if (button !== '#same-url') await waitFor(views, (v) => v.length === count, `view ${count}`);
    }
    const events = await eventsOf(driver, url);
    const stored = events.filter((e) => e.type === 'view');
    expect(stored.map((v) => [v.navigation, path(v.url)])).toEqual([
      [stored[0].navigation, '/fixtures/spa.html?t=spa'],
      ['push', '/fixtures/spa/products'],
      ['push', '/fixtures/spa/products/42?token=REDACTED'],
      ['replace', '/fixtures/spa/products?sort=price'],
      ['hash', '/fixtures/spa/products?sort=price#/cart'],
      ['hash', '/fixtures/spa/products?sort=price'], // back, between fragments: still hash routing
      ['pop', '/fixtures/spa/products'],
    ]);
    expect(['initial', 'reload']).toContain(stored[0].navigation);
    // Each route is sent once it settled: with the title it rendered and its loading time.
    expect(stored[1]).toMatchObject({ title: 'SPA /fixtures/spa/products', referrer: url });
    expect(stored.every((v) => typeof v.loadingTime === 'number' && v.loadingTime >= 0)).toBe(true);
    expect(stored[1].loadingTime).toBeGreaterThanOrEqual(25);
    // Every view but the current one has ended, with its time spent and its counts.
    const ends = events.filter((e) => e.type === 'view_end');
    expect(ends.map((e) => e.viewId)).toEqual(stored.slice(0, -1).map((v) => v.viewId));
    expect(ends.reduce((sum, e) => sum + e.counts.actions, 0)).toBe(7);
    expect(ends.every((e) => e.timeSpent > 0)).toBe(true);
    expect(JSON.stringify(events)).not.toContain('SECRET-ROUTE-TOKEN');
  });

  test('errors: uncaught, unhandled rejections and console.error, with parsed frames; their clicks are error clicks', async () => {
    const url = `${demo.origin}/fixtures/errors.html?t=errors`;
    const page = await driver.openPage(url);
    for (const id of ['#throw', '#reject', '#reject-string', '#console']) await page.click(id);
    const errors = await waitFor(async () => (await eventsOf(driver, url)).filter((e) => e.type === 'error'), (e) => e.length === 4, 'four errors');
    const [thrown, rejected, plain, logged] = errors;
    expect(thrown).toMatchObject({ source: 'uncaught', errorType: 'TypeError' });
    expect(thrown.frames[0]).toMatchObject({ fn: 'checkout', url: `${demo.origin}/fixtures/errors.js`, line: 3 });
    expect(rejected).toMatchObject({ source: 'unhandledrejection', errorType: 'RangeError', message: 'Fixture rejection: quantity out of range' });
    expect(rejected.frames.length).toBeGreaterThan(0);
    expect(plain).toMatchObject({ source: 'unhandledrejection', message: 'fixture plain rejection', frames: [] });
    expect(logged).toMatchObject({ source: 'console', message: 'Fixture console error {"code":42}' });
    const clicks = await waitFor(async () => (await eventsOf(driver, url)).filter((e) => e.type === 'action'), (a) => a.length === 4, 'four clicks');
    expect(clicks.map((c) => [c.name, c.errorClick, c.dead])).toEqual([
      ['Throw', true, false],
      ['Reject', true, false],
      ['Reject a string', true, false],
      ['Log an error', true, false],
    ]);
  });

  test('API calls: fetch and XHR with status, duration, sizes and timing; failures are errors; no bodies', async () => {
    const url = `${demo.origin}/fixtures/api.html?t=api`;
    const page = await driver.openPage(url);
    const ids = ['fetch-ok', 'fetch-404', 'fetch-500', 'fetch-fail', 'fetch-secret', 'fetch-post', 'xhr-ok', 'xhr-500', 'xhr-fail'];
    for (const id of ids) {
      await page.click('#' + id);
      await waitFor(() => page.evaluate(() => document.getElementById('status')!.dataset.done), (done) => done === id, id);
    }
    const apis = await waitFor(async () => (await eventsOf(driver, url)).filter((e) => e.type === 'api'), (a) => a.length === ids.length, 'nine API calls');
    apis.sort((a, b) => a.time - b.time);
    expect(apis.map((a) => [a.via, a.method, path(a.url), a.status])).toEqual([
      ['fetch', 'GET', '/api/ok', 200],
      ['fetch', 'GET', '/api/status/404', 404],
      ['fetch', 'GET', '/api/status/500', 500],
      ['fetch', 'GET', '/api/reset', 0],
      ['fetch', 'GET', '/api/ok?token=REDACTED&page=3', 200],
      ['fetch', 'POST', '/api/echo', 200],
      ['xhr', 'GET', '/api/ok', 200],
      ['xhr', 'GET', '/api/status/500', 500],
      ['xhr', 'GET', '/api/reset', 0],
    ]);
    for (const ok of apis.filter((a) => a.status === 200)) {
      expect(ok.duration).toBeGreaterThan(0);
      expect(ok.responseSize).toBeGreaterThan(0);
      // Same origin: the Resource Timing breakdown is there, every phase a number.
      expect(Object.values(ok.timing).every((v) => typeof v === 'number')).toBe(true);
    }
    expect(apis[5].requestSize).toBeGreaterThan(0);
    const events = await eventsOf(driver, url);
    const network = events.filter((e) => e.type === 'error' && e.source === 'network');
    expect(network.map((e) => [e.errorType, path(e.message.split(' ')[1])])).toEqual([
      ['HttpError', '/api/status/500'],
      ['NetworkError', '/api/reset'],
      ['HttpError', '/api/status/500'],
      ['NetworkError', '/api/reset'],
    ]);
    const all = JSON.stringify(await driver.readStore('events'));
    expect(all).not.toContain('SECRET-API-TOKEN');
    expect(all).not.toContain('BODY-NEVER-STORED');
    // Every fetch and XHR is also a resource.
    expect(events.filter((e) => e.type === 'resource' && (e.resourceType === 'fetch' || e.resourceType === 'xhr')).length).toBe(ids.length);
  });

  test('a heavy page: resources with their breakdown, render-blocking, cross-origin "not available", vitals, long tasks', async () => {
    const url = `${demo.origin}/fixtures/heavy.html?t=heavy`;
    const page = await driver.openPage(url);
    await waitFor(async () => (await eventsOf(driver, url)).filter((e) => e.type === 'vital'), (v) => v.some((e) => e.name === 'FCP'), 'FCP');
    // The layout shift first: a shift within 500 ms after an input does not count (hadRecentInput).
    await waitFor(() => page.evaluate(() => !!document.getElementById('banner')), (b) => b, 'the late banner');
    await page.click('#tap');
    await waitFor(async () => (await eventsOf(driver, url)).filter((e) => e.type === 'vital'), (v) => v.some((e) => e.name === 'FID'), 'FID');
    // web-vitals handles event entries when idle (1 s at most): only then does hiding the page report INP.
    await new Promise((ok) => setTimeout(ok, 1200));
    await simulateHidden(page);
    const names = ['LCP', 'FID', 'CLS', 'TTFB', 'INP', 'FCP'];
    const vitals = await waitFor(
      async () => (await eventsOf(driver, url)).filter((e) => e.type === 'vital'),
      (v) => names.every((n) => v.some((e) => e.name === n)),
      'all six vitals',
    );
    const vital = (name: string) => vitals.find((v) => v.name === name);
    for (const name of ['LCP', 'FID', 'TTFB', 'INP', 'FCP']) expect(vital(name), name).toMatchObject({ supported: true, value: expect.any(Number) });
    expect(vital('LCP').value).toBeGreaterThan(0);
    expect(vital('LCP').attribution.element).toBeTruthy();
    expect(vital('INP').value).toBeGreaterThanOrEqual(40);
    expect(vital('INP').attribution).toMatchObject({ target: '#tap' });
    if (kind === 'chromium') {
      expect(vital('CLS')).toMatchObject({ supported: true, rating: expect.any(String) });
      expect(vital('CLS').value).toBeGreaterThan(0);
    } else {
      // Firefox has no Layout Instability API: "not supported", never 0.
      expect(vital('CLS')).toMatchObject({ supported: false, value: null, rating: null });
    }

    const events = await eventsOf(driver, url);
    const resource = (p: string) => events.find((e) => e.type === 'resource' && path(e.url) === p);
    expect(resource('/fixtures/heavy.css')).toMatchObject({ resourceType: 'css', duration: expect.any(Number) });
    expect(resource('/fixtures/heavy.js')).toMatchObject({ resourceType: 'script' });
    expect(resource('/fixtures/pixel.svg')).toMatchObject({ resourceType: 'image', transferSize: expect.any(Number) });
    expect(Object.values(resource('/fixtures/pixel.svg').timing).every((v) => typeof v === 'number')).toBe(true);
    // Cross-origin without Timing-Allow-Origin: the breakdown and size are not available (null), not 0.
    const cross = events.find((e) => e.type === 'resource' && e.url.endsWith('/fixtures/pixel.svg?cross'));
    expect(cross).toMatchObject({ timing: null, transferSize: null, duration: expect.any(Number) });
    if (kind === 'chromium') {
      expect(resource('/fixtures/heavy.css').renderBlocking).toBe(true);
      expect(resource('/fixtures/pixel.svg').renderBlocking).toBe(false);
      // The 150 ms busy loop (long animation frames where supported).
      const longTasks = events.filter((e) => e.type === 'long_task');
      expect(longTasks.some((t) => t.duration >= 150 && t.kind === 'long-animation-frame')).toBe(true);
    }
  });

  test('the custom API: init, setUser, global context, addAction, addError, beforeSend; no peer globals when injected', async () => {
    const url = `${demo.origin}/fixtures/errors.html?t=custom`;
    const page = await driver.openPage(url);
    const answer = await page.evaluate(() => {
      const rum = (window as any).rumscope;
      rum.init({
        service: 'shop',
        env: 'staging',
        version: '1.2.3',
        beforeSend: (event: any) => {
          if (event.type === 'action' && event.name === 'internal-only') return false;
          if (event.type === 'error' && event.source === 'custom') event.message = '[edited] ' + event.message;
        },
      });
      rum.init({ service: 'initialised twice' });
      rum.setUser({ id: 42, name: 'Ann', email: 'ann@example.com', plan: 'pro' });
      rum.setGlobalContextProperty('subscription_plan', 'premium');
      rum.setGlobalContextProperty('temporary', true);
      rum.removeGlobalContextProperty('temporary');
      rum.addAction('checkout', { step: 2 });
      rum.addAction('internal-only');
      rum.addError(new Error('custom failure'), { orderId: 'A1' });
      return {
        globals: [typeof (window as any).openobserveRum, typeof (window as any).DD_RUM, typeof (window as any).DD_LOGS],
        user: rum.getUser(),
        global: rum.getGlobalContext(),
        context: rum.getInternalContext(),
        config: rum.getInitConfiguration().service,
      };
    });
    expect(answer.globals).toEqual(['undefined', 'undefined', 'undefined']);
    expect(answer.user).toEqual({ id: '42', name: 'Ann', email: 'ann@example.com', plan: 'pro' });
    expect(answer.global).toEqual({ subscription_plan: 'premium' });
    expect(answer.context.view.url).toBe(url);
    expect(answer.config).toBe('shop');

    const events = await waitFor(() => eventsOf(driver, url), (e) => e.some((x) => x.type === 'error' && x.source === 'custom'), 'the custom error');
    const custom = events.filter((e) => e.type === 'action' && e.action === 'custom');
    expect(custom.map((a) => [a.name, a.context])).toEqual([['checkout', { step: 2 }]]);
    expect(events.find((e) => e.type === 'error' && e.source === 'custom')).toMatchObject({ message: '[edited] custom failure', context: { orderId: 'A1' } });
    const load = (await driver.readStore('loads')).find((l) => l.url === url);
    const session = await waitFor(
      async () => (await driver.readStore('sessions')).find((s) => s.id === load.sessionId),
      (s) => s?.user?.email === 'ann@example.com' && s.app.service === 'shop',
      'the session user',
    );
    expect(session.global).toEqual({ subscription_plan: 'premium' });
    expect(session.app).toEqual({ service: 'shop', env: 'staging', version: '1.2.3' });
  });

  test('a canary typed into a password field is nowhere in the extension database', async () => {
    const canary = `CANARY-${kind}-7f3k`;
    const url = `${demo.origin}/fixtures/form.html?t=privacy`;
    const page = await driver.openPage(url);
    await page.click('#user');
    await typeInto(driver, page, '#user', 'ann');
    await page.click('#pin');
    await typeInto(driver, page, '#pin', canary);
    await page.click('#sign-in'); // the app posts it with fetch: bodies are never captured
    await waitFor(() => page.evaluate(() => document.getElementById('status')!.textContent), (t) => t === 'Signed in', 'the sign-in');
    const events = await waitFor(() => eventsOf(driver, url), (e) => e.some((x) => x.type === 'api'), 'the POST');
    // (A click is sent after its reaction, its form's submission at once: the two may share a millisecond.)
    // Each field left after typing is an input action, by its label: never its value.
    expect(events.filter((e) => e.type === 'action').map((a) => `${a.action} ${a.name}`).sort()).toEqual([
      'click PIN',
      'click Sign in',
      'click User',
      'input PIN',
      'input User',
      'submit Sign in form',
    ]);
    // Typing itself is activity (it keeps the session alive) and nothing more: which key is never sent.
    expect(events.filter((e) => e.type === 'activity').every((e) => Object.keys(e).every((k) => !/key|value|code/i.test(k) || k === 'kind'))).toBe(true);
    const dump = JSON.stringify(await Promise.all((['sessions', 'events', 'loads', 'tabStats'] as const).map((s) => driver.readStore(s))));
    expect(dump).not.toContain(canary);
  });

  test('a password sent by a GET form is redacted in the next page\'s view URL and referrer', async () => {
    const canary = `CANARY-${kind}-get-9q2w`;
    const url = `${demo.origin}/fixtures/form.html?t=get-form`;
    const page = await driver.openPage(url);
    await page.click('#password');
    await typeInto(driver, page, '#password', canary);
    await page.click('#get-submit');
    const next = await waitFor(
      async () => (await driver.readStore('events')).filter((e) => e.type === 'view' && e.url.includes('password=')),
      (v) => v.length === 1,
      'the page after the GET form',
    );
    expect(path(next[0].url)).toBe('/fixtures/form.html?password=REDACTED');
    const dump = JSON.stringify(await Promise.all((['sessions', 'events', 'tabStats'] as const).map((s) => driver.readStore(s))));
    expect(dump).not.toContain(canary);
  });

  // The background records each page's URL from the port's sender (loads store): redacted there too.
  test('the loads store keeps no secret of a page opened by a GET form', async () => {
    const loads = await driver.readStore('loads');
    expect(JSON.stringify(loads)).not.toContain(`CANARY-${kind}-get-9q2w`);
  });
});
