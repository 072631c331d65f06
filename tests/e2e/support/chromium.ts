import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findBrowser } from './findBrowser';

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

/** Debian's Chromium with the built extension loaded, headless, in a throwaway profile. */
export async function launchChromium(options: { profileDir?: string } = {}): Promise<ChromiumWithExtension> {
  const dist = distDir('chrome');
  const ownProfile = !options.profileDir;
  const profile = options.profileDir ?? (await mkdtemp(join(tmpdir(), 'rumscope-chromium-')));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: findBrowser('chromium'),
    headless: true,
    args: [`--disable-extensions-except=${dist}`, `--load-extension=${dist}`, ...CHROMIUM_FLAGS],
  });
  let sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15000 }));
  const extensionId = new URL(sw.url()).host;
  return {
    context,
    extensionId,
    async worker() {
      const current = context.serviceWorkers().find((w) => w.url().includes(extensionId));
      if (current) return current;
      return context.waitForEvent('serviceworker', { timeout: 15000 });
    },
    panelUrl: (tabId = -1) => `chrome-extension://${extensionId}/panel/index.html?tabId=${tabId}`,
    async close() {
      await context.close().catch(() => {});
      if (ownProfile) await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Stops the extension's service worker the way Chrome does when it idles (verified: Target.closeTarget). */
export async function stopServiceWorker(page: Page, extensionId: string): Promise<boolean> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string }[] };
    const target = targetInfos.find((t) => t.type === 'service_worker' && t.url.includes(extensionId));
    if (!target) return false;
    const { success } = (await cdp.send('Target.closeTarget', { targetId: target.targetId })) as { success: boolean };
    return success;
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** The tab id Chrome gave a page, read from the extension (for the panel's ?tabId=). */
export async function tabIdOf(ext: ChromiumWithExtension, url: string): Promise<number> {
  const sw = await ext.worker();
  return sw.evaluate(async (u) => {
    const tabs = await chrome.tabs.query({});
    return tabs.find((t) => t.url === u)?.id ?? -1;
  }, url);
}
