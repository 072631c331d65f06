/**
 * `npm test`: everything CI checks, in order, on a fresh machine.
 * browsers (installed if missing) → type check → test build → Firefox lint → unit + e2e tests (Chromium, Firefox).
 * Ends with one line "N passed, N failed" counting every test.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureBrowsers } from './ensureBrowsers';

const root = resolve(import.meta.dirname, '..');
const started = Date.now();

function step(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const t = Date.now();
  console.log(`\n▶ ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`  ${name} took ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return result.status ?? 1;
}

ensureBrowsers();
const failures: string[] = [];
if (step('type check', 'npm', ['run', '-s', 'check'])) failures.push('type check');
// The e2e tests drive the extension's test hooks: a test build (the bundle test checks a release build itself).
if (step('build', 'npx', ['tsx', 'scripts/build.ts'], { RUMSCOPE_TEST_BUILD: '1' })) {
  console.error('build failed: nothing to test');
  process.exit(1);
}
if (step('Firefox lint', 'npx', ['tsx', 'scripts/lintFirefox.ts'])) failures.push('web-ext lint');

mkdirSync(join(root, '.tmp'), { recursive: true });
const report = join(root, '.tmp', 'vitest-report.json');
const testStatus = step('tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);

let passed = 0;
let failed = 0;
try {
  const json = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
  passed = json.numPassedTests;
  failed = json.numFailedTests;
  if (json.numPendingTests || json.numTodoTests) failures.push(`${json.numPendingTests + json.numTodoTests} skipped tests`);
} catch {
  failures.push('no test report');
}
if (testStatus && !failed) failures.push('test run');
failed += failures.length;
console.log(`\nnpm test took ${((Date.now() - started) / 1000).toFixed(0)} s${failures.length ? '; failed steps: ' + failures.join(', ') : ''}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
