/**
 * `npm start`: builds the extension, serves the demo app on 127.0.0.1, starts the team server beside it on an
 * embedded SQLite file (data/start.sqlite) with a local admin made for this run (a printed one-time login
 * link, never a password) and, when a display is available, opens Chromium with the extension loaded on the
 * demo app and the team dashboard logged in. Without a display it prints where things are and keeps serving.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startDemoServer } from '../demo/server';
import { CHROMIUM_FLAGS } from '../tests/e2e/support/chromium';
import { findBrowser } from '../tests/e2e/support/findBrowser';
import { ensureBrowsers } from './ensureBrowsers';
import { loadConfig } from '../server/config';
import { adminLoginLink, startServer } from '../server/main';
import { buildDashboard } from './buildDashboard';

const root = resolve(import.meta.dirname, '..');
const port = Number(process.env.PORT ?? 5173);

ensureBrowsers();
if (spawnSync('npx', ['tsx', 'scripts/build.ts'], { cwd: root, stdio: 'inherit' }).status) process.exit(1);
const demo = await startDemoServer(port);
await buildDashboard();
const team = await startServer(
  loadConfig({
    ...process.env,
    PORT: process.env.SERVER_PORT ?? '8787',
    HOST: '127.0.0.1',
    DATABASE_URL: process.env.DATABASE_URL ?? `file:${join(root, 'data', 'start.sqlite')}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  }),
  { adminComesNext: true },
);
const loginLink = team.publicUrl + (await adminLoginLink(team.store, 'local-admin@rumscope.test', 'Local admin'));
const dist = join(root, 'dist');
const stop = () => Promise.all([demo.close(), team.close()]).then(() => process.exit(0));
console.log(`\nRumscope is built.
  Chrome extension (Load unpacked): ${join(dist, 'chrome')}
  Firefox add-on (about:debugging → Load Temporary Add-on → manifest.json): ${join(dist, 'firefox')}
  Demo app: ${demo.origin}/
  Team server: ${team.url}/ (SQLite file data/start.sqlite)
  Team dashboard, logged in as the local admin (one-time link, valid 24 h): ${loginLink}
  Sessions panel: DevTools → "Sessions", or chrome-extension://<extension id>/extension/panelHost/index.html?tabId=<tab id>
Press Ctrl+C to stop.`);

if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) {
  const profile = mkdtempSync(join(tmpdir(), 'rumscope-start-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: findBrowser('chromium'),
    headless: false,
    viewport: null,
    args: [`--disable-extensions-except=${join(dist, 'chrome')}`, `--load-extension=${join(dist, 'chrome')}`, '--auto-open-devtools-for-tabs', ...CHROMIUM_FLAGS],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(demo.origin + '/');
  await (await context.newPage()).goto(loginLink);
  context.on('close', () => void stop());
} else {
  console.log('No display found: open the demo URL in a browser with the extension loaded.');
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
