/**
 * A session's steps to reproduce, from its page views and actions in time order: what the bug report lists
 * and the Playwright export replays.
 */
import type { ActionEvent, StoredEvent, ViewEvent } from '../../../sdk/schema';

/** A navigation this soon after a click or submit is taken as caused by it (the page is not opened anew). */
export const CAUSED_NAVIGATION_MS = 3_000;

export type Step =
  /** Open a URL (typed, bookmarked, the first page). */
  | { kind: 'open'; url: string; time: number }
  /** The app or a click moved to this URL. */
  | { kind: 'navigated'; url: string; time: number }
  | { kind: 'reload'; url: string; time: number }
  | { kind: 'back'; url: string; time: number }
  | { kind: 'click'; name: string; selector: string | null; time: number }
  | { kind: 'input'; label: string; selector: string | null; time: number }
  | { kind: 'submit'; name: string; selector: string | null; time: number }
  | { kind: 'custom'; name: string; time: number };

const byTime = (a: StoredEvent, b: StoredEvent) => a.time - b.time || (a.loadId === b.loadId ? a.seq - b.seq : 0);

/**
 * Two documents' clocks may differ by a few milliseconds (each page's time is its own time origin plus its monotonic
 * clock): the page a link opens can have its first view stamped just before the click on that link, in the page
 * before. A view of a new page load is therefore put after the clicks and submits of other loads stamped at most this
 * long after it.
 */
export const CLOCK_SKEW_MS = 100;

type StepEvent = StoredEvent & (ViewEvent | ActionEvent);

/** `sorted` with each new page load's view after the clicks and submits of other loads within CLOCK_SKEW_MS after it. */
function causesFirst(sorted: StepEvent[]): StepEvent[] {
  const out = sorted.slice();
  for (let i = out.length - 1; i >= 0; i--) {
    const view = out[i]!;
    if (view.type !== 'view' || view.navigation !== 'initial') continue;
    let j = i;
    for (;;) {
      const next = out[j + 1];
      if (!next || next.type !== 'action' || next.loadId === view.loadId || next.time - view.time > CLOCK_SKEW_MS) break;
      if (next.action !== 'click' && next.action !== 'submit') break;
      j++;
    }
    if (j > i) out.splice(j, 0, ...out.splice(i, 1));
  }
  return out;
}

export function sessionSteps(events: readonly StoredEvent[]): Step[] {
  const steps: Step[] = [];
  let lastCause = -Infinity;
  const sorted = causesFirst(events.filter((e): e is StepEvent => e.type === 'view' || e.type === 'action').sort(byTime));
  for (const event of sorted) {
    if (event.type === 'view') {
      const { url, time } = event;
      if (!steps.some((s) => s.kind === 'open')) steps.push({ kind: 'open', url, time });
      else if (event.navigation === 'reload') steps.push({ kind: 'reload', url, time });
      else if (event.navigation === 'back_forward' || event.navigation === 'pop') steps.push({ kind: 'back', url, time });
      else if (event.navigation === 'initial' && time - lastCause > CAUSED_NAVIGATION_MS) steps.push({ kind: 'open', url, time });
      else steps.push({ kind: 'navigated', url, time });
      continue;
    }
    const { name, selector, time } = event;
    switch (event.action) {
      case 'click':
        steps.push({ kind: 'click', name, selector, time });
        lastCause = time;
        break;
      case 'submit': {
        const prev = steps.at(-1);
        lastCause = time;
        // A submit right after a click on its button is that click's effect.
        if (prev?.kind === 'click' && time - prev.time < 1_000) continue;
        steps.push({ kind: 'submit', name, selector, time });
        break;
      }
      case 'input': {
        // Typing fires a change per field edit: one step per field in a row.
        const prev = steps.at(-1);
        if (prev?.kind === 'input' && prev.selector === selector && prev.label === name) continue;
        steps.push({ kind: 'input', label: name, selector, time });
        break;
      }
      case 'custom':
        steps.push({ kind: 'custom', name, time });
        break;
    }
  }
  return steps;
}
