/**
 * Debian's Firefox ESR with the built extension (dist/firefox) installed, over WebDriver BiDi
 * (puppeteer-core; Playwright's Firefox needs its own patched build). Headless, throwaway profile.
 *
 * Facts this relies on (verified on Firefox ESR 153):
 * - the `extensions.webextensions.uuids` pref fixes the extension's moz-extension:// host;
 * - awaiting `page.goto` of a moz-extension URL never resolves: start it and wait for a selector;
 * - `--remote-allow-system-access` lets BiDi evaluate in the browser window itself (`moz:scope: chrome`),
 *   used only to terminate the event page and to reach the DevTools toolbox;
 * - `extension.getViews()` from an extension page lists the event page while it is loaded, and only then.
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { distDir } from './chromium';
import { findBrowser } from './findBrowser';
import { assertTestBuild } from './testBuild';

/** Any fixed UUID: it only has to be the same on every run so extension URLs are known in advance. */
export const FIREFOX_EXTENSION_UUID = '3c1d6a52-8f0e-4b7a-9e21-5d4c7b2a9f60';

export interface FirefoxWithExtension {
  browser: Browser;
  /** The gecko id from the built manifest (browser_specific_settings.gecko.id). */
  extensionId: string;
  /** moz-extension://<fixed uuid> */
  origin: string;
  panelUrl(tabId?: number): string;
  /** Opens an extension page in a new tab and waits until `selector` is in it. */
  openExtensionPage(path: string, selector?: string): Promise<Page>;
  /** Evaluates an expression in the browser window (privileged); the value must be JSON-serialisable. */
  chromeEval<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}

export interface FirefoxOptions {
  /** `extensions.background.idle.timeout`: how long the event page may idle before Firefox unloads it (default 30 s). */
  backgroundIdleMs?: number;
  prefs?: Record<string, string | number | boolean>;
  /** Reuse a profile (e.g. to restart the browser on it); the caller deletes it. Default: a throwaway one. */
  profileDir?: string;
  /**
   * Install the add-on the way a user has it, as an XPI in the profile (unsigned: Firefox ESR honours
   * `xpinstall.signatures.required = false`), instead of as a temporary add-on over BiDi. A temporary add-on is
   * uninstalled when the browser quits (with its storage), so only this survives a browser restart.
   */
  installInProfile?: boolean;
  /**
   * A page Firefox opens from its command line as it starts, as `npm start` opens the demo. The add-on is then
   * installed in the profile (installInProfile), so that it starts with the browser as a user's does and the page
   * loads while its background starts, not after the add-on was installed over BiDi.
   */
  startUrl?: string;
}

/** Zips the built extension into `<profile>/extensions/<gecko id>.xpi` unless it is there already (a restart). */
async function installXpiInProfile(dist: string, profile: string, extensionId: string): Promise<void> {
  const dir = join(profile, 'extensions');
  const xpi = join(dir, `${extensionId}.xpi`);
  if (await access(xpi).then(() => true, () => false)) return;
  await mkdir(dir, { recursive: true });
  await promisify(execFile)('zip', ['-qr', xpi, '.'], { cwd: dist });
}

interface BidiConnection {
  send(method: string, params: object): Promise<{ result: any }>;
}

export async function launchFirefox(options: FirefoxOptions = {}): Promise<FirefoxWithExtension> {
  const dist = distDir('firefox');
  assertTestBuild(dist);
  const manifest = JSON.parse(await readFile(join(dist, 'manifest.json'), 'utf8'));
  const extensionId: string = manifest.browser_specific_settings.gecko.id;
  const ownProfile = !options.profileDir;
  const installInProfile = options.installInProfile || !!options.startUrl;
  const profile = options.profileDir ?? (await mkdtemp(join(tmpdir(), 'rumscope-firefox-')));
  const prefs: Record<string, string | number | boolean> = {
    'extensions.webextensions.uuids': JSON.stringify({ [extensionId]: FIREFOX_EXTENSION_UUID }),
    ...(installInProfile ? { 'xpinstall.signatures.required': false } : {}),
    ...options.prefs,
  };
  if (options.backgroundIdleMs !== undefined) prefs['extensions.background.idle.timeout'] = options.backgroundIdleMs;
  let browser: Browser;
  try {
    if (installInProfile) await installXpiInProfile(dist, profile, extensionId);
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: findBrowser('firefox'),
      protocol: 'webDriverBiDi',
      headless: true,
      userDataDir: profile,
      args: ['--remote-allow-system-access', ...(options.startUrl ? [options.startUrl] : [])],
      extraPrefsFirefox: prefs,
    });
    if (!installInProfile) await browser.installExtension(dist);
  } catch (error) {
    if (ownProfile) await rm(profile, { recursive: true, force: true });
    throw error;
  }
  const origin = `moz-extension://${FIREFOX_EXTENSION_UUID}`;
  const connection = (browser as unknown as { connection: BidiConnection }).connection;

  return {
    browser,
    extensionId,
    origin,
    panelUrl: (tabId?: number) => `${origin}/extension/panelHost/index.html${tabId === undefined ? '' : `?tabId=${tabId}`}`,
    async openExtensionPage(path, selector = 'body') {
      const page = await browser.newPage();
      // Never awaited: Firefox does not report the load of a moz-extension:// page over BiDi.
      void page.goto(`${origin}/${path.replace(/^\//, '')}`).catch(() => {});
      // Polled by hand: waitForSelector can fail outright when it evaluates while the page is being replaced.
      const ready = (s: string) => location.origin.startsWith('moz-extension:') && document.querySelector(s) !== null;
      const end = Date.now() + 15_000;
      while (!(await page.evaluate(ready, selector).catch(() => false))) {
        if (Date.now() > end) throw new Error(`extension page ${path} did not show ${selector}`);
        await new Promise((ok) => setTimeout(ok, 50));
      }
      return page;
    },
    async chromeEval<T>(expression: string): Promise<T> {
      const tree = await connection.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
      const context = tree.result.contexts[0].context as string;
      const wrapped = `(async () => JSON.stringify(await (${expression})))()`;
      const { result } = await connection.send('script.evaluate', { expression: wrapped, target: { context }, awaitPromise: true });
      if (result.type !== 'success') throw new Error(`chromeEval failed: ${result.exceptionDetails?.text ?? JSON.stringify(result)}`);
      const text = result.result.value as string | undefined;
      return (text === undefined ? undefined : JSON.parse(text)) as T;
    },
    async close() {
      await browser.close().catch(() => {});
      if (ownProfile) await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The running event page's time origin (a new value after every restart), or null while it is unloaded.
 * Evaluated in an extension page: `extension.getViews()` lists the background page only while it is loaded,
 * and asking does not wake it.
 */
export function backgroundInstance(extensionPage: Page): Promise<number | null> {
  return extensionPage.evaluate(() => {
    const api = (globalThis as unknown as { browser: typeof chrome }).browser;
    const view = api.extension.getViews().find((w) => w.location.pathname === '/_generated_background_page.html');
    return view ? view.performance.timeOrigin : null;
  });
}

/**
 * Unloads the event page now, through the call Firefox makes when its idle timer fires. By default that
 * call defers while listeners are still running; here it does not (as when Firefox terminates a busy page).
 */
export async function terminateBackground(ff: FirefoxWithExtension): Promise<void> {
  await ff.chromeEval(`(async () => {
    const { ExtensionParent } = ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs');
    const extension = ExtensionParent.GlobalManager.getExtension(${JSON.stringify(ff.extensionId)});
    await extension.terminateBackground({ disableResetIdleForTest: true, ignoreDevToolsAttached: true });
    return true;
  })()`);
}

/**
 * Smoke test of the DevTools panel inside Firefox's own DevTools (this leans on DevTools internals):
 * opens the toolbox for the tab showing `pageUrl`, selects the extension's "Sessions" panel and returns
 * what its document shows. Cheap enough for every run (about a second).
 */
export async function inspectSessionsPanel(
  ff: FirefoxWithExtension,
  pageUrl: string,
): Promise<{ title: string; href: string; rows: number; text: string }> {
  return ff.chromeEval(`(async () => {
    const { require } = ChromeUtils.importESModule('resource://devtools/shared/loader/Loader.sys.mjs');
    const { gDevTools } = require('devtools/client/framework/devtools');
    const win = Services.wm.getMostRecentWindow('navigator:browser');
    const tab = win.gBrowser.tabs.find((t) => t.linkedBrowser.currentURI.spec === ${JSON.stringify(pageUrl)});
    if (!tab) throw new Error('no tab shows ' + ${JSON.stringify(pageUrl)});
    const toolbox = await gDevTools.showToolboxForTab(tab, { toolId: 'webconsole' });
    let tabs = [];
    // The devtools page registers the panel asynchronously, once the toolbox is up.
    for (let i = 0; i < 100; i++) {
      tabs = [...toolbox.doc.querySelectorAll('.devtools-tab')].filter((t) => t.id.startsWith('toolbox-tab-webext-devtools-panel-'));
      if (tabs.length) break;
      await new Promise((ok) => setTimeout(ok, 100));
    }
    if (tabs.length !== 1) throw new Error('expected one extension panel, found ' + tabs.length);
    const toolId = tabs[0].id.slice('toolbox-tab-'.length);
    await toolbox.selectTool(toolId);
    const browser = toolbox.doc.getElementById('toolbox-panel-iframe-' + toolId).contentDocument.querySelector('browser');
    // The panel runs in the extension's process: a frame script reads its document.
    const read = () => new Promise((ok, ko) => {
      const mm = browser.messageManager;
      const name = 'rumscope-smoke-' + Math.random();
      const timer = setTimeout(() => ko(new Error('the panel did not answer')), 5000);
      const listener = (message) => { clearTimeout(timer); mm.removeMessageListener(name, listener); ok(message.data); };
      mm.addMessageListener(name, listener);
      const code = 'sendAsyncMessage(' + JSON.stringify(name) + ', { href: content.location.href, ' +
        'rows: content.document.querySelectorAll("tbody tr[data-session-id]").length, text: content.document.body.innerText })';
      mm.loadFrameScript('data:,' + encodeURIComponent(code), false);
    });
    let seen = { href: '', rows: 0, text: '' };
    for (let i = 0; i < 50; i++) {
      if (browser.currentURI.spec.startsWith('moz-extension:')) {
        seen = await read();
        if (seen.rows > 0) break;
      }
      await new Promise((ok) => setTimeout(ok, 100));
    }
    return { title: tabs[0].textContent.trim(), ...seen };
  })()`);
}
