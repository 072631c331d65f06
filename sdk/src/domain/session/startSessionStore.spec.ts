// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLifeCycle } from '../../lifeCycle';
import { createGuard } from '../../tools/guard';
import { parseSession, SESSION_STORE_KEY, startSessionStore, VISITOR_STORE_KEY, type SessionStoreOptions } from './startSessionStore';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

/** A storage shared by the "tabs" of one test, as localStorage is shared by a site's tabs. */
function sharedStorage() {
  const map = new Map<string, string>();
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), map };
}

function tab(storage: ReturnType<typeof sharedStorage>, options: Partial<SessionStoreOptions> = {}) {
  const lifeCycle = createLifeCycle(() => {});
  const store = startSessionStore(lifeCycle, createGuard(() => {}), { sampleRate: 100, replaySampleRate: 0, storage, ...options });
  stores.push(store);
  return {
    store,
    activity: () => lifeCycle.notify('activity', { kind: 'key' }),
    view: () => lifeCycle.notify('viewStarted', { viewId: 'v', url: 'http://a.test/' }),
  };
}

const stores: ReturnType<typeof startSessionStore>[] = [];
beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  stores.splice(0).forEach((s) => s.stop());
  vi.useRealTimers();
});

describe('standalone session store (localStorage, shared by the tabs of a site)', () => {
  it('starts a session on the first view and stores it as the peers do', () => {
    const storage = sharedStorage();
    const a = tab(storage);
    expect(a.store.current()).toBeUndefined();
    a.view();
    const session = a.store.current()!;
    expect(session).toMatchObject({ created: T0, expire: T0 + 15 * MIN, sampled: true, replay: false });
    expect(storage.map.get(SESSION_STORE_KEY)).toBe(`id=${session.id}&created=${T0}&expire=${T0 + 15 * MIN}&rum=1&replay=0`);
  });

  it('a second tab, a reload and a second SDK instance all join the same session', () => {
    const storage = sharedStorage();
    const a = tab(storage);
    a.view();
    vi.advanceTimersByTime(2 * MIN);
    const b = tab(storage);
    b.view();
    const reloaded = tab(storage);
    reloaded.view();
    expect(b.store.current()!.id).toBe(a.store.current()!.id);
    expect(reloaded.store.current()!.id).toBe(a.store.current()!.id);
  });

  it('activity keeps it alive; 15 minutes without activity end it, and the next activity starts a new one', () => {
    const storage = sharedStorage();
    const a = tab(storage);
    a.view();
    const first = a.store.current()!.id;
    for (let i = 0; i < 6; i++) {
      vi.advanceTimersByTime(10 * MIN);
      a.activity();
    }
    expect(a.store.current()!.id).toBe(first); // 60 minutes, never 15 idle
    vi.advanceTimersByTime(15 * MIN);
    expect(a.store.current()).toBeUndefined(); // events wait for activity
    a.activity();
    expect(a.store.current()!.id).not.toBe(first);
  });

  it('activity in one tab keeps the session alive for the other tab', () => {
    const storage = sharedStorage();
    const a = tab(storage);
    const b = tab(storage);
    a.view();
    b.view();
    vi.advanceTimersByTime(10 * MIN);
    a.activity();
    vi.advanceTimersByTime(10 * MIN);
    expect(b.store.current()?.id).toBe(a.store.current()!.id);
  });

  it('ends after 4 hours however active the user is', () => {
    const storage = sharedStorage();
    const a = tab(storage);
    a.view();
    const first = a.store.current()!.id;
    for (let t = 0; t < 4 * 60 - 5; t += 5) {
      vi.advanceTimersByTime(5 * MIN);
      a.activity();
    }
    expect(a.store.current()!.id).toBe(first);
    vi.advanceTimersByTime(5 * MIN);
    expect(a.store.current()).toBeUndefined();
    a.activity();
    expect(a.store.current()!.id).not.toBe(first);
  });

  it('draws sampling once per session: every tab and reload agrees, the next session draws again', () => {
    const storage = sharedStorage();
    const random = vi.fn().mockReturnValueOnce(0.9).mockReturnValue(0.1);
    const a = tab(storage, { sampleRate: 50, random });
    a.view();
    expect(a.store.current()!.sampled).toBe(false);
    const b = tab(storage, { sampleRate: 50, random });
    b.view();
    expect(b.store.current()!.sampled).toBe(false);
    expect(random).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(16 * MIN);
    a.activity();
    expect(a.store.current()!.sampled).toBe(true);
  });

  it('draws replay separately, only for sampled sessions; forceReplay turns it on for every tab', () => {
    const storage = sharedStorage();
    const a = tab(storage, { sampleRate: 100, replaySampleRate: 20, random: () => 0.5 });
    a.view();
    expect(a.store.current()).toMatchObject({ sampled: true, replay: false });
    a.store.forceReplay();
    expect(parseSession(storage.map.get(SESSION_STORE_KEY)!)!.replay).toBe(true);
    const b = tab(storage);
    b.view();
    expect(b.store.current()!.replay).toBe(true);
  });

  it('follows a session renewed by another tab through the storage event', () => {
    const storage = sharedStorage();
    const a = tab(storage);
    a.view();
    const renewed = `id=other&created=${T0}&expire=${T0 + 15 * MIN}&rum=1&replay=0`;
    storage.setItem(SESSION_STORE_KEY, renewed);
    window.dispatchEvent(new StorageEvent('storage', { key: SESSION_STORE_KEY, newValue: renewed }));
    expect(a.store.current()!.id).toBe('other');
  });

  it('stopSession: the next activity starts a new session', () => {
    const storage = sharedStorage();
    const a = tab(storage);
    a.view();
    const first = a.store.current()!.id;
    a.store.expire();
    expect(a.store.current()).toBeUndefined();
    a.activity();
    expect(a.store.current()!.id).not.toBe(first);
  });

  it("keeps one anonymous visitor id for the site across sessions and tabs (new vs returning users)", () => {
    const storage = sharedStorage();
    const a = tab(storage);
    a.view();
    const visitor = a.store.visitorId();
    expect(visitor).toMatch(/^[\w-]{8,64}$/);
    expect(storage.map.get(VISITOR_STORE_KEY)).toBe(visitor);
    const firstSession = a.store.current()!.id;
    vi.advanceTimersByTime(16 * MIN);
    a.activity();
    expect(a.store.current()!.id).not.toBe(firstSession);
    expect(a.store.visitorId()).toBe(visitor);
    expect(tab(storage).store.visitorId()).toBe(visitor);
    // Another site (another storage) is another visitor; a tampered entry is replaced, not sent.
    expect(tab(sharedStorage()).store.visitorId()).not.toBe(visitor);
    const tampered = sharedStorage();
    tampered.setItem(VISITOR_STORE_KEY, '<img onerror=x>');
    expect(tab(tampered).store.visitorId()).toMatch(/^[\w-]{8,64}$/);
  });

  it('works in memory where storage throws (sandboxed frames, privacy modes)', () => {
    const refusing = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); } };
    const lifeCycle = createLifeCycle(() => {});
    const store = startSessionStore(lifeCycle, createGuard(() => {}), { sampleRate: 100, replaySampleRate: 0, storage: refusing });
    stores.push(store);
    lifeCycle.notify('viewStarted', { viewId: 'v', url: 'x' });
    expect(store.current()?.sampled).toBe(true);
    expect(store.visitorId()).toBe(store.visitorId());
  });

  it('ignores what it cannot parse', () => {
    expect(parseSession('id=<script>&created=1&expire=2')).toBeUndefined();
    expect(parseSession('garbage')).toBeUndefined();
    expect(parseSession(null)).toBeUndefined();
  });
});
