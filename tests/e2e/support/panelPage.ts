/** What the dashboard's e2e tests do in the Sessions panel, as a user would. */
import { expect } from 'vitest';
import type { DriverPage } from './driver';

/** The ids of the session list's rows, sorted. */
export const rowIds = (panel: DriverPage) =>
  panel.evaluate(() => [...document.querySelectorAll<HTMLElement>('tbody tr[data-session-id]')].map((r) => r.dataset.sessionId).sort());

/** Chooses an option of a filter's select as a user would (the browsers' drivers differ in select support). */
export const choose = (panel: DriverPage, selector: string, value: string) =>
  panel.evaluate(
    ({ selector, value }) => {
      const select = document.querySelector<HTMLSelectElement>(selector);
      if (!select) throw new Error(`no ${selector}`);
      select.value = value;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    },
    { selector, value },
  );

/** Reloads the panel from inside (a driver's reload of an extension page never returns in Firefox) and waits for it. */
export async function reloadPanel(panel: DriverPage, poll: { timeout: number; interval: number }) {
  await panel.evaluate(() => {
    (window as { beforeReload?: boolean }).beforeReload = true;
    setTimeout(() => location.reload(), 0);
  });
  await expect
    .poll(() => panel.evaluate(() => (window as { beforeReload?: boolean }).beforeReload === undefined && document.readyState === 'complete'), poll)
    .toBe(true);
}
