/** The build's compile-time flags (see types/buildFlags.d.ts). A test build: RUMSCOPE_TEST_BUILD=1. */
export function isTestBuild(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.RUMSCOPE_TEST_BUILD === '1';
}

/** vite `define` for the flags: replaced in every bundle, so `if (__RUMSCOPE_TEST__)` code is dropped from a release. */
export function buildDefines(test = isTestBuild(), env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  // RUMSCOPE_DEV_RELOAD: set by scripts/dev.ts only (its event stream); '' everywhere else, so the code is dropped.
  return { __RUMSCOPE_TEST__: JSON.stringify(test), __RUMSCOPE_DEV_RELOAD__: JSON.stringify(env.RUMSCOPE_DEV_RELOAD ?? '') };
}
