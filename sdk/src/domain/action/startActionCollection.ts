import type { ActionEvent } from '../../../schema';
import type { LifeCycle } from '../../lifeCycle';
import type { Guard } from '../../tools/guard';
import { utcOffsetMinutes } from '../../tools/time';
import type { ViewState } from '../view/startViewCollection';
import { getActionName, getSelector } from './getActionName';

/** Clicks (trusted ones; page-dispatched clicks are the page's business) and form submissions. */
export function startActionCollection(lifeCycle: LifeCycle, guard: Guard, view: ViewState) {
  const emit = (action: ActionEvent['action'], target: Element, x: number | null, y: number | null) => {
    const now = Date.now();
    lifeCycle.notify('activity', { time: now });
    lifeCycle.notify('event', {
      type: 'action',
      time: now,
      tz: utcOffsetMinutes(),
      viewId: view.viewId,
      action,
      name: getActionName(target),
      selector: getSelector(target),
      x,
      y,
      rage: false,
      dead: false,
      errorClick: false,
    });
  };

  const onClick = guard((event: MouseEvent) => {
    if (!(event.target instanceof Element)) return;
    emit('click', event.target, Math.round(event.clientX), Math.round(event.clientY));
  });
  const onSubmit = guard((event: SubmitEvent) => {
    if (event.target instanceof Element) emit('submit', event.target, null, null);
  });
  const options = { capture: true, passive: true } as const;
  addEventListener('click', onClick, options);
  addEventListener('submit', onSubmit, options);
  return {
    stop() {
      removeEventListener('click', onClick, options);
      removeEventListener('submit', onSubmit, options);
    },
  };
}
