/**
 * `npm run dev --no-browser` on a copy of the sources: an edit is rebuilt (only that output) into both browsers'
 * folders and announced on the event stream the dev build's pages and the loop's reloads follow.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const SOURCES = ['sdk', 'extension', 'panel', 'scripts', 'demo', 'types', 'manifest.json', 'package.json', 'vite.config.ts', 'svelte.config.js', 'tsconfig.json'];

test('an edited source is rebuilt into dist/chrome and dist/firefox and announced to the pages', { timeout: 180_000 }, async () => {
  const copy = await mkdtemp(join(tmpdir(), 'rumscope-dev-'));
  for (const entry of SOURCES) await cp(join(root, entry), join(copy, entry), { recursive: true });
  await symlink(join(root, 'node_modules'), join(copy, 'node_modules'));
  const child = spawn(join(root, 'node_modules/.bin/tsx'), ['scripts/dev.ts', '--no-browser', '--only=relay.js'], {
    cwd: copy,
    env: { ...process.env, RUMSCOPE_DIST: 'out' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const events = new AbortController();
  try {
    await expect.poll(() => output, { timeout: 150_000, interval: 200 }).toMatch(/\[dev\] watching/);
    const eventsUrl = /page reload events (\S+)/.exec(output)![1]!;
    const built = JSON.parse(await readFile(join(copy, 'out/dev-build.json'), 'utf8'));
    expect(built).toMatchObject({ generation: 1, outputs: ['relay.js'] });

    let announced = '';
    const stream = await fetch(eventsUrl, { signal: events.signal });
    const reader = stream.body!.getReader();
    void (async () => {
      for (let r = await reader.read(); !r.done; r = await reader.read()) announced += Buffer.from(r.value).toString();
    })().catch(() => {});
    await expect.poll(() => announced).toContain(': rumscope dev');

    const probe = `probe-${Date.now().toString(36)}`;
    const relay = join(copy, 'extension/content/relay.ts');
    await writeFile(relay, (await readFile(relay, 'utf8')) + `\n(globalThis as Record<string, unknown>).__rumscopeDevProbe = '${probe}';\n`);

    // Announced once the rebuild is finished (both folders, manifests); then both folders hold the edit.
    await expect.poll(() => announced, { timeout: 60_000, interval: 200 }).toContain('event: extension');
    expect(JSON.parse(await readFile(join(copy, 'out/dev-build.json'), 'utf8'))).toMatchObject({ generation: 2, outputs: ['relay.js'] });
    const read = (browser: string) => readFile(join(copy, 'out', browser, 'relay.js'), 'utf8');
    expect(await read('chrome')).toContain(probe);
    expect(await read('firefox')).toContain(probe);
    expect(await read('chrome')).toMatch(/^\/\/# allFunctionsCalledOnLoad\n/);
    expect(output).toMatch(/\[dev\] rebuilt relay\.js in \d+ ms \(build 2\)/);
  } finally {
    events.abort();
    child.kill('SIGTERM');
    await new Promise((ok) => (child.exitCode === null ? child.once('exit', ok) : ok(null)));
    await rm(copy, { recursive: true, force: true });
  }
});
