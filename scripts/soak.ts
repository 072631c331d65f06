/**
 * `npm run soak`: the loops of hundreds that do not belong in the normal suite (which runs ~20 of each).
 *
 *   1. page exit: every way of leaving a page right after acting on it, N times each, in Chromium and Firefox
 *      (tests/e2e/page-exit.e2e.ts with RUMSCOPE_EXIT_LOOPS=N); prints lost / duplicated clicks and views per kind.
 *   2. the whole e2e suite M times in a row; prints each run's pass / fail counts and the failed tests.
 *
 * Options (or the environment variable beside each): --exit-loops N (RUMSCOPE_SOAK_EXIT_LOOPS, default 200),
 * --suite-runs M (RUMSCOPE_SOAK_SUITE_RUNS, default 10), --only exit|suite, --skip-build (use what is in
 * RUMSCOPE_DIST), --halves (each run of the suite as two vitest processes side by side: every test in Chromium,
 * and the files that run in both browsers again in Firefox; the same tests, once each, on a machine twice as
 * busy). Ends with "N passed, N failed" over every test of every run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
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
const halves = process.argv.includes('--halves');
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

interface Run {
  passed: number;
  failed: number;
  failures: string[];
  output: string;
  seconds: number;
}

/** One vitest run; returns its counts, the failed tests' names and its output. */
function vitest(files: string[], env: Record<string, string>, label: string): Promise<Run> {
  const report = join(root, '.tmp', `soak-${label}.json`);
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn('npx', ['vitest', 'run', '--project', 'e2e', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...files], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('close', (code) => {
      type FileResult = { name: string; status: string; message?: string; assertionResults: { fullName: string; status: string }[] };
      let json: { numPassedTests: number; numFailedTests: number; testResults: FileResult[] } | undefined;
      try {
        json = JSON.parse(readFileSync(report, 'utf8'));
      } catch {
        // no report: the run itself failed
      }
      const failures = json?.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status === 'failed').map((a) => a.fullName)) ?? [`(the ${label} run did not finish)`];
      // A file that failed outside its tests (a beforeAll or afterAll hook: its tests are skipped, none "failed")
      // is a failure of the run too, as is a non-zero exit.
      const brokenFiles = (json?.testResults ?? []).filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'));
      for (const f of brokenFiles) failures.push(`${relative(root, f.name)} failed outside its tests (${f.assertionResults.filter((a) => a.status !== 'passed').length} not run)${f.message ? ': ' + f.message.slice(0, 300) : ''}`);
      const failed = json ? json.numFailedTests + brokenFiles.length + (code && !json.numFailedTests && !brokenFiles.length ? 1 : 0) : 1;
      if (failed && code && !failures.length) failures.push(`(the ${label} run exited with ${code})`);
      // The whole output of a failed run, to read what a hook threw.
      if (failed) writeFileSync(join(root, '.tmp', `soak-${label}.log`), output);
      done({ passed: json?.numPassedTests ?? 0, failed, failures, output, seconds: Math.round((Date.now() - started) / 1000) });
    });
  });
}

const tally = (run: Run) => {
  passed += run.passed;
  failed += run.failed;
  return run;
};

/** The e2e files whose `describe.each(BROWSERS)` blocks follow RUMSCOPE_E2E_BROWSERS: the Firefox half runs these. */
function filesInBothBrowsers() {
  const dir = join(root, 'tests', 'e2e');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.e2e.ts') && /describe\.each\(BROWSERS\)/.test(readFileSync(join(dir, name), 'utf8')))
    .map((name) => `tests/e2e/${name}`);
}

/** The whole suite once: one process, or (--halves) Chromium's half and Firefox's side by side. */
async function suiteRun(label: string): Promise<Run> {
  if (!halves) return tally(await vitest([], {}, label));
  const [chromium, firefox] = await Promise.all([
    vitest([], { RUMSCOPE_E2E_BROWSERS: 'chromium' }, `${label}-chromium`),
    vitest(filesInBothBrowsers(), { RUMSCOPE_E2E_BROWSERS: 'firefox' }, `${label}-firefox`),
  ]);
  return tally({
    passed: chromium.passed + firefox.passed,
    failed: chromium.failed + firefox.failed,
    failures: [...chromium.failures, ...firefox.failures],
    output: chromium.output + firefox.output,
    seconds: Math.max(chromium.seconds, firefox.seconds),
  });
}

if (only !== 'suite' && exitLoops > 0) {
  console.log(`\n▶ page exit: ${exitLoops} of each kind, Chromium and Firefox`);
  const run = tally(await vitest(['tests/e2e/page-exit.e2e.ts'], { RUMSCOPE_EXIT_LOOPS: String(exitLoops) }, 'exit'));
  for (const line of run.output.split('\n')) {
    const at = line.indexOf('[page-exit]');
    if (at >= 0) console.log('  ' + line.slice(at));
  }
  console.log(`  page exit: ${run.passed} passed, ${run.failed} failed in ${run.seconds} s`);
}

if (only !== 'exit' && suiteRuns > 0) {
  console.log(`\n▶ the whole e2e suite, ${suiteRuns} times${halves ? ' (Chromium and Firefox halves side by side)' : ''}`);
  let clean = 0;
  for (let i = 1; i <= suiteRuns; i++) {
    const run = await suiteRun(`suite-${i}`);
    if (!run.failed) clean++;
    console.log(`  run ${i}/${suiteRuns}: ${run.passed} passed, ${run.failed} failed in ${run.seconds} s${run.failed ? ' — ' + run.failures.join('; ') : ''}`);
  }
  console.log(`  ${clean} of ${suiteRuns} runs with no failure`);
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
