import { SESSION_INACTIVITY_MS, SESSION_MAX_MS } from '../../../schema';
import type { LifeCycle } from '../../lifeCycle';
import type { Guard } from '../../tools/guard';
import { randomId } from '../../tools/time';
import { addEventListener, removeEventListener } from '../../tools/safeGlobals';

/** Standalone mode only: the session lives in this first-party localStorage entry, shared by the site's tabs. */
export const SESSION_STORE_KEY = 'rumscope_session';
/** Standalone mode only: the anonymous visitor id of this site (new vs returning users), kept across sessions. */
export const VISITOR_STORE_KEY = 'rumscope_visitor';

export interface SessionState {
  id: string;
  /** UTC ms of the start, and of the moment it expires unless there is activity before. */
  created: number;
  expire: number;
  sampled: boolean;
  replay: boolean;
}

export interface SessionStoreOptions {
  sampleRate: number;
  replaySampleRate: number;
  storage?: Pick<Storage, 'getItem' | 'setItem'>;
  now?: () => number;
  random?: () => number;
  inactivityMs?: number;
  maxMs?: number;
}

/** Serialized as the peers do (Datadog's _dd_s): "id=…&created=…&expire=…&rum=1&replay=0". */
export const serializeSession = (s: SessionState) => `id=${s.id}&created=${s.created}&expire=${s.expire}&rum=${+s.sampled}&replay=${+s.replay}`;

export function parseSession(text: string | null): SessionState | undefined {
  if (!text) return undefined;
  const fields = new URLSearchParams(text);
  const id = fields.get('id');
  const created = Number(fields.get('created'));
  const expire = Number(fields.get('expire'));
  if (!id || !/^[\w-]{1,64}$/.test(id) || !created || !expire) return undefined;
  return { id, created, expire, sampled: fields.get('rum') === '1', replay: fields.get('replay') === '1' };
}

/**
 * One session per site, shared by every tab through localStorage: kept alive by activity (the bus's
 * 'activity' and every new view), over after 15 minutes without it or 4 hours in all. Sampling is drawn
 * once, when the session starts, so every tab and every reload of the session agrees.
 */
export function startSessionStore(lifeCycle: LifeCycle, guard: Guard, options: SessionStoreOptions) {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const inactivityMs = options.inactivityMs ?? SESSION_INACTIVITY_MS;
  const maxMs = options.maxMs ?? SESSION_MAX_MS;
  let memory: string | null = null; // where storage is refused (sandboxed frame, privacy mode)
  const storage = options.storage ?? (() => {
    try {
      return localStorage;
    } catch {
      return undefined;
    }
  })();
  const read = () => {
    try {
      return parseSession(storage ? storage.getItem(SESSION_STORE_KEY) : memory);
    } catch {
      return parseSession(memory);
    }
  };
  const write = (state: SessionState) => {
    memory = serializeSession(state);
    try {
      storage?.setItem(SESSION_STORE_KEY, memory);
    } catch {
      // quota or refused: the in-memory copy still serves this page
    }
  };
  const live = (s: SessionState | undefined, t: number): s is SessionState => !!s && t < s.expire && t < s.created + maxMs;

  let cache = read();

  /** Activity: extends the live session (re-read, another tab may have renewed it) or starts a new one. */
  const touch = (): SessionState => {
    const t = now();
    let state = read();
    if (!live(state, t)) {
      const sampled = random() * 100 < options.sampleRate;
      state = { id: randomId(), created: t, expire: 0, sampled, replay: sampled && random() * 100 < options.replaySampleRate };
    }
    // Writes at most once a second per tab for a busy user.
    if (state.expire - t < inactivityMs - 1000) {
      state.expire = Math.min(t + inactivityMs, state.created + maxMs);
      write(state);
    }
    return (cache = state);
  };

  const current = (): SessionState | undefined => {
    const t = now();
    if (!live(cache, t)) cache = read();
    return live(cache, t) ? cache : undefined;
  };

  let visitor: string | undefined;
  /** The site's anonymous visitor id: read from storage, else made and kept there (in memory where storage is refused). */
  const visitorId = (): string => {
    if (visitor) return visitor;
    try {
      const stored = storage?.getItem(VISITOR_STORE_KEY);
      if (stored && /^[\w-]{1,64}$/.test(stored)) return (visitor = stored);
    } catch {
      // refused: a visitor id for this page only
    }
    visitor = randomId();
    try {
      storage?.setItem(VISITOR_STORE_KEY, visitor);
    } catch {
      // quota or refused
    }
    return visitor;
  };

  const onStorage = guard((event: StorageEvent) => {
    if (event.key === SESSION_STORE_KEY) cache = parseSession(event.newValue);
  });
  addEventListener('storage', onStorage);
  const unsubscribers = [lifeCycle.subscribe('activity', () => touch()), lifeCycle.subscribe('viewStarted', () => touch())];

  return {
    /** The live session, or undefined once it expired (events wait for the next activity, as the peers do). */
    current,
    touch,
    visitorId,
    /** startSessionReplayRecording({ force: true }): replay on for the rest of this session. */
    forceReplay() {
      const state = current() ?? touch();
      state.replay = true;
      write(state);
    },
    /** stopSession(): the next activity starts a new session. */
    expire() {
      const state = read();
      if (state) write({ ...state, expire: 1 });
      cache = undefined;
    },
    stop() {
      removeEventListener('storage', onStorage);
      unsubscribers.forEach((unsubscribe) => unsubscribe());
    },
  };
}

export type SessionStore = ReturnType<typeof startSessionStore>;
