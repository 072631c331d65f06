import type { UserContext } from '../../../schema';
import { clearInterval, listen, setInterval } from '../../tools/safeGlobals';

/** The peers' globals, as their CDN bundles (and npm entries) define them. Only read, never defined or wrapped. */
const PEERS = ['DD_RUM', 'openobserveRum'] as const;
const PERIOD_MS = 2000;

interface UserApi {
  getUser(): UserContext;
  setUser(user: UserContext): void;
}

/**
 * Extension mode: when the page runs Datadog's (or OpenObserve's) RUM SDK and sets a user there, the
 * session's user is that user, unless the page set one on window.rumscope itself. Polls the peer's
 * getUser() (a copy, read-only): its own SDK keeps working exactly as before.
 */
export function watchPeerUser(rum: UserApi, win: Window = window, period = PERIOD_MS): { stop(): void } {
  let adopted = '';
  const check = () => {
    try {
      let peer: UserContext | undefined;
      for (const name of PEERS) {
        const api = (win as unknown as Record<string, { getUser?: () => unknown } | undefined>)[name];
        const user = typeof api?.getUser === 'function' ? api.getUser() : undefined;
        if (user && typeof user === 'object' && Object.keys(user).length) {
          peer = user as UserContext;
          break;
        }
      }
      if (!peer) return;
      const own = JSON.stringify(rum.getUser() ?? {});
      // The page's own rumscope.setUser wins: adopt only over nothing or over what was adopted before.
      if (own !== '{}' && own !== adopted) return;
      const next = JSON.stringify(peer);
      if (next === own) return;
      rum.setUser(peer);
      adopted = JSON.stringify(rum.getUser() ?? {});
    } catch {
      // a peer SDK in an odd state: never break the page
    }
  };
  const timer = setInterval(check, period);
  listen(win, 'load', check, { once: true });
  return { stop: () => clearInterval(timer) };
}
