/**
 * `npm run dev` only (scripts/dev.ts; `__RUMSCOPE_DEV_RELOAD__` is '' in every other build, so this is dropped):
 * an extension page reloads itself when the dev loop rebuilt the pages. A full page reload, not HMR
 * (docs/dev-loop.md says why).
 */
export function startDevReload(): void {
  if (!__RUMSCOPE_DEV_RELOAD__) return;
  const events = new EventSource(__RUMSCOPE_DEV_RELOAD__);
  events.addEventListener('pages', () => location.reload());
}
