/** The background worker (Chrome service worker / Firefox event page). Thin: wiring only. */
import { RumscopeDb } from '../storage/db';
import { endOpenSessions } from '../storage/sessionStore';
import { ext } from '../platform';
import { startCommands } from './commands';
import { countBoot } from './countBoot';
import { startRelayServer } from './startRelayServer';
import { createTabGuard } from './tabGuard';
import { loadTestHooks } from './testHooks';

const db = new RumscopeDb();
const tabGuard = createTabGuard(db);

startRelayServer({
  db,
  tabGuard,
  persistOptions: async () => {
    const hooks = await loadTestHooks();
    return hooks.sessionTimeouts ? { timeouts: hooks.sessionTimeouts } : {};
  },
});
startCommands(db);

// Spec: a session ends when the browser is closed. Sessions left open at the last shutdown end now.
ext.runtime.onStartup.addListener(() => {
  void endOpenSessions(db, 'browser_closed');
});
ext.tabs.onRemoved.addListener((tabId) => tabGuard.forget(tabId));
void countBoot().catch(() => {});
