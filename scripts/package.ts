/**
 * `npm run package`: builds, then writes the store packages into <dist>/packages/:
 *   rumscope-chrome-<version>.zip   Chrome Web Store (dist/chrome zipped, manifest.json at the root)
 *   rumscope-firefox-<version>.zip  addons.mozilla.org (dist/firefox, `web-ext build`; AMO takes .zip or .xpi)
 *   rumscope-source-<version>.zip   the committed source (`git archive HEAD`): AMO asks for it with minified code
 * <version> is package.json's; both manifests must carry it. Zipping is web-ext's own (`web-ext build`, for both), so no
 * extra dependency. RUMSCOPE_DIST (relative to the repo) picks the build folder, as for the build.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dist = resolve(root, process.env.RUMSCOPE_DIST ?? 'dist');
const out = join(dist, 'packages');

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
}

async function main() {
  const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
  // Both stores take 1 to 4 dot-separated integers (no "-beta.1").
  if (!/^\d{1,9}(\.\d{1,9}){0,3}$/.test(version)) throw new Error(`package.json version "${version}" is not a store version (1 to 4 integers)`);

  if (!process.argv.includes('--no-build')) run('npx', ['tsx', 'scripts/build.ts']);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });

  const written: string[] = [];
  for (const browser of ['chrome', 'firefox'] as const) {
    const sourceDir = join(dist, browser);
    const manifest = JSON.parse(await readFile(join(sourceDir, 'manifest.json'), 'utf8')) as { version: string };
    if (manifest.version !== version) throw new Error(`${browser} manifest has version ${manifest.version}, package.json ${version}: rebuild`);
    const filename = `rumscope-${browser}-${version}.zip`;
    run('npx', ['web-ext', 'build', '--no-config-discovery', '--overwrite-dest', '--source-dir', sourceDir, '--artifacts-dir', out, '--filename', filename]);
    written.push(join(out, filename));
  }

  const source = join(out, `rumscope-source-${version}.zip`);
  if (spawnSync('git', ['rev-parse', '--verify', '-q', 'HEAD'], { cwd: root, stdio: 'ignore' }).status === 0) {
    run('git', ['archive', '--format=zip', `--prefix=rumscope-${version}/`, '-o', source, 'HEAD']);
    written.push(source);
    const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).stdout.trim();
    if (dirty) console.warn('note: the source zip is the last commit; the working tree has uncommitted changes');
  } else {
    console.warn('note: no git commit here, so no source zip for AMO');
  }

  for (const file of written) console.log(`${relative(root, file)}  ${((await stat(file)).size / 1024).toFixed(0)} KB`);
}

await main();
