/**
 * `RUMSCOPE_DIST=<test build> npx tsx bench/panelFirstPaint.ts --profile-dir DIR/100000 [--navigations 5] [--idle-ms 0]`
 * — where the Sessions panel's first list paint goes, in Chromium, over a browser profile seeded by
 * bench/searchChromium.ts --profile-dir (the same build folder: the extension's id comes from its path).
 *
 * The browser is started on the profile, waits --idle-ms (0: the panel is opened as the browser starts, as a user
 * opening DevTools at once would), then opens the panel --navigations times in one tab. Each line: wall time from
 * the navigation to the first session row (Node's clock), and the page's own clock for DOMContentLoaded, load, the
 * table mounted and the first row in it. The first navigation after a start is the "cold" one.
 * A benchmark, not a test: it prints and never fails.
 */
import { resolve } from 'node:path';
import { launchChromium } from '../tests/e2e/support/chromium';

const option = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const profileDir = option('--profile-dir');
if (!profileDir) throw new Error('--profile-dir DIR (a profile seeded by bench/searchChromium.ts --profile-dir)');
const navigations = Number(option('--navigations') ?? 5);
const idleMs = Number(option('--idle-ms') ?? 0);

const browser = await launchChromium({ profileDir: resolve(profileDir), freshServiceWorker: true });
try {
  if (idleMs > 0) await new Promise((ok) => setTimeout(ok, idleMs));
  const page = await browser.context.newPage();
  await page.addInitScript(() => {
    const marks: Record<string, number> = {};
    (globalThis as unknown as { __marks: Record<string, number> }).__marks = marks;
    new MutationObserver(() => {
      if (!marks.table && document.querySelector('table')) marks.table = performance.now();
      if (!marks.row && document.querySelector('tbody tr[data-session-id]')) marks.row = performance.now();
    }).observe(document, { subtree: true, childList: true });
  });
  for (let i = 0; i < navigations; i++) {
    const started = Date.now();
    await page.goto(browser.panelUrl(), { waitUntil: 'commit', timeout: 600_000 });
    await page.waitForSelector('tbody tr[data-session-id]', { timeout: 600_000 });
    const wall = Date.now() - started;
    const at = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const marks = (globalThis as unknown as { __marks: Record<string, number> }).__marks;
      return { dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, table: marks.table ?? NaN, row: marks.row ?? NaN };
    });
    const ms = (n: number) => `${Math.round(n)} ms`;
    console.log(`${i === 0 ? 'cold' : 'warm'} ${i + 1}: first row ${ms(wall)} (page clock: DOMContentLoaded ${ms(at.dcl)}, load ${ms(at.load)}, table ${ms(at.table)}, first row ${ms(at.row)})`);
  }
} finally {
  await browser.close();
}
