/**
 * The per-site anonymous visitor ids (issue: "new vs returning users"): a random id per site, made when the
 * site's first session starts and kept in storage.local, so a later session of the same site in this browser
 * profile is a returning visitor's. Private windows get none (ingestBatch never asks for them).
 */
import { ext } from '../platform';

export const VISITOR_IDS_KEY = 'rumscope.visitorIds';

type Area = Pick<chrome.storage.StorageArea, 'get' | 'set'>;

export interface VisitorIds {
  /** The lookup for IngestOptions.visitorIdFor, once the stored ids are loaded (once per background start). */
  ready(): Promise<(site: string) => string>;
}

export function createVisitorIds(area: Area = ext.storage.local, newId: () => string = () => crypto.randomUUID()): VisitorIds {
  let loaded: Promise<(site: string) => string> | null = null;
  let writing: Promise<unknown> = Promise.resolve();
  const load = async () => {
    const stored = (await area.get(VISITOR_IDS_KEY))[VISITOR_IDS_KEY] as Record<string, unknown> | undefined;
    const ids = new Map<string, string>();
    for (const [site, id] of Object.entries(stored ?? {})) if (typeof id === 'string' && id) ids.set(site, id);
    return (site: string): string => {
      const known = ids.get(site);
      if (known) return known;
      const id = newId();
      ids.set(site, id);
      // Written in order; a failed write keeps the id for this run (the next start makes a new one).
      const snapshot = Object.fromEntries(ids);
      writing = writing.then(() => area.set({ [VISITOR_IDS_KEY]: snapshot })).catch((error: unknown) => console.warn('[rumscope] could not keep the visitor id', error));
      return id;
    };
  };
  return {
    ready() {
      loaded ??= load().catch((error: unknown) => {
        loaded = null;
        throw error;
      });
      return loaded;
    },
  };
}
