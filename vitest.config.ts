import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { resolve } from 'node:path';

/**
 * Two projects: `unit` (pure logic, *.spec.ts beside the code; jsdom per file where needed) and
 * `e2e` (real browsers with the built extension; one file at a time on a 2-core machine).
 */
export default defineConfig({
  plugins: [svelte()],
  // Unit tests see a test build (the e2e tests run the built extension, built by scripts/test.ts as a test build).
  define: { __RUMSCOPE_TEST__: 'true', __RUMSCOPE_DEV_RELOAD__: "''" },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{sdk,extension,panel,server,scripts,tests/unit}/**/*.spec.ts'],
          environment: 'node',
          // The server's tests open real SQLite and PostgreSQL databases: seconds each on a loaded CI machine.
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
        resolve: {
          conditions: ['browser'],
          // The SDK keeps the page's globals as they were at document_start; unit tests install fake timers and
          // jsdom later, so they get a version that looks them up at each call (see tests/unit/support/liveGlobals.ts).
          alias: [{ find: /^(\.\.?\/)+(tools\/)?safeGlobals$/, replacement: resolve(import.meta.dirname, 'tests/unit/support/liveGlobals.ts') }],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.e2e.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          maxWorkers: 1,
        },
      },
    ],
  },
});
