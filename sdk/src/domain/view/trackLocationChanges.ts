import type { Guard } from '../../tools/guard';
import { instrumentMethod } from '../../tools/instrumentMethod';
import { addEventListener, removeEventListener } from '../../tools/safeGlobals';

export type LocationChange = 'push' | 'replace' | 'pop' | 'hash';

/**
 * Calls onChange after every history.pushState / replaceState and on popstate / hashchange.
 * Whether the URL really changed is the caller's business (one navigation may fire two of these).
 */
export function trackLocationChanges(guard: Guard, onChange: (kind: LocationChange) => void) {
  const target = (typeof History !== 'undefined' && History.prototype) || history;
  const wrap = (kind: LocationChange) => (original: History['pushState']) =>
    function (this: History, ...args: Parameters<History['pushState']>) {
      // The page's own call runs outside the guard: its exceptions are its own, unchanged.
      const result = original.apply(this, args);
      guard(onChange)(kind);
      return result;
    };
  const push = instrumentMethod(target, 'pushState', wrap('push'));
  const replace = instrumentMethod(target, 'replaceState', wrap('replace'));
  const onPop = guard(() => onChange('pop'));
  const onHash = guard(() => onChange('hash'));
  addEventListener('popstate', onPop);
  addEventListener('hashchange', onHash);
  return {
    stop() {
      push.stop();
      replace.stop();
      removeEventListener('popstate', onPop);
      removeEventListener('hashchange', onHash);
    },
  };
}
