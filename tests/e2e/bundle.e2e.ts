import { spawnSync } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { distDir } from './support/chromium';

describe.each(['chrome', 'firefox'] as const)('the built %s extension', (browser) => {
  const dir = distDir(browser);

  test('the page bundle carries no validator, no database and no extension API', async () => {
    const capture = await readFile(join(dir, 'capture.js'), 'utf8');
    const background = await readFile(join(dir, 'background.js'), 'utf8');
    // valibot (its Standard Schema marker) and Dexie are in the background, the trust boundary...
    const has = (text: string, needle: string | RegExp) => (typeof needle === 'string' ? text.includes(needle) : needle.test(text));
    expect(has(background, '~standard')).toBe(true);
    expect(has(background, 'Dexie')).toBe(true);
    // ...and never in the page.
    expect(has(capture, '~standard')).toBe(false);
    expect(has(capture, 'Dexie')).toBe(false);
    expect(has(capture, /chrome\.runtime|browser\.runtime|indexedDB|localStorage|sessionStorage|document\.cookie/)).toBe(false);
  });

  test('no script is injected by the manifest, and the MAIN-world script is not web-accessible', async () => {
    // Injection is registered at run time for the allowed sites only (extension/background/registerCapture.ts).
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.content_scripts).toBeUndefined();
    expect(manifest.permissions).toContain('scripting');
    expect(JSON.stringify(manifest.web_accessible_resources ?? [])).not.toContain('capture.js');
  });

  test('with replay on, the page code (capture.js + recorder.js) stays within 40 KB gzip (issue 9)', async () => {
    // gzip -9, as bench/captureSize.ts and the bench's peers table count it. Before the rrweb cuts
    // (scripts/rrwebSlimPlugin.ts): 19,024 + 25,438 = 44,462 bytes.
    const gzip = async (file: string) => gzipSync(await readFile(join(dir, file)), { level: 9 }).length;
    const capture = await gzip('capture.js');
    const recorder = await gzip('recorder.js');
    expect(capture + recorder, `capture.js ${capture} + recorder.js ${recorder} bytes gzip`).toBeLessThanOrEqual(40 * 1024);
    // The cut parts of rrweb are really gone: canvas recording's worker and its blank-canvas check, the font observer.
    const text = await readFile(join(dir, 'recorder.js'), 'utf8');
    for (const gone of ['OffscreenCanvas', 'toDataURL', 'FontFace', 'RRDomException', 'Please stop import mirror']) expect(text, gone).not.toContain(gone);
    // And what replay needs is still there: shadow roots, cross-origin frames, the checkouts of instant replay.
    for (const kept of ['attachShadow', 'rrweb', 'adoptedStyleSheets']) expect(text, kept).toContain(kept);
  });

  test('every emitted script is ASCII (Chrome refuses some UTF-8 characters in content scripts)', async () => {
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.js'));
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) expect(/[^\x00-\x7f]/.test(await readFile(join(dir, file), 'utf8')), file).toBe(false);
  });
});

/**
 * A release build (`npm run build`, what `npm run package` zips) has nothing test-only: no test-hook key, no
 * injected write failure, no test-only query parameter. Built here into its own folder (the e2e tests run a
 * test build), once for both browsers.
 */
describe('a release build', () => {
  const out = join('.tmp', `release-check-${process.pid}`);
  const root = resolve(import.meta.dirname, '../..');
  beforeAll(() => {
    const result = spawnSync('npx', ['tsx', 'scripts/build.ts'], { cwd: root, encoding: 'utf8', env: { ...process.env, RUMSCOPE_DIST: out, RUMSCOPE_TEST_BUILD: '' } });
    if (result.status !== 0) throw new Error(`the release build failed:\n${result.stdout}\n${result.stderr}`);
    expect(result.stdout).toContain('a release build');
  }, 300_000);
  afterAll(async () => {
    await rm(join(root, out), { recursive: true, force: true });
  });

  test.each(['chrome', 'firefox'])('%s: carries no test hook, injected failure or test-only query parameter', async (browser) => {
    const dir = join(root, out, browser);
    const files: { name: string; text: string }[] = [];
    for (const name of (await readdir(dir, { recursive: true })).filter((f) => /\.(js|html)$/.test(f))) files.push({ name, text: await readFile(join(dir, name), 'utf8') });
    expect(files.map((f) => f.name)).toEqual(expect.arrayContaining(['background.js', 'capture.js', 'relay.js']));
    for (const needle of ['rumscope.testHooks', 'failWrites', 'injected by a test', 'sessionTimeouts']) {
      expect(files.filter((f) => f.text.includes(needle)).map((f) => f.name), needle).toEqual([]);
    }
    // The popup reads its tab from the browser only; `?tabId=` is for tests opening it as a tab.
    const popup = files.filter((f) => f.name.startsWith('assets/popup') && f.name.endsWith('.js'));
    expect(popup.length).toBeGreaterThan(0);
    for (const file of popup) expect(file.text.includes('location.search'), file.name).toBe(false);
    // The test build in RUMSCOPE_DIST, by contrast, has them (so this test can fail).
    expect(await readFile(join(distDir(browser as 'chrome'), 'background.js'), 'utf8')).toContain('rumscope.testHooks');
  });
});
