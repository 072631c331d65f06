import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
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

  test('every emitted script is ASCII (Chrome refuses some UTF-8 characters in content scripts)', async () => {
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.js'));
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) expect(/[^\x00-\x7f]/.test(await readFile(join(dir, file), 'utf8')), file).toBe(false);
  });
});
