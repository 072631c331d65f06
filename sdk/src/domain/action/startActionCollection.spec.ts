// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ActionEvent, RumEvent } from '../../../schema';
import { createLifeCycle, type LifeCycle } from '../../lifeCycle';
import { createGuard } from '../../tools/guard';
import { createPageActivity } from '../pageActivity/createPageActivity';
import { CLICK_WINDOW_MS, startActionCollection } from './startActionCollection';

let events: RumEvent[];
let lifeCycle: LifeCycle;
let stop: () => void;
const config = { defaultPrivacyLevel: 'mask-user-input' as const, trackUserInteractions: true };

beforeEach(() => {
  vi.useFakeTimers();
  document.body.innerHTML = `
    <button id="buy">Buy now</button>
    <button id="noop">Does nothing</button>
    <form id="login" aria-label="Log in"><label for="pw">Password</label><input id="pw" type="password" name="pw"><button id="go">Sign in</button></form>
    <div data-oo-privacy="mask"><button id="secret">Account 4111 1111</button></div>
    <div data-dd-privacy="hidden"><button id="hidden">Hidden text</button></div>
    <label>Email <input id="email" type="email"></label><textarea id="note" placeholder="Delivery note"></textarea>
    <select id="country" aria-label="Country"><option>FR</option><option>DE</option></select><input id="terms" type="checkbox">
    <div data-oo-privacy="mask"><input id="card" aria-label="Card number"></div>`;
  document.getElementById('buy')!.addEventListener('click', () => document.body.append('bought'));
  const guard = createGuard((e) => {
    throw e;
  });
  lifeCycle = createLifeCycle((e) => {
    throw e;
  });
  events = [];
  lifeCycle.subscribe('rawEvent', (event) => {
    events.push(event);
    lifeCycle.notify('event', event);
  });
  const activity = createPageActivity(lifeCycle, guard);
  const actions = startActionCollection(lifeCycle, guard, { viewId: 'v1', url: '', referrer: '' }, activity, config);
  stop = () => {
    actions.stop();
    activity.stop();
  };
});
afterEach(() => {
  stop();
  vi.useRealTimers();
});

const click = (id: string) => document.getElementById(id)!.dispatchEvent(new MouseEvent('click', { bubbles: true, clientX: 10, clientY: 20 }));
const actions = () => events.filter((e): e is ActionEvent => e.type === 'action');
/** Lets the MutationObserver's microtask run, then the task after it. */
const settle = async (ms = 0) => {
  await Promise.resolve();
  await vi.advanceTimersByTimeAsync(ms);
};

describe('clicks', () => {
  it('a click the page reacts to is sent right after, with its name, selector and position', async () => {
    click('buy');
    await settle(1);
    expect(actions()).toEqual([
      expect.objectContaining({ action: 'click', name: 'Buy now', selector: '#buy', x: 10, y: 20, rage: false, dead: false, errorClick: false, viewId: 'v1' }),
    ]);
  });

  it('a click with no reaction within the window is dead', async () => {
    click('noop');
    await settle(CLICK_WINDOW_MS - 10);
    expect(actions()).toHaveLength(0);
    await settle(20);
    expect(actions()[0]).toMatchObject({ name: 'Does nothing', dead: true });
  });

  it('a network request counts as a reaction', async () => {
    click('noop');
    lifeCycle.notify('requestStarted', { via: 'fetch', method: 'GET', url: 'http://a.test/', start: 0, time: 0, viewId: 'v1', requestSize: null });
    await settle(1);
    expect(actions()[0]).toMatchObject({ dead: false });
  });

  it('an error after the click makes it an error click', async () => {
    click('noop');
    lifeCycle.notify('rawEvent', { type: 'error', time: 0, tz: 0, viewId: 'v1', source: 'uncaught', errorType: 'TypeError', message: 'x', stack: null, frames: [] });
    await settle(1);
    expect(actions()[0]).toMatchObject({ errorClick: true, dead: false });
  });

  it('three clicks on one element within a second: the third (and the ones still waiting) are rage clicks', async () => {
    click('noop');
    await settle(300);
    click('noop');
    await settle(300);
    click('noop');
    await settle(CLICK_WINDOW_MS + 10);
    expect(actions().map((a) => a.rage)).toEqual([true, true, true]);
    click('buy');
    await settle(600);
    click('buy');
    await settle(600); // 1.2 s between the first and the third
    click('buy');
    await settle(10);
    expect(actions().slice(3).map((a) => a.rage)).toEqual([false, false, false]);
  });

  it('clicks waiting when the page is left are sent at once', () => {
    click('noop');
    lifeCycle.notify('pageHide', { persisted: false });
    expect(actions()[0]).toMatchObject({ dead: false });
  });

  it('never reads a field value: a password field is named by its label', async () => {
    const input = document.getElementById('pw') as HTMLInputElement;
    input.value = 'CANARY-pass-123';
    click('pw');
    await settle(1);
    expect(actions()[0]!.name).toBe('Password');
    expect(JSON.stringify(events)).not.toContain('CANARY');
  });

  it('honours data-oo-privacy / data-dd-privacy: masked and hidden elements have no text name', async () => {
    click('secret');
    click('hidden');
    await settle(CLICK_WINDOW_MS + 10);
    expect(actions().map((a) => a.name)).toEqual(['Masked Element', 'Masked Element']);
  });

  it('form submissions are actions named after the form, never its values', () => {
    (document.getElementById('pw') as HTMLInputElement).value = 'CANARY';
    const form = document.getElementById('login') as HTMLFormElement;
    form.addEventListener('submit', (e) => e.preventDefault());
    form.dispatchEvent(new SubmitEvent('submit', { bubbles: true, submitter: document.getElementById('go') }));
    expect(actions()[0]).toMatchObject({ action: 'submit', name: 'Log in', selector: '#login' });
    expect(JSON.stringify(events)).not.toContain('CANARY');
  });

  it('a changed field is an input action by label and selector, never its value', () => {
    for (const [id, value] of [['email', 'CANARY@example.com'], ['pw', 'CANARY-pass'], ['note', 'CANARY note'], ['country', 'DE'], ['card', 'CANARY 4111']] as const) {
      const field = document.getElementById(id) as HTMLInputElement;
      field.value = value;
      field.dispatchEvent(new Event('change', { bubbles: true }));
    }
    expect(actions().map((a) => [a.action, a.name, a.selector])).toEqual([
      ['input', 'Email', '#email'],
      ['input', 'Password', '#pw'],
      ['input', 'Delivery note', '#note'],
      // a select's selector names its tag: the Playwright export chooses an option there instead of typing
      ['input', 'Country', 'select#country'],
      // under mask, only the page's data attributes may name a field
      ['input', 'Masked Element', '#card'],
    ]);
    expect(JSON.stringify(events)).not.toContain('CANARY');
  });

  it('a checkbox change is not an input action (its click is the action), and nothing is sent when interactions are off', () => {
    const terms = document.getElementById('terms') as HTMLInputElement;
    terms.checked = true;
    terms.dispatchEvent(new Event('change', { bubbles: true }));
    expect(actions()).toEqual([]);
    stop();
    const guard = createGuard(() => {});
    const activity = createPageActivity(lifeCycle, guard);
    const off = startActionCollection(lifeCycle, guard, { viewId: 'v1', url: '', referrer: '' }, activity, { ...config, trackUserInteractions: false });
    document.getElementById('email')!.dispatchEvent(new Event('change', { bubbles: true }));
    expect(actions()).toEqual([]);
    off.stop();
    activity.stop();
  });

  it('addAction sends a custom action with a JSON-clean context', () => {
    stop();
    const guard = createGuard(() => {});
    const activity = createPageActivity(lifeCycle, guard);
    const collection = startActionCollection(lifeCycle, guard, { viewId: 'v1', url: '', referrer: '' }, activity, config);
    collection.addAction('checkout', { step: 2, fn: (() => 1) as never, when: new Date(0) as never });
    expect(actions()[0]).toMatchObject({ action: 'custom', name: 'checkout', context: { step: 2, when: '1970-01-01T00:00:00.000Z' } });
    collection.stop();
    activity.stop();
  });
});
