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

export function sessionSteps(events: readonly StoredEvent[]): Step[] {
  const steps: Step[] = [];
  let lastCause = -Infinity;
  const sorted = events.filter((e): e is StoredEvent & (ViewEvent | ActionEvent) => e.type === 'view' || e.type === 'action').sort(byTime);
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
