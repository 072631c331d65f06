/**
 * `npm run soak`: the loops of hundreds that do not belong in the normal suite (which runs ~20 of each).
 *
 *   1. page exit: every way of leaving a page right after acting on it, N times each, in Chromium and Firefox
 *      (tests/e2e/page-exit.e2e.ts with RUMSCOPE_EXIT_LOOPS=N); prints lost / duplicated clicks and views per kind.
 *   2. the whole e2e suite M times in a row; prints each run's pass / fail counts and the failed tests.
 *
 * Options (or the environment variable beside each): --exit-loops N (RUMSCOPE_SOAK_EXIT_LOOPS, default 200),
 * --suite-runs M (RUMSCOPE_SOAK_SUITE_RUNS, default 10), --only exit|suite, --skip-build (use what is in
 * RUMSCOPE_DIST). Ends with "N passed, N failed" over every test of every run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureBrowsers } from './ensureBrowsers';

const root = resolve(import.meta.dirname, '..');
const arg = (name: string) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const count = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
};
const exitLoops = count(arg('--exit-loops') ?? process.env.RUMSCOPE_SOAK_EXIT_LOOPS, 200);
const suiteRuns = count(arg('--suite-runs') ?? process.env.RUMSCOPE_SOAK_SUITE_RUNS, 10);
const only = arg('--only');
if (only !== undefined && only !== 'exit' && only !== 'suite') {
  console.error('--only takes exit or suite');
  process.exit(2);
}

ensureBrowsers();
if (!process.argv.includes('--skip-build')) {
  // The e2e tests drive the extension's test hooks: a test build, as `npm test` makes.
  const built = spawnSync('npx', ['tsx', 'scripts/build.ts'], { cwd: root, stdio: 'inherit', env: { ...process.env, RUMSCOPE_TEST_BUILD: '1' } });
  if (built.status) process.exit(built.status ?? 1);
}
mkdirSync(join(root, '.tmp'), { recursive: true });

let passed = 0;
let failed = 0;

/** One vitest run; returns its counts, the failed tests' names and its output. */
function vitest(files: string[], env: Record<string, string>, label: string) {
  const report = join(root, '.tmp', `soak-${label}.json`);
  const started = Date.now();
  const result = spawnSync('npx', ['vitest', 'run', '--project', 'e2e', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...files], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const output = `${result.stdout}\n${result.stderr}`;
  let json: { numPassedTests: number; numFailedTests: number; testResults: { assertionResults: { fullName: string; status: string }[] }[] } | undefined;
  try {
    json = JSON.parse(readFileSync(report, 'utf8'));
  } catch {
    // no report: the run itself failed
  }
  const failures = json?.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status === 'failed').map((a) => a.fullName)) ?? ['(the run did not finish)'];
  const counts = { passed: json?.numPassedTests ?? 0, failed: json ? json.numFailedTests : 1 };
  passed += counts.passed;
  failed += counts.failed;
  return { ...counts, failures, output, seconds: Math.round((Date.now() - started) / 1000) };
}

if (only !== 'suite' && exitLoops > 0) {
  console.log(`\n▶ page exit: ${exitLoops} of each kind, Chromium and Firefox`);
  const run = vitest(['tests/e2e/page-exit.e2e.ts'], { RUMSCOPE_EXIT_LOOPS: String(exitLoops) }, 'exit');
  for (const line of run.output.split('\n')) {
    const at = line.indexOf('[page-exit]');
    if (at >= 0) console.log('  ' + line.slice(at));
  }
  console.log(`  page exit: ${run.passed} passed, ${run.failed} failed in ${run.seconds} s`);
}

if (only !== 'exit' && suiteRuns > 0) {
  console.log(`\n▶ the whole e2e suite, ${suiteRuns} times`);
  let clean = 0;
  for (let i = 1; i <= suiteRuns; i++) {
    const run = vitest([], {}, `suite-${i}`);
    if (!run.failed) clean++;
    console.log(`  run ${i}/${suiteRuns}: ${run.passed} passed, ${run.failed} failed in ${run.seconds} s${run.failed ? ' — ' + run.failures.join('; ') : ''}`);
  }
  console.log(`  ${clean} of ${suiteRuns} runs with no failure`);
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
