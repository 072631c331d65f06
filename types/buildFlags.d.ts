/**
 * Build-time flags, replaced by the bundler (vite `define`, see scripts/build.ts and vite.config.ts).
 * `__RUMSCOPE_TEST__`: true only in test builds (`RUMSCOPE_TEST_BUILD=1`): test hooks, injected failures and
 * test-only query parameters exist only there; a release build (`npm run build`, `npm run package`) drops them.
 */
declare const __RUMSCOPE_TEST__: boolean;
/**
 * `__RUMSCOPE_DEV_RELOAD__`: the URL of `npm run dev`'s event stream in a dev build (scripts/dev.ts), '' in every
 * other build: extension pages reload themselves and the background reloads the recorded tabs only in a dev build.
 */
declare const __RUMSCOPE_DEV_RELOAD__: string;
