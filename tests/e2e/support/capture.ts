/** Helpers for the capture e2e tests (tests/e2e/capture-*.e2e.ts): read what one page load stored, type for real. */
import type { Driver, DriverPage } from './driver';

/** Events stored for the page loads whose first URL is `url` (top frame unless `frames`), in the order they happened. */
export async function eventsOf(driver: Driver, url: string, options: { frames?: boolean } = {}): Promise<any[]> {
  const loads = (await driver.readStore('loads')).filter((l) => l.url === url && (options.frames || l.frameId === 0));
  const ids = new Set(loads.map((l) => l.id));
  return (await driver.readStore('events')).filter((e) => ids.has(e.loadId)).sort((a, b) => a.time - b.time || a.seq - b.seq);
}

/** Polls `read` until `done` accepts its value (no fixed sleeps: the machine is shared). */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeout = 15_000): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

/** Real key presses into a field (Playwright and puppeteer pages both have type(selector, text)). */
export async function typeInto(driver: Driver, page: DriverPage, selector: string, text: string) {
  const native = driver.native;
  const pages: { url(): string; type(selector: string, text: string): Promise<void> }[] =
    native.kind === 'chromium' ? native.ext.context.pages() : ((await native.ext.browser.pages()) as never);
  const target = pages.find((p) => p.url() === page.url());
  if (!target) throw new Error(`no native page for ${page.url()}`);
  await target.type(selector, text);
}

/** Sets (or clears) the extension's test hooks from one of its pages (storage.local, which pages cannot reach). */
export async function setTestHooks(driver: Driver, hooks: object | null) {
  const panel = await driver.openPanel(-1);
  await panel.evaluate(async (value) => {
    const api = (globalThis as unknown as { browser?: typeof chrome }).browser ?? chrome;
    if (value) await api.storage.local.set({ 'rumscope.testHooks': value });
    else await api.storage.local.remove('rumscope.testHooks');
  }, hooks);
  await panel.close();
}

/** Makes the page believe it was hidden (headless tabs never are): web-vitals then reports CLS, INP and LCP. */
export function simulateHidden(page: DriverPage) {
  return page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
}
