/** The background worker (Chrome service worker / Firefox event page). Thin: wiring only. */
import { RumscopeDb } from '../storage/db';
import { endOpenSessions, purgeLoads } from '../storage/sessionStore';
import { makeQuotaError } from '../storage/makeQuotaError';
import { createBatchWriter } from '../storage/writeBatch';
import { ingestOptionsFromSettings, type IngestOptions } from '../../sdk/model';
import { browserTimeZone } from './browserTimeZone';
import { createSettingsCache } from '../settings/settings';
import { ext } from '../platform';
import { startCommands } from './commands';
import { countBoot } from './countBoot';
import { injectIntoOpenTabs, injectionPlan, syncContentScripts } from './registerCapture';
import { createSiteGate } from './siteGate';
import { startRelayServer } from './startRelayServer';
import { startReplayChannel } from './startReplayChannel';
import { startAssetFetcher } from './startAssetFetcher';
import { startRetention } from './startRetention';
import { startCompaction } from './startCompaction';
import { createTabGuard } from './tabGuard';
import { networkDetailFor } from '../settings/networkDetail';
import { assetPrivacyFor } from '../settings/replayAssets';
import { instantReplayFor } from '../settings/instantReplay';
import { loadTestHooks, takeInjectedWriteFailure } from './testHooks';
import { startSync } from '../sync/syncSessions';
import { createVisitorIds } from './visitorIds';
import { loadSyncToken } from '../sync/syncCredentials';

const db = new RumscopeDb();
const tabGuard = createTabGuard(db);
const settings = createSettingsCache();
const visitorIds = createVisitorIds();
const siteGate = createSiteGate({ settings: settings.get });
// Opt-in upload of ended sessions to the team server (settings.sync.url; the token in the database, never in
// storage.local); a timer of its own, never in the write path.
const sync = startSync({
  db,
  target: async () => ({ url: (await settings.get()).sync.url, token: await loadSyncToken(db) }),
  source: { name: 'rumscope-extension', version: ext.runtime.getManifest().version },
});
// Test builds only (compiled out of a release): shortened session timeouts and injected write failures.
const testTimeouts = async () => (__RUMSCOPE_TEST__ ? (await loadTestHooks()).sessionTimeouts : undefined);
const retention = startRetention({ db, settings: settings.get, timeouts: testTimeouts });
// The search postings written with the data are moved into compact blocks a few seconds after writes stop, and
// once at start after retention (storage/compactPostings.ts): never in the panel, never in the write path.
const compaction = startCompaction({ db });

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
void startup.then(() => retention.run().catch(() => undefined)).then(() => compaction.run());
ext.runtime.onStartup.addListener(() => void endPreviousRun());

const writeBatch = createBatchWriter(db, {
  ...(__RUMSCOPE_TEST__
    ? {
        injectFailure: async () => {
          const kind = await takeInjectedWriteFailure();
          return kind ? makeQuotaError(kind) : null;
        },
      }
    : {}),
  afterWrite: () => {
    retention.afterWrite();
    compaction.afterWrite();
  },
});

// Stylesheets, fonts and images of recorded pages, kept with their sessions (docs/replay-assets.md).
const assets = startAssetFetcher(db, {
  afterWrite: () => retention.afterWrite(),
  privacy: async (pageUrl, assetUrl) => assetPrivacyFor(await settings.get(), pageUrl, assetUrl),
});
const replay = startReplayChannel(db, { afterWrite: () => retention.afterWrite(), assets });
startRelayServer({
  db,
  replay,
  tabGuard,
  persistOptions: async () => {
    const [timeouts, current, visitorIdFor] = await Promise.all([testTimeouts(), settings.get(), visitorIds.ready()]);
    const options: IngestOptions = {
      ...ingestOptionsFromSettings(current),
      fallbackTimeZone: browserTimeZone,
      visitorIdFor,
      ...(timeouts ? { timeouts } : {}),
    };
    return options;
  },
  allowSite: (site, tabId, info) => siteGate.allowSite(site, tabId, info),
  allowFrame: async (origin, incognito) => (await siteGate.decide(origin, incognito)).recorded,
  networkDetail: async (site) => networkDetailFor(await settings.get(), site),
  instantReplay: async (site) => instantReplayFor(await settings.get(), site),
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
  // Deletes, pins and imports: an import writes postings as a batch does.
  afterChange: () => {
    retention.afterWrite();
    compaction.afterWrite();
  },
  keepReplay: (input) => replay.keep(input),
  afterSyncTokenChange: () => sync.now(),
  // Test builds only (compiled out of a release): e2e tests and benches compact everything now.
  ...(__RUMSCOPE_TEST__ ? { compactNow: async () => ({ moved: (await compaction.runToEnd()).moved }) } : {}),
});

// Inject only into allowed sites; kept in step with the settings (one change at a time). When the registration
// changes (install, a site allowed) or the browser starts, the allowed tabs already open are injected too:
// recorded from that moment, without a reload (a document never gets a second copy).
let registering: Promise<void> = Promise.resolve();
const registerScripts = (injectAnyway = false) =>
  (registering = registering
    .then(() => settings.get())
    .then(async (current) => {
      const changed = await syncContentScripts(current);
      if (changed || injectAnyway) {
        await injectIntoOpenTabs(current, {
          tabs: ext.tabs,
          scripting: ext.scripting,
          allowed: async (site, incognito) => (await siteGate.decide(site, incognito)).recorded,
        });
      }
    })
    .catch((error: unknown) => console.warn('[rumscope] could not register the capture scripts', error)));
void registerScripts();
// Installed or updated (the old pages were cut off from the extension), or the browser started (tabs restored
// before this background ran): the open tabs are injected even if the registration kept from before is the same.
ext.runtime.onInstalled.addListener(() => void registerScripts(true));
ext.runtime.onStartup.addListener(() => void registerScripts(true));
// `npm run dev` only (compiled out of every other build): after the dev loop reloaded the extension, the recorded
// tabs are reloaded too, so that they run the capture just built.
if (__RUMSCOPE_DEV_RELOAD__) {
  ext.runtime.onInstalled.addListener(() => {
    void settings.get().then(async (current) => {
      const { matches } = injectionPlan(current);
      if (matches.length) for (const tab of await ext.tabs.query({ url: matches })) if (tab.id !== undefined) void ext.tabs.reload(tab.id);
    });
  });
}

// Retention settings apply at once (e.g. fewer days, a smaller cap); site access changes what is injected.
let syncUrl: string | undefined;
void settings.get().then((current) => (syncUrl = current.sync.url), () => undefined);
settings.onChange((current) => {
  if (current.sync.url !== syncUrl) {
    syncUrl = current.sync.url;
    sync.now();
  }
  void retention.run().catch(() => undefined);
  void registerScripts();
});
ext.tabs.onRemoved.addListener((tabId) => {
  tabGuard.forget(tabId);
  replay.forgetTab(tabId);
  void siteGate.forgetTab(tabId);
  void purgeLoads(db, tabId).catch(() => {});
});
