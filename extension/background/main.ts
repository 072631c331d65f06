/** The background worker (Chrome service worker / Firefox event page). Thin: wiring only. */
import { RumscopeDb } from '../storage/db';
import { endOpenSessions, purgeLoads } from '../storage/sessionStore';
import { createBatchWriter, makeQuotaError, type WriteOptions } from '../storage/writeBatch';
import { createSettingsCache } from '../settings/settings';
import { ext } from '../platform';
import { startCommands } from './commands';
import { countBoot } from './countBoot';
import { syncContentScripts } from './registerCapture';
import { createSiteGate } from './siteGate';
import { startRelayServer } from './startRelayServer';
import { startReplayChannel } from './startReplayChannel';
import { startRetention } from './startRetention';
import { createTabGuard } from './tabGuard';
import { loadTestHooks, takeInjectedWriteFailure } from './testHooks';

const db = new RumscopeDb();
const tabGuard = createTabGuard(db);
const settings = createSettingsCache();
const siteGate = createSiteGate({ settings: settings.get });
const retention = startRetention({ db, settings: settings.get, timeouts: async () => (await loadTestHooks()).sessionTimeouts });

// Spec: a session ends when the browser is closed. Sessions left open at the last shutdown end at the first
// start of the background since the browser started (boot 1; also after an install or update, when the old
// pages are cut off from the extension anyway). Writes wait for it, so a new session is never ended by it.
let previousRun: Promise<unknown> | undefined;
const endPreviousRun = () =>
  (previousRun ??= Promise.all([
    endOpenSessions(db, 'browser_closed'),
    purgeLoads(db),
    // Tab ids are reused after a restart: what was counted or loaded in the last run's tabs is not this run's.
    db.tabStats.clear(),
    db.loads.toCollection().modify({ tabId: -1 }),
  ]).catch((error: unknown) =>
    console.warn('[rumscope] could not end the sessions of the last run', error),
  ));
const startup: Promise<unknown> = countBoot()
  .then((boots) => (boots === 1 ? endPreviousRun() : undefined))
  .catch(() => undefined);
void startup.then(() => retention.run().catch(() => undefined));
ext.runtime.onStartup.addListener(() => void endPreviousRun());

const writeBatch = createBatchWriter(db, {
  injectFailure: async () => {
    const kind = await takeInjectedWriteFailure();
    return kind ? makeQuotaError(kind) : null;
  },
  afterWrite: () => retention.afterWrite(),
});

const replay = startReplayChannel(db, { afterWrite: () => retention.afterWrite() });
startRelayServer({
  db,
  replay,
  tabGuard,
  persistOptions: async () => {
    const [hooks, current] = await Promise.all([loadTestHooks(), settings.get()]);
    const tester = current.tester;
    const options: WriteOptions = {
      sampleRate: current.sampling.sessionSampleRate,
      replaySampleRate: current.sampling.sessionReplaySampleRate,
      defaults: {
        user: tester.name || tester.email ? { ...(tester.name ? { name: tester.name } : {}), ...(tester.email ? { email: tester.email } : {}) } : null,
        env: current.environment || null,
        privacyLevel: current.privacyLevel,
      },
      ...(hooks.sessionTimeouts ? { timeouts: hooks.sessionTimeouts } : {}),
    };
    return options;
  },
  allowSite: (site, tabId, info) => siteGate.allowSite(site, tabId, info),
  persist: async (input, options) => {
    await startup;
    return writeBatch(input, options);
  },
});
startCommands(db, {
  decideSite: (site, incognito) => siteGate.decide(site, incognito),
  runRetention: async () => {
    const { expired, overCap } = await retention.run();
    return { expired, overCap };
  },
  afterChange: () => retention.afterWrite(),
});

// Inject only into allowed sites; kept in step with the settings (one change at a time).
let registering: Promise<void> = Promise.resolve();
const registerScripts = () =>
  (registering = registering
    .then(() => settings.get())
    .then((current) => syncContentScripts(current))
    .catch((error: unknown) => console.warn('[rumscope] could not register the capture scripts', error)));
void registerScripts();

// Retention settings apply at once (e.g. fewer days, a smaller cap); site access changes what is injected.
settings.onChange(() => {
  void retention.run().catch(() => undefined);
  void registerScripts();
});
ext.tabs.onRemoved.addListener((tabId) => {
  tabGuard.forget(tabId);
  replay.forgetTab(tabId);
  void siteGate.forgetTab(tabId);
  void purgeLoads(db, tabId).catch(() => {});
});
