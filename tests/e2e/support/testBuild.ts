import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The storage key of the background's test hooks: only a test build has it (types/buildFlags.d.ts). */
export const TEST_HOOKS_KEY = 'rumscope.testHooks';

/** The e2e tests drive the test hooks: a release build in RUMSCOPE_DIST fails here, saying what to run. */
export function assertTestBuild(dist: string): void {
  let background = '';
  try {
    background = readFileSync(join(dist, 'background.js'), 'utf8');
  } catch {
    throw new Error(`no built extension in ${dist}: run \`npm run build:test\` (RUMSCOPE_DIST=… to pick the folder)`);
  }
  if (!background.includes(TEST_HOOKS_KEY)) {
    throw new Error(`${dist} is a release build: the e2e tests need a test build (\`npm run build:test\`, or RUMSCOPE_TEST_BUILD=1)`);
  }
}
