import type { ActionEvent, JsonValue } from '../../../schema';
import type { RumConfiguration } from '../../boot/configuration';
import type { LifeCycle } from '../../lifeCycle';
import { eventBase } from '../../tools/eventBase';
import { toJsonObject } from '../../tools/toJson';
import type { Guard } from '../../tools/guard';
import type { PageActivity } from '../pageActivity/createPageActivity';
import { getPrivacyLevel } from '../privacy/getPrivacyLevel';
import type { ViewState } from '../view/startViewCollection';
import { getActionName, getSelector } from './getActionName';
import { addEventListener, removeEventListener, setTimeout, clearTimeout } from '../../tools/safeGlobals';

/**
 * A click with no reaction from the page (DOM mutation, request, navigation, error) within this window is dead.
 * A click that reacts is sent right after the task of its reaction (so that errors thrown by its handlers
 * still flag it), not at the end of the window: clicks then rarely wait for the page to be left.
 */
export const CLICK_WINDOW_MS = 1000;
/** Clicks on one element within CLICK_WINDOW_MS that make a rage click (the third one and later are flagged). */
export const RAGE_CLICKS = 3;
const MAX_PENDING = 100;
/** Clicks here may legitimately change nothing the page can see (focus, caret, native widget, new tab). */
const NEVER_DEAD =
  'input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]):not([type=reset]):not([type=range]),textarea,select,label,[contenteditable],[contenteditable] *,a[href],a[href] *,canvas,video,audio';

/** Inputs whose change is not a value to fill (their clicks are recorded as clicks). */
const NOT_FILLED = /^(checkbox|radio|file|button|submit|reset|image|hidden)$/;

/** A changed field's selector; a select's always names its tag (`#country` → `select#country`), so that a replay chooses rather than types. */
function fieldSelector(field: Element): string {
  const selector = getSelector(field);
  return field.tagName === 'SELECT' && /^#[\w-]+$/.test(selector) ? `select${selector}` : selector;
}

interface PendingClick {
  event: ActionEvent;
  target: Element;
  at: number;
  reacted: boolean;
  sent: boolean;
  unwatch: () => void;
}

/**
 * Clicks (each one, flagged rage / dead / error click after CLICK_WINDOW_MS), fields changed (an 'input' action
 * at each `change`: by label and selector, never the value, whatever the privacy level) and form submissions.
 * Page-dispatched clicks count too: many apps drive their own widgets with element.click().
 */
export function startActionCollection(
  lifeCycle: LifeCycle,
  guard: Guard,
  view: ViewState,
  activity: PageActivity,
  config: Pick<RumConfiguration, 'defaultPrivacyLevel' | 'trackUserInteractions'>,
) {
  let pending: PendingClick[] = [];
  /** Clicks of the last CLICK_WINDOW_MS, sent or not, for rage clicks. */
  let recent: PendingClick[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const action = (kind: ActionEvent['action'], name: string, target: Element | null, x: number | null = null, y: number | null = null): ActionEvent => ({
    type: 'action',
    ...eventBase(view.viewId),
    action: kind,
    name,
    selector: target && getSelector(target),
    x,
    y,
    rage: false,
    dead: false,
    errorClick: false,
  });

  const finish = (click: PendingClick) => {
    if (click.sent) return;
    click.sent = true;
    click.unwatch();
    pending = pending.filter((p) => p !== click);
    click.event.dead = !click.reacted;
    lifeCycle.notify('rawEvent', click.event);
  };
  /** The page reacted: send after the current task (its other handlers may still throw), all such clicks at once. */
  let reactedTimer: ReturnType<typeof setTimeout> | undefined;
  const sendReacted = guard(() => {
    reactedTimer = undefined;
    for (const click of pending) if (click.reacted) finish(click);
  });
  const reacted = (click: PendingClick) => {
    if (click.reacted) return;
    click.reacted = true;
    click.unwatch();
    reactedTimer ??= setTimeout(sendReacted);
  };
  const check = guard(() => {
    timer = undefined;
    const now = performance.now();
    recent = recent.filter((p) => now - p.at < CLICK_WINDOW_MS);
    for (const click of pending) if (now - click.at >= CLICK_WINDOW_MS) finish(click);
    if (pending[0]) timer = setTimeout(check, CLICK_WINDOW_MS - (now - pending[0].at) + 1);
  });

  const onClick = guard((event: MouseEvent) => {
    const target = event.target;
    if (!(target instanceof Element)) return;
    lifeCycle.notify('activity', { kind: 'click' });
    if (!config.trackUserInteractions) return;
    const now = performance.now();
    const click: PendingClick = {
      event: action('click', getActionName(target, getPrivacyLevel(target, config.defaultPrivacyLevel)), target, Math.round(event.clientX), Math.round(event.clientY)),
      target,
      at: now,
      reacted: false,
      sent: false,
      unwatch: () => {},
    };
    recent = recent.filter((p) => now - p.at < CLICK_WINDOW_MS);
    const chain = recent.filter((p) => p.target === target);
    // Clicks already sent keep their flag; this one and those still waiting get it.
    if (chain.length >= RAGE_CLICKS - 1) for (const p of [...chain, click]) p.event.rage = true;
    if (recent.push(click) > MAX_PENDING) recent.shift();
    if (pending.push(click) > MAX_PENDING) finish(pending[0]!);
    if (target.closest(NEVER_DEAD)) reacted(click);
    else click.unwatch = activity.watch(() => reacted(click));
    timer ??= setTimeout(check, CLICK_WINDOW_MS + 1);
  });

  const onChange = guard((event: Event) => {
    const field = event.target;
    if (!(field instanceof Element) || !config.trackUserInteractions) return;
    const tag = field.tagName;
    if (tag === 'INPUT' ? NOT_FILLED.test((field as HTMLInputElement).type) : tag !== 'TEXTAREA' && tag !== 'SELECT') return;
    const changed = action('input', getActionName(field, getPrivacyLevel(field, config.defaultPrivacyLevel)), null);
    changed.selector = fieldSelector(field);
    lifeCycle.notify('rawEvent', changed);
  });

  const onSubmit = guard((event: SubmitEvent) => {
    const form = event.target;
    if (!(form instanceof Element) || !config.trackUserInteractions) return;
    const level = getPrivacyLevel(form, config.defaultPrivacyLevel);
    const submitter = event.submitter;
    const name =
      form.getAttribute('data-oo-action-name') ??
      form.getAttribute('data-dd-action-name') ??
      (level === 'mask' || level === 'hidden' ? null : form.getAttribute('aria-label') ?? form.getAttribute('name') ?? (submitter && getActionName(submitter, level))) ??
      (form.id || 'form');
    lifeCycle.notify('rawEvent', action('submit', name, form));
  });

  const unsubscribers = [
    // An error after a click (its handler threw, its request failed) makes it an error click, not a dead one;
    // it is sent at once, with the error (what is known of it will not change).
    lifeCycle.subscribe('event', (event) => {
      if (event.type !== 'error' || event.source === 'internal') return;
      for (const click of pending) {
        click.event.errorClick = true;
        click.reacted = true;
        finish(click);
      }
    }),
    // Navigating away is a reaction: the clicks of a view that ends are sent before its view_end.
    lifeCycle.subscribe('beforeViewEnd', ({ viewId }) => {
      for (const click of pending) {
        if (click.event.viewId !== viewId) continue;
        click.reacted = true;
        finish(click);
      }
    }),
    // Leaving the page is a reaction: send what waits now.
    lifeCycle.subscribe('pageHide', () => {
      for (const click of pending) {
        click.reacted = true;
        finish(click);
      }
    }),
  ];
  const options = { capture: true, passive: true } as const;
  addEventListener('click', onClick, options);
  addEventListener('submit', onSubmit, options);
  addEventListener('change', onChange, options);
  return {
    /** openobserveRum.addAction(name, context): a custom action, sent at once. */
    addAction(name: string, context?: Record<string, JsonValue>) {
      const event = action('custom', String(name).slice(0, 200), null);
      const json = toJsonObject(context);
      if (json) event.context = json;
      lifeCycle.notify('rawEvent', event);
    },
    stop() {
      removeEventListener('click', onClick, options);
      removeEventListener('submit', onSubmit, options);
      removeEventListener('change', onChange, options);
      unsubscribers.forEach((unsubscribe) => unsubscribe());
      clearTimeout(timer);
      clearTimeout(reactedTimer);
      pending.forEach((p) => p.unwatch());
      pending = recent = [];
    },
  };
}
