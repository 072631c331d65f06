/**
 * The background's write path: persistBatch (unchanged) inside one transaction that also keeps the
 * session's size and settings defaults, and a retry loop for a full disk or quota. When IndexedDB refuses
 * a write (QuotaExceededError, or Dexie's AbortError around it), the oldest unpinned sessions are deleted,
 * a warning is stored for the panel, and the batch is written again; it is acknowledged only once stored,
 * so whatever happens nothing acknowledged is lost.
 */
import Dexie from 'dexie';
import type { RumEvent, SessionDefaults, SessionRecord } from '../../sdk/schema';
import { jsonSize, type RumscopeDb } from './db';
import { evictOldest, isQuotaError, recordStorageWarning } from './eviction';
import { persistBatch, type BatchInput, type PersistOptions, type PersistResult } from './persistBatch';

export interface WriteOptions extends PersistOptions {
  /** Given to a session when it starts (settings: tester identity, environment label, privacy level). */
  defaults?: SessionDefaults;
}

export interface BatchWriterDeps {
  now?: () => number;
  /** Test hook: an error to throw inside the next write's transaction (an injected full disk). */
  injectFailure?: () => Promise<Error | null>;
  /** Called after every stored batch (the size cap is enforced off this path). */
  afterWrite?: () => void;
  /** Attempts per batch before giving up (the relay then re-sends it later). */
  maxAttempts?: number;
}

/** Device, user and app context a session created mid-page takes over from the session it follows. */
const CONTEXT_FIELDS = ['browser', 'os', 'deviceType', 'screen', 'viewport', 'connectionType', 'effectiveType', 'language', 'timeZone', 'geo', 'user', 'global', 'app'] as const;

function hasUser(user: SessionRecord['user']): boolean {
  return !!user && Object.values(user).some((value) => value !== undefined && value !== null && value !== '');
}

/** The session's user and environment fall back to the settings it started with, where the app set none. */
export function applyDefaults(session: SessionRecord): void {
  const defaults = session.defaults;
  if (!defaults) return;
  if (defaults.user && !hasUser(session.user)) session.user = { ...defaults.user };
  if (defaults.env && !session.app.env) session.app = { ...session.app, env: defaults.env };
}

async function writeOnce(db: RumscopeDb, input: BatchInput, options: WriteOptions, failure: Error | null): Promise<PersistResult> {
  return db.transaction('rw', db.sessions, db.events, db.loads, async () => {
    const before = await db.loads.get(input.loadId);
    const result = await persistBatch(db, input, options);
    if (failure) throw failure;
    if (result.status !== 'stored') return result;
    const session = await db.sessions.get(result.sessionId);
    if (!session) return result;
    const isNew = session.bytes === undefined;
    if (isNew) {
      if (options.defaults) session.defaults = options.defaults;
      // A session that starts in the middle of a page (the user ended the last one, or it expired) has not
      // seen the page's start-up context: it takes it over from the session this page was in.
      const previousId = before?.sessionId;
      if (previousId && previousId !== session.id && session.browser.name === null && session.deviceType === null) {
        const previous = await db.sessions.get(previousId);
        if (previous) {
          for (const field of CONTEXT_FIELDS) (session as unknown as Record<string, unknown>)[field] = structuredClone(previous[field]);
          // What the previous session had only from its settings is not the app's: the new settings apply.
          const fallback = previous.defaults;
          if (fallback?.user && JSON.stringify(previous.user) === JSON.stringify(fallback.user)) session.user = null;
          if (fallback?.env && previous.app.env === fallback.env) session.app = { ...session.app, env: null };
        }
      }
    }
    let added = 0;
    if (session.sampled && result.stored > 0) {
      const kept = input.events.filter((e): e is RumEvent => e !== null);
      for (const event of kept.slice(kept.length - result.stored)) added += jsonSize(event) + 120; // + the stored keys
    }
    applyDefaults(session);
    session.bytes = (session.bytes ?? 0) + added;
    if (isNew) session.bytes += jsonSize(session);
    await db.sessions.put(session);
    // The page's SDK learns the session's privacy level with the acknowledgement.
    return session.defaults ? { ...result, session: { ...result.session, privacyLevel: session.defaults.privacyLevel } } : result;
  });
}

export function createBatchWriter(db: RumscopeDb, deps: BatchWriterDeps = {}) {
  const now = deps.now ?? Date.now;
  // Few attempts, no growth between them: a disk that stays full (space freed by deletes only comes back
  // after compaction) must not take every session with it. The relay keeps the batch and retries later,
  // backing off.
  const maxAttempts = deps.maxAttempts ?? 3;
  return async function writeBatch(input: BatchInput, options: WriteOptions = {}): Promise<PersistResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        const failure = deps.injectFailure ? await deps.injectFailure() : null;
        const result = await writeOnce(db, input, options, failure);
        if (result.status === 'stored') deps.afterWrite?.();
        return result;
      } catch (error) {
        if (!isQuotaError(error)) throw error;
        // Room for this batch and then some: twice its size or 5% of what is stored; at least one session.
        // Idle sessions go first; live ones (another tab's) only from the second attempt. The session this
        // page writes to is never evicted here.
        const total = await sumBytes(db);
        const wanted = Math.max(2 * jsonSize(input.events), total * 0.05);
        const load = await db.loads.get(input.loadId);
        const keep = new Set(load?.sessionId ? [load.sessionId] : []);
        const freed = await evictOldest(db, { bytes: wanted, now: now(), keep, includeLive: attempt > 1, ...(options.timeouts ? { timeouts: options.timeouts } : {}) });
        await recordStorageWarning(db, { kind: freed.sessions ? 'quota' : 'full', at: now(), evictedSessions: freed.sessions, evictedBytes: freed.bytes });
        if (attempt >= maxAttempts || (!freed.sessions && attempt > 1)) throw error;
      }
    }
  };
}

async function sumBytes(db: RumscopeDb): Promise<number> {
  let total = 0;
  await db.sessions.each((s) => (total += s.bytes ?? 0));
  return total;
}

/** The error IndexedDB gives for a full disk, as the browser wraps it: for tests (see testHooks). */
export function makeQuotaError(kind: 'quota' | 'abort'): Error {
  const quota = new DOMException('The quota has been exceeded (injected by a test).', 'QuotaExceededError');
  return kind === 'quota' ? (quota as unknown as Error) : new Dexie.AbortError('Transaction aborted (injected by a test)', quota);
}
