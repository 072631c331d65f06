/**
 * The one adapter between Chrome and Firefox: both expose the promise-based WebExtension API,
 * as `browser` in Firefox and `chrome` in Chrome. Everything else in extension/ imports `ext` from here.
 */
export const ext: typeof chrome = (globalThis as { browser?: typeof chrome }).browser ?? globalThis.chrome;

export const isFirefox = typeof (globalThis as { browser?: unknown }).browser !== 'undefined';
