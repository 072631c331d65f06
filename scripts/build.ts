/**
 * `npm run build`: dist/chrome and dist/firefox from one source tree, a release build.
 * `npm run build:test` (or RUMSCOPE_TEST_BUILD=1): a test build, with the test hooks the e2e tests drive
 * (types/buildFlags.d.ts); a release build has none of them.
 * - pages (DevTools page, panel) through vite.config.ts;
 * - the scripts that cannot be modules (MAIN-world capture, isolated relay, background) as single-file IIFEs;
 * - manifest.json with the version from package.json, and its Firefox variant;
 * - every non-ASCII character in emitted .js escaped (Chrome refuses some as "not UTF-8", e.g. U+FFFE).
 */
import { build, type InlineConfig } from 'vite';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildDefines, isTestBuild } from './buildFlags';
import { safeGlobalsPlugin } from './safeGlobalsPlugin';
import { rrwebFramesPlugin } from './rrwebFramesPlugin';
import { rrwebSlimPlugin } from './rrwebSlimPlugin';

const root = resolve(import.meta.dirname, '..');
// `--test`: a test build (the same as RUMSCOPE_TEST_BUILD=1), for the e2e tests.
if (process.argv.includes('--test')) process.env.RUMSCOPE_TEST_BUILD = '1';
/** RUMSCOPE_DIST lets parallel work build into its own folder; the default is dist/. */
const dist = resolve(root, process.env.RUMSCOPE_DIST ?? 'dist');

export const SCRIPTS = {
  'capture.js': 'sdk/src/extension.iife.ts',
  'relay.js': 'extension/content/relay.ts',
  'background.js': 'extension/background/main.ts',
  // Injected by the background (scripting.executeScript, MAIN world) only into pages whose session records a replay.
  'recorder.js': 'sdk/src/replay/recorder.iife.ts',
} as const;

export const GECKO_ID = 'rumscope@rumscope.dev';

/** The vite config of one single-file IIFE script (also watched by scripts/dev.ts). */
export function scriptConfig(outDir: string, fileName: string, entry: string): InlineConfig {
  return {
    configFile: false,
    root,
    logLevel: 'warn',
    define: buildDefines(),
    plugins: [safeGlobalsPlugin(), rrwebFramesPlugin(), rrwebSlimPlugin()],
    build: {
      outDir,
      emptyOutDir: false,
      target: 'es2022',
      minify: true,
      sourcemap: false,
      copyPublicDir: false,
      lib: { entry: join(root, entry), formats: ['iife'], name: 'rumscope_' + fileName.replace(/\W/g, '_'), fileName: () => fileName },
      // rrweb's console warnings (a failed snapshot, a node it could not find) are its own debugging aid: a recorded
      // page's console stays the page's. The capture wraps the page's console, so only the recorder drops them.
      ...(fileName === 'recorder.js' && { rolldownOptions: { output: { minify: { compress: { dropConsole: true } } } } }),
    },
  };
}

/** The vite config of the extension's pages (vite.config.ts) into `outDir`. */
export function pagesConfig(outDir: string): InlineConfig {
  return { configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir } };
}

async function buildScript(outDir: string, fileName: string, entry: string) {
  await build(scriptConfig(outDir, fileName, entry));
}

/**
 * Chrome's explicit compile hint: V8 compiles every function of the file when it loads it, instead of
 * pre-parsing each one and parsing it again on its first call. Content scripts are compiled on the page's
 * main thread at document_start and nearly all of their functions run during the page load, so the hint
 * saves about a third of their init CPU (bench: 10 -> 6-7 ms for capture.js). Other engines see a comment.
 */
export const COMPILE_HINT = '//# allFunctionsCalledOnLoad\n';
const EAGER_SCRIPTS = ['capture.js', 'relay.js'];

/** Adds the hint to the eager scripts that lack it (a rebuilt one, in scripts/dev.ts). */
export async function addCompileHints(dir: string) {
  for (const fileName of EAGER_SCRIPTS) {
    const file = join(dir, fileName);
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text !== null && !text.startsWith(COMPILE_HINT)) await writeFile(file, COMPILE_HINT + text);
  }
}

export async function escapeNonAscii(dir: string) {
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const file = join(entry.parentPath, entry.name);
    const text = await readFile(file, 'utf8');
    // eslint-disable-next-line no-control-regex
    const escaped = text.replace(/[^\x00-\x7f]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
    if (escaped !== text) await writeFile(file, escaped);
  }
}

export async function manifestFor(browser: 'chrome' | 'firefox') {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
  const manifest = JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  manifest.version = pkg.version;
  if (browser === 'firefox') {
    delete manifest.minimum_chrome_version;
    manifest.background = { scripts: ['background.js'] };
    manifest.browser_specific_settings = {
      // 140: the ESR with data_collection_permissions; MAIN-world content scripts need 128, storage.session 115.
      gecko: { id: GECKO_ID, strict_min_version: '140.0', data_collection_permissions: { required: ['none'] } },
      // Firefox for Android understands data_collection_permissions from 142 (web-ext lint warns otherwise).
      // Android has no DevTools, so no Sessions panel there; whether to list it on Android is AMO's setting.
      gecko_android: { strict_min_version: '142.0' },
    };
  }
  return manifest;
}

async function main() {
  const started = Date.now();
  const chromeDir = join(dist, 'chrome');
  await rm(dist, { recursive: true, force: true });
  await mkdir(chromeDir, { recursive: true });
  await build(pagesConfig(chromeDir));
  for (const [fileName, entry] of Object.entries(SCRIPTS)) await buildScript(chromeDir, fileName, entry);
  await escapeNonAscii(chromeDir);
  await addCompileHints(chromeDir);
  const firefoxDir = join(dist, 'firefox');
  await cp(chromeDir, firefoxDir, { recursive: true });
  await writeFile(join(chromeDir, 'manifest.json'), JSON.stringify(await manifestFor('chrome'), null, 2));
  await writeFile(join(firefoxDir, 'manifest.json'), JSON.stringify(await manifestFor('firefox'), null, 2));
  await (await import('./buildSdk')).buildSdk(dist); // dist/sdk: the standalone ES module and its types
  console.log(`built ${isTestBuild() ? 'a TEST build' : 'a release build'}: dist/chrome and dist/firefox in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
