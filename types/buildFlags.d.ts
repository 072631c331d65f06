/**
 * Build-time flags, replaced by the bundler (vite `define`, see scripts/build.ts and vite.config.ts).
 * `__RUMSCOPE_TEST__`: true only in test builds (`RUMSCOPE_TEST_BUILD=1`): test hooks, injected failures and
 * test-only query parameters exist only there; a release build (`npm run build`, `npm run package`) drops them.
 */
declare const __RUMSCOPE_TEST__: boolean;
