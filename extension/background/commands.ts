import { PROTOCOL_VERSION } from '../../sdk/schema';
import type { CommandMap, CommandMessage, CommandName, CommandResult, TabRecordingStatus } from '../../sdk/schema';
import { currentLoad } from '../../sdk/model/currentLoad';
import type { RumscopeDb } from '../storage/db';
import { clearStorageWarning } from '../storage/eviction';
import { deleteSessions, endSession } from '../storage/sessionStore';
import { ext } from '../platform';
import { createImportInParts } from './importInParts';
import { saveSyncToken } from '../sync/syncCredentials';
import { validateSyncToken } from '../../sdk/schema/validateSettings';
import { originOf } from './originOf';
import type { SiteDecision } from '../settings/siteAccess';

/** What the commands need besides the database (all optional so that a test can start them bare). */
export interface CommandDeps {
  /** Site access for a tab's site (background/siteGate.ts). */
  decideSite?: (site: string, incognito: boolean) => Promise<SiteDecision>;
  /** One retention pass now. */
  runRetention?: () => Promise<{ expired: number; overCap: number }>;
  /** After sessions were deleted or (un)pinned: usage shown in the panel is refreshed. */
  afterChange?: () => void;
  /** "Keep replay" (startReplayChannel.ts keep): the load's session records from now on, its instant replay kept. */
  keepReplay?: (input: { loadId: string; tabId: number; frameId: number }) => Promise<boolean>;
  /** After the sync token changed: a sync pass now. */
  afterSyncTokenChange?: () => void;
  /** Test builds only: compacts the search postings to the end now (the test-only `compactSearchPostings`). */
  compactNow?: () => Promise<{ moved: number }>;
}

/** The tab's current load (one definition, the session model's: panel and popup agree). */
async function tabLoad(db: RumscopeDb, tabId: number) {
  return currentLoad(await db.loads.where('tabId').equals(tabId).toArray());
}


type Handlers = { [K in CommandName]: (args: CommandMap[K]['request']) => Promise<CommandMap[K]['response']> };

/** True only for the extension's own pages (panel, popup, options), never for a content script. */
export function isExtensionPage(sender: chrome.runtime.MessageSender): boolean {
  const root = ext.runtime.getURL('');
  return sender.id === ext.runtime.id && typeof sender.url === 'string' && sender.url.startsWith(root);
}

/** Commands extension pages may send. A content script (so, a page) can read, export or delete nothing. */
export function startCommands(db: RumscopeDb, deps: CommandDeps = {}) {
  const imports = createImportInParts(db);
  const handlers: Handlers = {
    endSession: async ({ sessionId }) => {
      await endSession(db, sessionId, Date.now());
      return { ok: true };
    },
    deleteSessions: async ({ sessionIds }) => {
      const deleted = await deleteSessions(db, sessionIds);
      deps.afterChange?.();
      return { deleted };
    },
    pinSession: async ({ sessionId, pinned }) => {
      await db.sessions.update(sessionId, { pinned: pinned ? 1 : 0 });
      deps.afterChange?.();
      return { ok: true };
    },
    endTabSession: async ({ tabId }) => {
      const load = await tabLoad(db, tabId);
      if (!load?.sessionId) return { sessionId: null };
      await endSession(db, load.sessionId, Date.now());
      return { sessionId: load.sessionId };
    },
    keepReplay: async ({ tabId }) => {
      const load = await tabLoad(db, tabId);
      if (!load?.sessionId || !deps.keepReplay) return { sessionId: null };
      return { sessionId: (await deps.keepReplay({ loadId: load.id, tabId, frameId: load.frameId })) ? load.sessionId : null };
    },
    tabStatus: async ({ tabId }) => {
      const tab = await ext.tabs.get(tabId);
      const site = originOf(tab.url);
      const decision: SiteDecision = site && deps.decideSite ? await deps.decideSite(site, tab.incognito) : { recorded: false, reason: 'unsupported' };
      const load = await tabLoad(db, tabId);
      const session = load?.sessionId && load.site === site ? await db.sessions.get(load.sessionId) : undefined;
      const status: TabRecordingStatus = {
        tabId,
        site,
        recorded: decision.recorded,
        reason: decision.reason,
        pattern: decision.pattern ?? null,
        recordingSince: load && load.site === site ? load.startedAt : null,
        session: session
          ? {
              id: session.id,
              startedAt: session.startedAt,
              endedAt: session.endedAt,
              sampled: session.sampled,
              replay: session.replay,
              counts: {
                events: session.counts.events,
                views: session.counts.views,
                actions: session.counts.actions,
                errors: session.counts.errors,
                apiCalls: session.counts.apiCalls,
              },
            }
          : null,
      };
      return status;
    },
    clearStorageWarning: async () => {
      await clearStorageWarning(db);
      return { ok: true };
    },
    runRetention: async () => {
      const result = deps.runRetention ? await deps.runRetention() : { expired: 0, overCap: 0 };
      return { expired: result.expired, overCap: result.overCap };
    },
    importPart: (args) => imports.part(args),
    ping: async () => ({ ok: true }),
    compactSearchPostings: async () => {
      // A release has no such command: the check and what it guards are compiled out with the flag.
      if (!__RUMSCOPE_TEST__ || !deps.compactNow) throw new Error('compactSearchPostings: test builds only');
      return deps.compactNow();
    },
    importEnd: async (args) => {
      const result = await imports.end(args);
      deps.afterChange?.();
      return result;
    },
    setSyncToken: async ({ token }) => {
      const valid = validateSyncToken(token);
      if (!valid.ok) throw new Error(valid.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
      await saveSyncToken(db, valid.token);
      deps.afterSyncTokenChange?.();
      return { ok: true };
    },
  };
  const onMessage = (message: CommandMessage, sender: chrome.runtime.MessageSender, reply: (r: CommandResult<CommandName>) => void) => {
    if (!isExtensionPage(sender)) return false;
    if (message?.protocol !== PROTOCOL_VERSION || message.kind !== 'command' || !(message.command in handlers)) return false;
    const handler = handlers[message.command] as (args: unknown) => Promise<unknown>;
    handler(message.args)
      .then((value) => reply({ ok: true, value } as CommandResult<CommandName>))
      .catch((error: unknown) => reply({ ok: false, error: String(error) }));
    return true;
  };
  ext.runtime.onMessage.addListener(onMessage);
  return { stop: () => ext.runtime.onMessage.removeListener(onMessage) };
}
