/**
 * A small browser-agnostic driver for e2e tests that must run in both browsers (`describe.each(BROWSERS)`).
 * Chromium: Playwright over CDP (support/chromium.ts). Firefox ESR: puppeteer-core over WebDriver BiDi
 * (support/firefox.ts). Browser-specific tests keep using those two files directly.
 *
 * Both read the extension's state from one extension page (the panel page with no tab, opened once): it shares
 * the background's origin (IndexedDB, tabs API), it neither wakes nor keeps alive the background, and it works
 * while the background is stopped. (A Playwright Worker handle of a stopped service worker can hang on evaluate.)
 */
import { afterAll, beforeAll } from 'vitest';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page as PlaywrightPage } from 'playwright-core';
import puppeteer, { type Page as PuppeteerPage } from 'puppeteer-core';
import { CHROMIUM_FLAGS, launchChromium, serviceWorkerTargetId, stopServiceWorker, type ChromiumWithExtension } from './chromium';
import { findBrowser } from './findBrowser';
import { backgroundInstance, launchFirefox, terminateBackground, type FirefoxWithExtension } from './firefox';

export type BrowserKind = 'chromium' | 'firefox';
/**
 * The browsers the `describe.each(BROWSERS)` blocks run in: both, unless RUMSCOPE_E2E_BROWSERS names some
 * (`chromium`, `firefox`, comma-separated) — `npm run soak -- --halves` runs the two halves side by side.
 */
export const BROWSERS: readonly BrowserKind[] = selectBrowsers(process.env.RUMSCOPE_E2E_BROWSERS);

function selectBrowsers(list: string | undefined): BrowserKind[] {
  const all: BrowserKind[] = ['chromium', 'firefox'];
  if (!list) return all;
  const named = list.split(',').map((name) => name.trim());
  const unknown = named.filter((name) => !all.includes(name as BrowserKind));
  if (unknown.length || !named.length) throw new Error(`RUMSCOPE_E2E_BROWSERS names ${unknown.join(', ') || 'nothing'}; it takes chromium, firefox`);
  return all.filter((kind) => named.includes(kind));
}
export type StoreName = 'sessions' | 'events' | 'loads' | 'tabStats' | 'meta' | 'credentials' | 'replayAssetRefs' | 'searchTerms' | 'searchBlocks' | 'sessionChanges' | 'derivedCache';

export interface DriverPage {
  url(): string;
  /** http(s) pages only (Firefox never reports the load of an extension page: use openExtensionPage). */
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /**
   * Starts going back one entry and resolves without waiting for a load (a page restored from the back/forward
   * cache fires no load event): poll the page for what you expect.
   */
  goBack(): Promise<void>;
  click(selector: string): Promise<void>;
  /** Replaces the value of an input or textarea as typing does (`input` and `change` events). */
  fill(selector: string, value: string): Promise<void>;
  /** Runs `fn` in the page (it is serialised: no closures). */
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  /** Uncaught errors the page has thrown so far (their messages). */
  pageErrors(): string[];
  /** Runs `trigger` (which makes the page download one file) and returns that file. */
  download(trigger: () => Promise<void>): Promise<{ fileName: string; text: string }>;
  close(): Promise<void>;
}

export interface OpenPageOptions {
  /** Runs in every document of the page before its own scripts (serialised: no closures). */
  initScript?: () => void;
}

export interface Driver {
  readonly kind: BrowserKind;
  /** The browser's name as the panel shows it. */
  readonly browserName: 'Chrome' | 'Firefox';
  /** The browser-specific handle, for the rare test that needs more than this interface (a new one after restart). */
  readonly native: { kind: 'chromium'; ext: ChromiumWithExtension } | { kind: 'firefox'; ext: FirefoxWithExtension };
  openPage(url: string, options?: OpenPageOptions): Promise<DriverPage>;
  /** The Sessions panel page as a tab, for the given inspected tab. */
  openPanel(tabId: number): Promise<DriverPage>;
  /** An extension page (e.g. `extension/popup/index.html?tabId=3`) as a tab, once `selector` is in it. */
  openExtensionPage(path: string, selector?: string): Promise<DriverPage>;
  /** The URL of an extension page (`chrome-extension://…` or `moz-extension://…`). */
  extensionUrl(path: string): string;
  /** The open tab showing exactly `url` (e.g. one the extension opened), once there is one. */
  findPage(url: string): Promise<DriverPage>;
  /** The tab id the browser gave the tab showing `url`; -1 if none. */
  tabIdOf(url: string): Promise<number>;
  /** Every record of one store of the extension's database (`rumscope`), read inside the extension. */
  readStore<T = any>(store: StoreName): Promise<T[]>;
  /** Runs `fn` in an extension page (the extension's origin and APIs; `browser` in Firefox, `chrome` in Chrome). */
  evaluateInExtension<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  /** Which background instance runs (a new value after every restart); null while none runs. Does not wake it. */
  backgroundInstance(): Promise<string | null>;
  /**
   * Stops the running background the way the browser does (Chromium: closes the service worker; Firefox:
   * unloads the event page). Resolves once that instance is gone (the next message may start a new one).
   * A background that is being started again (a page's message after the last stop woke it) is waited for:
   * the relay wakes it asynchronously, so it may not run yet when the test's last call returned.
   */
  stopBackground(): Promise<void>;
  /**
   * Quits the browser and starts it again on the same profile (with the extension and its data), then waits
   * until the background has started. Every page handle from before is gone. Firefox: needs `restartable`.
   */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface DriverOptions {
  /** Firefox only: `extensions.background.idle.timeout`. Chromium's idle stop cannot be shortened. */
  backgroundIdleMs?: number;
  /** Keep the back/forward cache on (Playwright turns it off in Chromium; Firefox keeps it on anyway). */
  backForwardCache?: boolean;
  /**
   * Allow `restart()`. Firefox: the add-on is then installed in the profile as a user has it (an unsigned XPI),
   * not as a temporary add-on, which Firefox uninstalls with its storage when it quits.
   */
  restartable?: boolean;
  /**
   * A page opened as the browser starts, before the extension is ready (as `npm start` opens the demo): Chromium
   * opens it as soon as the browser runs, while the extension's service worker starts; Firefox gets it on its command
   * line, with the add-on installed in the profile so that it starts with the browser. Find it with findPage.
   */
  openAtStart?: string;
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

/**
 * The running background instance, waiting up to 15 s for one that is starting: after a stop, the page's next
 * message reaches a new background only once the relay has reconnected (a timer) and the browser started it.
 */
async function runningInstance(instance: () => Promise<string | null>, what: string): Promise<string> {
  let found: string | null = null;
  await poll(async () => (found = await instance()) !== null, what);
  return found!;
}

async function poll(check: () => Promise<boolean>, what: string, timeout = 15_000) {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

function wrapPlaywright(page: PlaywrightPage): DriverPage {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return {
    url: () => page.url(),
    goto: async (url) => void (await page.goto(url)),
    reload: async () => void (await page.reload()),
    goBack: async () => void (await page.goBack({ waitUntil: 'commit' })),
    click: (selector) => page.click(selector),
    fill: (selector, value) => page.fill(selector, value),
    evaluate: (fn, arg) => page.evaluate(fn as (arg: unknown) => unknown, arg) as Promise<any>,
    pageErrors: () => [...errors],
    download: async (trigger) => {
      const [download] = await Promise.all([page.waitForEvent('download'), trigger()]);
      return { fileName: download.suggestedFilename(), text: await readFile((await download.path())!, 'utf8') };
    },
    close: () => page.close(),
  };
}

/**
 * Puppeteer clicks where the element was when it asked (it has no Playwright-style actionability wait): on a
 * page still laying out (the dashboard's lazy charts above the list) the click lands on whatever moved there.
 * So wait until the element has not moved for 100 ms, then click it as a user would (at its point, hit-tested).
 */
async function settledClick(page: PuppeteerPage, selector: string) {
  const element = await page.$(selector);
  if (!element) throw new Error(`no ${selector}`);
  // Measured from here, never with the page's own timers or observers (a test page may have replaced them).
  const where = async () => JSON.stringify(await element.boundingBox());
  const deadline = Date.now() + 10_000;
  let before = await where();
  for (;;) {
    await new Promise((ok) => setTimeout(ok, 100));
    const now = await where();
    if (now === before || Date.now() > deadline) break;
    before = now;
  }
  await element.click();
}

/** Firefox saves every download into `downloadDir` (prefs set at launch) without asking. */
function wrapPuppeteer(page: PuppeteerPage, downloadDir: string): DriverPage {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push((error as Error).message ?? String(error)));
  return {
    url: () => page.url(),
    goto: async (url) => void (await page.goto(url)),
    reload: async () => void (await page.reload()),
    goBack: async () => void page.goBack().catch(() => {}),
    click: (selector) => settledClick(page, selector),
    fill: (selector, value) =>
      page.evaluate(
        ({ selector, value }) => {
          const field = document.querySelector<HTMLInputElement | HTMLTextAreaElement>(selector);
          if (!field) throw new Error(`no ${selector}`);
          field.focus();
          field.value = value;
          field.dispatchEvent(new Event('input', { bubbles: true }));
          field.dispatchEvent(new Event('change', { bubbles: true }));
        },
        { selector, value },
      ),
    evaluate: (fn, arg) => page.evaluate(fn as (arg: unknown) => unknown, arg) as Promise<any>,
    pageErrors: () => [...errors],
    download: async (trigger) => {
      const before = new Set(await readdir(downloadDir));
      await trigger();
      let fileName = '';
      // Firefox writes `<name>.part` first and renames it when done; the empty `<name>` placeholder it creates
      // may be listed a moment before its `.part`, so an empty file is not the download yet.
      await poll(async () => {
        const names = (await readdir(downloadDir)).filter((n) => !before.has(n));
        fileName = names.find((n) => !n.endsWith('.part') && !names.includes(`${n}.part`)) ?? '';
        return fileName !== '' && (await stat(join(downloadDir, fileName)).catch(() => null))?.size !== 0;
      }, 'the download');
      return { fileName, text: await readFile(join(downloadDir, fileName), 'utf8') };
    },
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

/** What a driver holds between restarts. */
interface Running<Ext> {
  ext: Ext;
  /** The panel page with no tab, kept open to read the extension's state. */
  extensionPage: DriverPage;
}

async function chromiumDriver(options: DriverOptions): Promise<Driver> {
  const profile = await mkdtemp(join(tmpdir(), 'rumscope-chromium-'));
  const start = async (): Promise<Running<ChromiumWithExtension> & { raw: PlaywrightPage }> => {
    const ext = await launchChromium({ profileDir: profile, backForwardCache: options.backForwardCache, startUrl: options.openAtStart });
    try {
      const raw = await ext.context.newPage();
      await raw.goto(ext.panelUrl());
      const extensionPage = wrapPlaywright(raw);
      await poll(() => extensionPage.evaluate(captureRegisteredInExtension), 'the capture scripts to be registered');
      return { ext, extensionPage, raw };
    } catch (error) {
      await ext.close();
      throw error;
    }
  };
  let now = await start().catch(async (error: unknown) => {
    await rm(profile, { recursive: true, force: true });
    throw error;
  });
  const instance = () => serviceWorkerInstance(now.raw, now.ext.extensionId);
  const extensionUrl = (path: string) => `chrome-extension://${now.ext.extensionId}/${path.replace(/^\//, '')}`;
  return {
    kind: 'chromium',
    browserName: 'Chrome',
    get native() {
      return { kind: 'chromium' as const, ext: now.ext };
    },
    openPage: async (url, pageOptions = {}) => {
      const page = await now.ext.context.newPage();
      if (pageOptions.initScript) await page.addInitScript(pageOptions.initScript);
      await page.goto(url);
      return wrapPlaywright(page);
    },
    openPanel: async (tabId) => {
      const page = await now.ext.context.newPage();
      await page.goto(now.ext.panelUrl(tabId));
      return wrapPlaywright(page);
    },
    openExtensionPage: async (path, selector = 'body') => {
      const page = await now.ext.context.newPage();
      await page.goto(extensionUrl(path));
      await page.waitForSelector(selector, { state: 'attached' });
      return wrapPlaywright(page);
    },
    extensionUrl,
    findPage: async (url) => {
      let found: PlaywrightPage | undefined;
      await poll(async () => !!(found = now.ext.context.pages().find((p) => p.url() === url)), `a tab showing ${url}`);
      await found!.waitForLoadState();
      return wrapPlaywright(found!);
    },
    tabIdOf: (url) => now.extensionPage.evaluate(tabIdInExtension, url),
    readStore: (store) => now.extensionPage.evaluate(readStoreInExtension, store) as Promise<any[]>,
    evaluateInExtension: (fn, arg) => now.extensionPage.evaluate(fn, arg),
    backgroundInstance: instance,
    stopBackground: async () => {
      const before = await runningInstance(instance, 'a running service worker to stop');
      if (!(await stopServiceWorker(now.raw, now.ext.extensionId))) throw new Error('no service worker to stop');
      await poll(async () => (await instance()) !== before, 'the service worker to stop');
    },
    restart: async () => {
      await now.ext.close();
      now = await start();
    },
    close: async () => {
      await now.ext.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

async function firefoxDriver(options: DriverOptions): Promise<Driver> {
  const profile = await mkdtemp(join(tmpdir(), 'rumscope-firefox-'));
  const downloadDir = join(profile, 'rumscope-downloads');
  await mkdir(downloadDir);
  const prefs = {
    'browser.download.dir': downloadDir,
    'browser.download.folderList': 2,
    'browser.download.useDownloadDir': true,
    'browser.download.always_ask_before_handling_new_types': false,
    'browser.download.alwaysOpenPanel': false,
  };
  const start = async (): Promise<Running<FirefoxWithExtension> & { raw: PuppeteerPage }> => {
    const ff = await launchFirefox({
      backgroundIdleMs: options.backgroundIdleMs,
      profileDir: profile,
      installInProfile: options.restartable,
      startUrl: options.openAtStart,
      prefs,
    });
    try {
      const raw = await ff.openExtensionPage('extension/panelHost/index.html', '#app');
      const extensionPage = wrapPuppeteer(raw, downloadDir);
      await poll(() => extensionPage.evaluate(captureRegisteredInExtension), 'the capture scripts to be registered');
      return { ext: ff, extensionPage, raw };
    } catch (error) {
      await ff.close();
      throw error;
    }
  };
  let now = await start().catch(async (error: unknown) => {
    await rm(profile, { recursive: true, force: true });
    throw error;
  });
  const instance = async () => {
    const origin = await backgroundInstance(now.raw);
    return origin === null ? null : String(origin);
  };
  const openExtensionPage = async (path: string, selector?: string) => wrapPuppeteer(await now.ext.openExtensionPage(path, selector), downloadDir);
  return {
    kind: 'firefox',
    browserName: 'Firefox',
    get native() {
      return { kind: 'firefox' as const, ext: now.ext };
    },
    openPage: async (url, pageOptions = {}) => {
      const page = await now.ext.browser.newPage();
      if (pageOptions.initScript) await page.evaluateOnNewDocument(pageOptions.initScript);
      await page.goto(url);
      return wrapPuppeteer(page, downloadDir);
    },
    openPanel: (tabId) => openExtensionPage(`extension/panelHost/index.html?tabId=${tabId}`, '#app'),
    openExtensionPage,
    extensionUrl: (path) => `${now.ext.origin}/${path.replace(/^\//, '')}`,
    findPage: async (url) => {
      let found: PuppeteerPage | undefined;
      // puppeteer keeps reporting about:blank for an extension page: ask each page where it is.
      const at = (p: PuppeteerPage) => p.evaluate(() => location.href).catch(() => '');
      await poll(async () => {
        for (const p of await now.ext.browser.pages()) if ((await at(p)) === url) return !!(found = p);
        return false;
      }, `a tab showing ${url}`);
      // Its load is never reported (an extension page may be one): wait for the document instead.
      await poll(() => found!.evaluate(() => document.readyState === 'complete').catch(() => false), `${url} to load`);
      return wrapPuppeteer(found!, downloadDir);
    },
    tabIdOf: (url) => now.extensionPage.evaluate(tabIdInExtension, url),
    readStore: (store) => now.extensionPage.evaluate(readStoreInExtension, store) as Promise<any[]>,
    evaluateInExtension: (fn, arg) => now.extensionPage.evaluate(fn, arg),
    backgroundInstance: instance,
    stopBackground: async () => {
      const before = await runningInstance(instance, 'a running event page to unload');
      await terminateBackground(now.ext);
      await poll(async () => (await instance()) !== before, 'the event page to unload');
    },
    restart: async () => {
      if (!options.restartable) throw new Error('launch the Firefox driver with { restartable: true } to restart it');
      await now.ext.close();
      now = await start();
    },
    close: async () => {
      await now.ext.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export function launchDriver(kind: BrowserKind, options: DriverOptions = {}): Promise<Driver> {
  return kind === 'chromium' ? chromiumDriver(options) : firefoxDriver(options);
}

/** A browser of the same kind without the extension (e.g. to compare what a page does without Rumscope). */
export async function launchPlainBrowser(kind: BrowserKind): Promise<{ openPage(url: string): Promise<DriverPage>; close(): Promise<void> }> {
  if (kind === 'chromium') {
    const browser = await chromium.launch({ executablePath: findBrowser('chromium'), headless: true, args: CHROMIUM_FLAGS });
    const context = await browser.newContext();
    return {
      openPage: async (url) => {
        const page = await context.newPage();
        await page.goto(url);
        return wrapPlaywright(page);
      },
      close: () => browser.close(),
    };
  }
  const profile = await mkdtemp(join(tmpdir(), 'rumscope-firefox-plain-'));
  const browser = await puppeteer
    .launch({ browser: 'firefox', executablePath: findBrowser('firefox'), protocol: 'webDriverBiDi', headless: true, userDataDir: profile })
    .catch(async (error: unknown) => {
      await rm(profile, { recursive: true, force: true });
      throw error;
    });
  return {
    openPage: async (url) => {
      const page = await browser.newPage();
      await page.goto(url);
      return wrapPuppeteer(page, profile);
    },
    close: async () => {
      await browser.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Texts of every element matching `selector` in a driver page (for panel assertions). */
export function textsOf(page: DriverPage, selector: string): Promise<string[]> {
  return page.evaluate((s) => [...document.querySelectorAll<HTMLElement>(s)].map((e) => e.innerText.trim()), selector);
}

/**
 * The browser of one `describe.each(BROWSERS)` block, the e2e fixture: launched with the extension before the
 * block's tests (up to a few minutes on a loaded 2-core machine) and closed after them. It is the Driver itself; using it
 * before the launch (at collection time) throws.
 */
export function useDriver(kind: BrowserKind, options: DriverOptions = {}): Driver {
  let driver: Driver | undefined;
  beforeAll(async () => {
    driver = await launchDriver(kind, options);
  }, 240_000);
  afterAll(async () => {
    await driver?.close();
  });
  return new Proxy({} as Driver, {
    get(_target, key) {
      if (!driver) throw new Error(`the ${kind} driver is used before its launch (use it inside a test or hook)`);
      const value: unknown = Reflect.get(driver, key);
      return typeof value === 'function' ? value.bind(driver) : value;
    },
  });
}
