/**
 * The extension's session state machine: one session per site shared by every tab and frame, kept alive by
 * activity, over after 15 minutes without it, 4 hours in all, or when the browser closes; sampling drawn once.
 * Runs persistBatch on fake-indexeddb with fake timers driving Date.now, as the background does.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ContextEvent, RumEvent, SessionRecord } from '../../sdk/schema';
import { DEFAULT_TIMEOUTS, expiryReason } from '../../extension/background/sessionRules';
import { RumscopeDb } from '../../extension/storage/db';
import { applyEvent, newSession, persistBatch, type BatchInput, type PersistOptions } from '../../extension/storage/persistBatch';
import { endOpenSessions } from '../../extension/storage/sessionStore';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const SITE = 'http://shop.test';

let db: RumscopeDb;
let n = 0;
let ids = 0;
const seqs = new Map<string, number>();
beforeEach(() => {
  // Only the clock: fake-indexeddb schedules its own work on real timers.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  db = new RumscopeDb(`session-model-${++n}`);
  seqs.clear();
});
afterEach(async () => {
  vi.useRealTimers();
  db.close();
  await db.delete();
});

const base = () => ({ time: Date.now(), tz: 60, viewId: 'v1' });
const click = (): RumEvent => ({ type: 'action', ...base(), action: 'click', name: 'Buy', selector: '#buy', x: 1, y: 1, rage: false, dead: false, errorClick: false });
const view = (): RumEvent => ({ type: 'view', ...base(), url: `${SITE}/`, referrer: '', title: 'Shop', navigation: 'initial', loadingTime: 10 });
const key = (): RumEvent => ({ type: 'activity', ...base(), kind: 'key' });
const telemetry = (): RumEvent => ({ type: 'telemetry', ...base(), overheadMs: 1.5, dropped: 0 });
const context = (over: Partial<ContextEvent> = {}): RumEvent => ({
  type: 'context',
  ...base(),
  cause: 'start',
  device: {
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    clientHints: null,
    screen: { width: 1920, height: 1080 },
    viewport: { width: 1280, height: 800 },
    pixelRatio: 1,
    language: 'en-IN',
    timeZone: 'Asia/Kolkata',
    connectionType: null,
    effectiveType: '4g',
    maxTouchPoints: 0,
  },
  app: { service: null, env: null, version: null },
  user: null,
  global: {},
  ...over,
});

/** Sends events as one relay (one document in one tab/frame) would, numbering them itself. */
async function send(load: string, events: RumEvent[], over: Partial<BatchInput> = {}, options: PersistOptions = {}) {
  const first = seqs.get(load) ?? 0;
  seqs.set(load, first + events.length);
  const result = await persistBatch(
    db,
    { loadId: load, tabId: 1, frameId: 0, site: SITE, url: `${SITE}/`, first, events, now: Date.now(), ...over },
    { newId: () => `s${++ids}`, ...options },
  );
  if (result.status !== 'stored') throw new Error(`not stored: ${result.status}`);
  return result;
}
const sessions = async () => (await db.sessions.orderBy('startedAt').toArray()) as SessionRecord[];

describe('sessionRules.expiryReason', () => {
  const s = { startedAt: T0, lastActivityAt: T0, endedAt: null, endReason: null };
  it('is live until 15 minutes without activity or 4 hours in all', () => {
    expect(expiryReason(s, T0 + 15 * MIN - 1)).toBeNull();
    expect(expiryReason(s, T0 + 15 * MIN)).toBe('inactivity');
    expect(expiryReason({ ...s, lastActivityAt: T0 + 4 * 60 * MIN - MIN }, T0 + 4 * 60 * MIN)).toBe('max_duration');
    expect(expiryReason({ ...s, endedAt: T0 + 1, endReason: 'user' }, T0 + 2)).toBe('user');
    expect(DEFAULT_TIMEOUTS).toEqual({ inactivityMs: 15 * MIN, maxMs: 4 * 60 * MIN });
  });
  it('takes shortened timeouts (the test hook)', () => {
    expect(expiryReason(s, T0 + 2001, { inactivityMs: 2000, maxMs: 10_000 })).toBe('inactivity');
  });
});

describe('the extension session model', () => {
  it('two tabs of one site, their reloads and their frames share one session', async () => {
    await send('tab1-load1', [context(), view()]);
    vi.advanceTimersByTime(MIN);
    await send('tab2-load1', [context(), view(), click()], { tabId: 2 });
    await send('tab1-load2', [context(), view()]); // reload of tab 1
    await send('tab2-frame', [context(), view(), click()], { tabId: 2, frameId: 3, url: 'http://ads.test/frame' });
    const [session, ...others] = await sessions();
    expect(others).toHaveLength(0);
    expect(new Set((await db.events.toArray()).map((e) => e.sessionId))).toEqual(new Set([session!.id]));
    // The frame's view is not one of the session's page views; its click is one of its actions.
    expect(session!.counts).toMatchObject({ views: 3, actions: 2 });
  });

  it('another site is another session', async () => {
    await send('a', [view()]);
    await send('b', [view()], { site: 'http://other.test', tabId: 2 });
    expect((await sessions()).map((s) => s.site).sort()).toEqual(['http://other.test', SITE]);
  });

  it('15 minutes without activity end the session at its last event; the next event starts a new one', async () => {
    await send('a', [view()]);
    vi.advanceTimersByTime(5 * MIN);
    await send('a', [click()]);
    const lastEvent = Date.now();
    vi.advanceTimersByTime(15 * MIN);
    await send('a', [click()]);
    const [first, second] = await sessions();
    expect(first).toMatchObject({ endedAt: lastEvent, endReason: 'inactivity', counts: expect.objectContaining({ actions: 1 }) });
    expect(second).toMatchObject({ endedAt: null, startedAt: Date.now() });
  });

  it('typing, scrolling or coming back to the tab (activity events) keep it alive; telemetry does not', async () => {
    await send('a', [view()]);
    for (let i = 0; i < 4; i++) {
      vi.advanceTimersByTime(10 * MIN);
      await send('a', [key()]);
    }
    expect(await sessions()).toHaveLength(1);
    vi.advanceTimersByTime(10 * MIN);
    await send('a', [telemetry()]);
    vi.advanceTimersByTime(10 * MIN);
    await send('a', [click()]);
    const all = await sessions();
    expect(all).toHaveLength(2);
    expect(all[0]!.endReason).toBe('inactivity');
  });

  it('ends after 4 hours however active', async () => {
    await send('a', [view()]);
    for (let t = 0; t < 4 * 60; t += 10) {
      vi.advanceTimersByTime(10 * MIN);
      await send('a', [click()]);
    }
    const all = await sessions();
    expect(all).toHaveLength(2);
    expect(all[0]!.endReason).toBe('max_duration');
  });

  it('ends when the browser closes (sessions left open end at their last event)', async () => {
    await send('a', [view()]);
    vi.advanceTimersByTime(MIN);
    await send('a', [click()]);
    await endOpenSessions(db, 'browser_closed');
    const [session] = await sessions();
    expect(session).toMatchObject({ endedAt: Date.now(), endReason: 'browser_closed' });
    await send('a', [click()]);
    expect(await sessions()).toHaveLength(2);
  });

  it('honours the shortened timeouts of the test hook', async () => {
    const timeouts = { inactivityMs: 2000, maxMs: 60_000 };
    await send('a', [view()], {}, { timeouts });
    vi.advanceTimersByTime(2500);
    await send('a', [click()], {}, { timeouts });
    expect((await sessions()).map((s) => s.endReason)).toEqual(['inactivity', null]);
  });

  it('draws sampling once per session: an unsampled session keeps its record and counts, not its events', async () => {
    const random = vi.fn(() => 0.75);
    const options = { sampleRate: 50, replaySampleRate: 100, random };
    const result = await send('a', [view(), click()], {}, options);
    await send('b', [view()], { tabId: 2 }, options);
    expect(random).toHaveBeenCalledTimes(1);
    expect(result.session).toEqual({ sampled: false, replay: false });
    expect(await db.events.count()).toBe(0);
    expect((await sessions())[0]!.counts).toMatchObject({ views: 2, actions: 1 });
  });

  it('draws replay separately for sampled sessions', async () => {
    const random = vi.fn().mockReturnValueOnce(0.1).mockReturnValueOnce(0.9);
    const result = await send('a', [view()], {}, { sampleRate: 50, replaySampleRate: 20, random });
    expect(result.session).toEqual({ id: (await sessions())[0]!.id, sampled: true, replay: false });
  });
});

describe('applyEvent: the session summary', () => {
  const fresh = () => newSession('s', SITE, T0, 60, true, false);

  it('parses the device outside the page and estimates the country from the time zone', () => {
    const session = fresh();
    applyEvent(session, context());
    expect(session).toMatchObject({
      browser: { name: 'Chrome', version: '131.0.0.0' },
      os: { name: 'Linux' },
      deviceType: 'Desktop',
      geo: { country: 'India', city: 'Unknown', region: null },
      screen: { width: 1920, height: 1080 },
      effectiveType: '4g',
    });
  });

  it("takes the browser's own time zone when the extension's SDK leaves it empty (no Intl cost in the page)", () => {
    const session = fresh();
    const facts = (context() as ContextEvent).device;
    applyEvent(session, context({ device: { ...facts, timeZone: '' } }));
    expect(session.timeZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it("keeps the user an earlier page set when a new page starts, replaces it on change (clearUser)", () => {
    const session = fresh();
    applyEvent(session, context({ cause: 'change', user: { id: 'u1', email: 'ann@example.com' }, global: { plan: 'premium' } }));
    applyEvent(session, context({ cause: 'start' }));
    expect(session.user).toEqual({ id: 'u1', email: 'ann@example.com' });
    expect(session.global).toEqual({ plan: 'premium' });
    applyEvent(session, context({ cause: 'change', user: null, global: {} }));
    expect(session.user).toBeNull();
    expect(session.global).toEqual({});
  });

  it("a frame's context does not replace the top page's user or device", () => {
    const session = fresh();
    applyEvent(session, context({ cause: 'change', user: { id: 'u1' } }));
    const inFrame = context({ cause: 'change', user: null }) as ContextEvent;
    inFrame.device = { ...inFrame.device, viewport: { width: 300, height: 250 } };
    applyEvent(session, { ...inFrame, sessionId: 's', loadId: 'f', seq: 0, tabId: 1, frameId: 2, schema: 1 });
    expect(session.user).toEqual({ id: 'u1' });
    expect(session.viewport).toEqual({ width: 1280, height: 800 });
  });

  it('sums the overhead the SDK reports and counts errors but not internal ones', () => {
    const session = fresh();
    applyEvent(session, telemetry());
    applyEvent(session, telemetry());
    const error = (source: 'uncaught' | 'internal'): RumEvent => ({ type: 'error', ...base(), source, errorType: 'Error', message: 'x', stack: null, frames: [] });
    applyEvent(session, error('uncaught'));
    applyEvent(session, error('internal'));
    expect(session.overheadMs).toBe(3);
    expect(session.counts.errors).toBe(1);
  });
});
