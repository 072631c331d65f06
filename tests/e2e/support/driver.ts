/**
 * A small browser-agnostic driver for e2e tests that must run in both browsers (`describe.each(BROWSERS)`).
 * Chromium: Playwright over CDP (support/chromium.ts). Firefox ESR: puppeteer-core over WebDriver BiDi
 * (support/firefox.ts). Browser-specific tests keep using those two files directly.
 *
 * Both read the extension's state from one extension page (the panel page with no tab, opened once): it shares
 * the background's origin (IndexedDB, tabs API), it neither wakes nor keeps alive the background, and it works
 * while the background is stopped. (A Playwright Worker handle of a stopped service worker can hang on evaluate.)
 */
import type { Page as PlaywrightPage } from 'playwright-core';
import type { Page as PuppeteerPage } from 'puppeteer-core';
import { launchChromium, serviceWorkerTargetId, stopServiceWorker, type ChromiumWithExtension } from './chromium';
import { backgroundInstance, launchFirefox, terminateBackground, type FirefoxWithExtension } from './firefox';

export type BrowserKind = 'chromium' | 'firefox';
export const BROWSERS: readonly BrowserKind[] = ['chromium', 'firefox'];
export type StoreName = 'sessions' | 'events' | 'loads' | 'tabStats' | 'meta';

export interface DriverPage {
  url(): string;
  /** http(s) pages only (Firefox never reports the load of an extension page: use openPanel). */
  goto(url: string): Promise<void>;
  click(selector: string): Promise<void>;
  /** Runs `fn` in the page (it is serialised: no closures). */
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  close(): Promise<void>;
}

export interface Driver {
  readonly kind: BrowserKind;
  /** The browser's name as the panel shows it. */
  readonly browserName: 'Chrome' | 'Firefox';
  /** The browser-specific handle, for the rare test that needs more than this interface. */
  readonly native: { kind: 'chromium'; ext: ChromiumWithExtension } | { kind: 'firefox'; ext: FirefoxWithExtension };
  openPage(url: string): Promise<DriverPage>;
  /** The Sessions panel page as a tab, for the given inspected tab. */
  openPanel(tabId: number): Promise<DriverPage>;
  /** The tab id the browser gave the tab showing `url`; -1 if none. */
  tabIdOf(url: string): Promise<number>;
  /** Every record of one store of the extension's database (`rumscope`), read inside the extension. */
  readStore<T = any>(store: StoreName): Promise<T[]>;
  /** Which background instance runs (a new value after every restart); null while none runs. Does not wake it. */
  backgroundInstance(): Promise<string | null>;
  /**
   * Stops the running background the way the browser does (Chromium: closes the service worker; Firefox:
   * unloads the event page). Resolves once that instance is gone (the next message may start a new one).
   */
  stopBackground(): Promise<void>;
  close(): Promise<void>;
}

export interface DriverOptions {
  /** Firefox only: `extensions.background.idle.timeout`. Chromium's idle stop cannot be shortened. */
  backgroundIdleMs?: number;
}

/** Reads one object store of the `rumscope` database; evaluated inside the extension (serialised). */
async function readStoreInExtension(name: StoreName): Promise<unknown[]> {
  const open = indexedDB.open('rumscope');
  const db: IDBDatabase = await new Promise((ok, ko) => {
    open.onsuccess = () => ok(open.result);
    open.onerror = () => ko(open.error);
  });
  try {
    return await new Promise<unknown[]>((ok, ko) => {
      const request = db.transaction(name).objectStore(name).getAll();
      request.onsuccess = () => ok(request.result);
      request.onerror = () => ko(request.error);
    });
  } finally {
    db.close();
  }
}

/** The id of the tab showing `url`, from an extension page (`browser` in Firefox, `chrome` in Chrome). */
async function tabIdInExtension(url: string): Promise<number> {
  const api = (globalThis as unknown as { browser?: typeof chrome }).browser ?? chrome;
  return (await api.tabs.query({})).find((t) => t.url === url)?.id ?? -1;
}

/** True once the background has registered the relay and capture scripts (it does so at its first start). */
async function captureRegisteredInExtension(): Promise<boolean> {
  const api = (globalThis as unknown as { browser?: typeof chrome }).browser ?? chrome;
  return (await api.scripting.getRegisteredContentScripts()).length === 2;
}

async function poll(check: () => Promise<boolean>, what: string, timeout = 15_000) {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

/** Playwright's and puppeteer's pages agree on the few methods used here. */
interface AnyPage {
  url(): string;
  goto(url: string): Promise<unknown>;
  click(selector: string): Promise<void>;
  evaluate(fn: (arg: any) => unknown, arg?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

function wrap(page: AnyPage): DriverPage {
  return {
    url: () => page.url(),
    goto: async (url) => void (await page.goto(url)),
    click: (selector) => page.click(selector),
    evaluate: (fn, arg) => page.evaluate(fn, arg) as Promise<any>,
    close: () => page.close(),
  };
}

/**
 * The running service worker's CDP target id and time origin, or null. Chromium gives a restarted worker the
 * same target id, and Playwright does not report the restart, so the time origin is read over CDP.
 */
async function serviceWorkerInstance(page: PlaywrightPage, extensionId: string): Promise<string | null> {
  const targetId = await serviceWorkerTargetId(page, extensionId);
  if (!targetId) return null;
  const cdp = await page.context().newCDPSession(page);
  try {
    // A persistent context has no browser-level session: a page's, with a non-flat child session.
    const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId, flatten: false })) as { sessionId: string };
    const reply = new Promise<{ result?: { result?: { value?: number } } }>((ok) =>
      cdp.on('Target.receivedMessageFromTarget', (event: { message: string }) => {
        const message = JSON.parse(event.message);
        if (message.id === 1) ok(message);
      }),
    );
    const evaluate = { id: 1, method: 'Runtime.evaluate', params: { expression: 'performance.timeOrigin', returnByValue: true } };
    await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify(evaluate) });
    const origin = (await Promise.race([reply, new Promise<null>((ok) => setTimeout(() => ok(null), 5000))]))?.result?.result?.value;
    await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => {});
    return origin === undefined ? null : `${targetId}@${origin}`;
  } catch {
    return null; // it stopped while we asked
  } finally {
    await cdp.detach().catch(() => {});
  }
}

async function chromiumDriver(): Promise<Driver> {
  const ext = await launchChromium();
  const extensionPage = await ext.context
    .newPage()
    .then(async (page) => (await page.goto(ext.panelUrl()), page))
    .catch(async (error: unknown) => {
      await ext.close();
      throw error;
    });
  const instance = () => serviceWorkerInstance(extensionPage, ext.extensionId);
  await poll(() => extensionPage.evaluate(captureRegisteredInExtension), 'the capture scripts to be registered');
  return {
    kind: 'chromium',
    browserName: 'Chrome',
    native: { kind: 'chromium', ext },
    openPage: async (url) => {
      const page = await ext.context.newPage();
      await page.goto(url);
      return wrap(page);
    },
    openPanel: async (tabId) => {
      const page = await ext.context.newPage();
      await page.goto(ext.panelUrl(tabId));
      return wrap(page);
    },
    tabIdOf: (url) => extensionPage.evaluate(tabIdInExtension, url),
    readStore: (store) => extensionPage.evaluate(readStoreInExtension, store) as Promise<any[]>,
    backgroundInstance: instance,
    stopBackground: async () => {
      const before = await instance();
      if (!before || !(await stopServiceWorker(extensionPage, ext.extensionId))) throw new Error('no service worker to stop');
      await poll(async () => (await instance()) !== before, 'the service worker to stop');
    },
    close: () => ext.close(),
  };
}

async function firefoxDriver(options: DriverOptions): Promise<Driver> {
  const ff = await launchFirefox(options);
  const extensionPage = await ff.openExtensionPage('panel/index.html', '#app').catch(async (error: unknown) => {
    await ff.close();
    throw error;
  });
  const instance = async () => {
    const origin = await backgroundInstance(extensionPage);
    return origin === null ? null : String(origin);
  };
  await poll(() => extensionPage.evaluate(captureRegisteredInExtension) as Promise<boolean>, 'the capture scripts to be registered');
  return {
    kind: 'firefox',
    browserName: 'Firefox',
    native: { kind: 'firefox', ext: ff },
    openPage: async (url) => {
      const page = await ff.browser.newPage();
      await page.goto(url);
      return wrap(page);
    },
    openPanel: async (tabId) => wrap(await ff.openExtensionPage(`panel/index.html?tabId=${tabId}`, '#app')),
    tabIdOf: (url) => extensionPage.evaluate(tabIdInExtension, url),
    readStore: (store) => extensionPage.evaluate(readStoreInExtension, store) as Promise<any[]>,
    backgroundInstance: instance,
    stopBackground: async () => {
      const before = await instance();
      if (before === null) throw new Error('the event page is not running');
      await terminateBackground(ff);
      await poll(async () => (await instance()) !== before, 'the event page to unload');
    },
    close: () => ff.close(),
  };
}

export function launchDriver(kind: BrowserKind, options: DriverOptions = {}): Promise<Driver> {
  return kind === 'chromium' ? chromiumDriver() : firefoxDriver(options);
}

/** Texts of every element matching `selector` in a driver page (for panel assertions). */
export function textsOf(page: DriverPage, selector: string): Promise<string[]> {
  return page.evaluate((s) => [...document.querySelectorAll<HTMLElement>(s)].map((e) => e.innerText.trim()), selector);
}
