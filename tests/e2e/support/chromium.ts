import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findBrowser } from './findBrowser';
import { assertTestBuild } from './testBuild';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface ChromiumWithExtension {
  context: BrowserContext;
  extensionId: string;
  /** The extension's current service worker (it changes after a restart). */
  worker(): Promise<Worker>;
  panelUrl(tabId?: number): string;
  close(): Promise<void>;
}

/** The built extension; RUMSCOPE_DIST (relative to the repo) matches the build script's. */
export const distDir = (browser: 'chrome' | 'firefox') =>
  resolve(import.meta.dirname, '../../..', process.env.RUMSCOPE_DIST ?? 'dist', browser);

export interface LaunchOptions {
  /** Reuse a profile (e.g. to restart the browser on it); the caller deletes it. Default: a throwaway one. */
  profileDir?: string;
  /** Keep the back/forward cache on (Playwright turns it off by default). */
  backForwardCache?: boolean;
  /** A page the browser opens as it starts, as `npm start` does with the demo (before the extension is ready). */
  startUrl?: string;
  /** The build's chrome folder to load (default: RUMSCOPE_DIST's), e.g. the bench's build of an earlier commit. */
  dist?: string;
  /** Accept a release build: the bench measures what ships and drives no test hook. The e2e tests never set it. */
  release?: boolean;
  /**
   * With `profileDir`: forget the profile's service worker registrations first. Chromium keeps running the background
   * script it cached in the profile even when the build on disk changed (the pages are read from disk anew), so a
   * bench reusing a seeded profile would time the new panel against the old background. The registration is made
   * again from the build as the extension loads.
   */
  freshServiceWorker?: boolean;
}

/** Debian's Chromium with the built extension loaded, headless, in a throwaway profile. */
export async function launchChromium(options: LaunchOptions = {}): Promise<ChromiumWithExtension> {
  const dist = options.dist ?? distDir('chrome');
  if (!options.release) assertTestBuild(dist);
  const ownProfile = !options.profileDir;
  const profile = options.profileDir ?? (await mkdtemp(join(tmpdir(), 'rumscope-chromium-')));
  if (options.profileDir && options.freshServiceWorker) await rm(join(profile, 'Default', 'Service Worker'), { recursive: true, force: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: findBrowser('chromium'),
    headless: true,
    args: [`--disable-extensions-except=${dist}`, `--load-extension=${dist}`, ...CHROMIUM_FLAGS],
    ...(options.backForwardCache ? { ignoreDefaultArgs: ['--disable-back-forward-cache'] } : {}),
  });
  // Opened at once, while the extension starts (Playwright takes no page on the command line).
  if (options.startUrl) void (context.pages()[0] ?? (await context.newPage())).goto(options.startUrl).catch(() => {});
  let sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15000 }));
  const extensionId = new URL(sw.url()).host;
  // The background registers the relay and capture scripts for the allowed sites at its first start.
  const deadline = Date.now() + 15_000;
  while ((await sw.evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).length)) !== 2) {
    if (Date.now() > deadline) throw new Error('the capture scripts were never registered');
    await new Promise((ok) => setTimeout(ok, 50));
  }
  return {
    context,
    extensionId,
    async worker() {
      const current = context.serviceWorkers().find((w) => w.url().includes(extensionId));
      if (current) return current;
      return context.waitForEvent('serviceworker', { timeout: 15000 });
    },
    panelUrl: (tabId = -1) => `chrome-extension://${extensionId}/extension/panelHost/index.html?tabId=${tabId}`,
    async close() {
      await context.close().catch(() => {});
      if (ownProfile) await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The CDP target id of the extension's running service worker, or null when none runs. */
export async function serviceWorkerTargetId(page: Page, extensionId: string): Promise<string | null> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string }[] };
    return targetInfos.find((t) => t.type === 'service_worker' && t.url.includes(extensionId))?.targetId ?? null;
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/**
 * Stops the extension's service worker (verified: Target.closeTarget through a page's CDP session).
 * Returns the stopped target's id, or null if none was running.
 */
export async function stopServiceWorker(page: Page, extensionId: string): Promise<string | null> {
  const targetId = await serviceWorkerTargetId(page, extensionId);
  if (!targetId) return null;
  const cdp = await page.context().newCDPSession(page);
  try {
    const { success } = (await cdp.send('Target.closeTarget', { targetId })) as { success: boolean };
    return success ? targetId : null;
  } finally {
    await cdp.detach().catch(() => {});
  }
}
