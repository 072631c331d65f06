/**
 * Site access for the relay server (`allowSite`): a page's batches are stored only if its site is allowed
 * (settings.siteAccess), it is not the extension's own page or the sync server, and it is not in a private
 * window (unless allowed). A refused batch is acknowledged and dropped: nothing of it is stored.
 *
 * A page (one load id) refused once stays refused for its whole life, even if its site is allowed later:
 * its earlier events were acknowledged without being stored, so a later batch would look like a gap the
 * relay can no longer fill. Allowing a site therefore records from its next page load. The refused load ids
 * are kept in storage.session (memory only; survives a worker restart, not a browser restart).
 */
import type { RumscopeSettings } from '../../sdk/schema';
import { ext } from '../platform';
import { decideSite, type SiteDecision } from '../settings/siteAccess';

export const REFUSED_LOADS_KEY = 'rumscope.refusedLoads';
/** Refused loads remembered at most (oldest forgotten first); tabs closing forget theirs. */
const MAX_REFUSED = 5000;

type SessionArea = Pick<chrome.storage.StorageArea, 'get' | 'set'>;

export interface SiteGateDeps {
  settings: () => Promise<RumscopeSettings>;
  area?: SessionArea | undefined;
  extensionOrigins?: readonly string[];
}

export function createSiteGate(deps: SiteGateDeps) {
  const area = deps.area ?? ext.storage.session;
  const extensionOrigins = deps.extensionOrigins ?? [ext.runtime.getURL('').replace(/\/$/, '')];
  /** loadId -> tabId */
  let refused: Promise<Map<string, number>> | null = null;
  let saving: Promise<void> = Promise.resolve();

  const load = () =>
    (refused ??= (async () => {
      try {
        const stored = await area?.get(REFUSED_LOADS_KEY);
        return new Map(Object.entries((stored?.[REFUSED_LOADS_KEY] as Record<string, number> | undefined) ?? {}));
      } catch {
        return new Map<string, number>();
      }
    })());

  const save = async (map: Map<string, number>) => {
    while (map.size > MAX_REFUSED) map.delete(map.keys().next().value!);
    const snapshot = Object.fromEntries(map);
    saving = saving.then(() => area?.set({ [REFUSED_LOADS_KEY]: snapshot })).catch(() => {});
    await saving;
  };

  return {
    decide: async (site: string, incognito = false): Promise<SiteDecision> =>
      decideSite(site, await deps.settings(), { incognito, extensionOrigins }),

    /** The relay server's `allowSite`. Resolves only once a refusal is remembered, so acknowledging it is safe. */
    async allowSite(site: string, tabId: number, info: { loadId?: string; incognito?: boolean } = {}): Promise<boolean> {
      const map = await load();
      if (info.loadId && map.has(info.loadId)) return false;
      const decision = decideSite(site, await deps.settings(), { incognito: info.incognito ?? false, extensionOrigins });
      if (decision.recorded) return true;
      if (info.loadId) {
        map.set(info.loadId, tabId);
        await save(map);
      }
      return false;
    },

    async forgetTab(tabId: number): Promise<void> {
      const map = await load();
      let changed = false;
      for (const [loadId, tab] of map) {
        if (tab === tabId) {
          map.delete(loadId);
          changed = true;
        }
      }
      if (changed) await save(map);
    },
  };
}
