/**
 * The session model (sdk/model), tested once, table-driven, over the in-memory repository: one session per
 * site shared by every tab and frame, kept alive by activity, over after 15 minutes without it, 4 hours in
 * all, or when the browser closes; private windows apart; sampling drawn once; defaults and context
 * inheritance; the running totals; the current load of a tab. Every store runs the same rules
 * (tests/contract/sessionRepository.contract.ts checks that the stores keep their side).
 */
import { describe, expect, it, test, vi } from 'vitest';
import type { ContextEvent, RumEvent, SessionRecord, StoredEvent } from '../../sdk/schema';
import {
  DEFAULT_TIMEOUTS,
  applyEvent,
  clampTime,
  currentLoad,
  currentSessionId,
  defaultsFromSettings,
  drawSampling,
  endAtShutdown,
  endSessionNow,
  expiryReason,
  ingestBatch,
  ingestOptionsFromSettings,
  newSession,
  type BatchInput,
  type IngestOptions,
  type IngestResult,
  type LoadRecord,
} from '../../sdk/model';
import { createMemoryRepository, type MemoryRepository } from '../contract/memoryRepository';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const SITE = 'http://shop.test';
const OTHER = 'http://other.test';

// Events at a time offset from T0.
type Make = (at: number) => RumEvent;
const base = (at: number) => ({ time: T0 + at, tz: 60, viewId: 'v1' });
const click: Make = (at) => ({ type: 'action', ...base(at), action: 'click', name: 'Buy', selector: '#buy', x: 1, y: 1, rage: false, dead: false, errorClick: false });
const view: Make = (at) => ({ type: 'view', ...base(at), url: `${SITE}/`, referrer: '', title: 'Shop', navigation: 'initial', loadingTime: 10 });
const key: Make = (at) => ({ type: 'activity', ...base(at), kind: 'key' });
const telemetry: Make = (at) => ({ type: 'telemetry', ...base(at), overheadMs: 1.5, dropped: 0 });
const vital: Make = (at) => ({ type: 'vital', ...base(at), name: 'CLS', value: 0.01, supported: true, rating: 'good' });
const error = (source: 'uncaught' | 'internal'): Make => (at) => ({ type: 'error', ...base(at), source, errorType: 'Error', message: 'x', stack: null, frames: [] });
const api: Make = (at) => ({ type: 'api', ...base(at), via: 'fetch', method: 'POST', url: '/api/pay', status: 500, duration: 87, requestSize: null, responseSize: null, timing: null }) as RumEvent;
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const context = (over: Partial<ContextEvent> = {}): Make => (at) => ({
  type: 'context',
  ...base(at),
  cause: 'start',
  device: {
    userAgent: UA, clientHints: null, screen: { width: 1920, height: 1080 }, viewport: { width: 1280, height: 800 }, pixelRatio: 1,
    language: 'en-IN', timeZone: 'Asia/Kolkata', connectionType: null, effectiveType: '4g', maxTouchPoints: 0,
  },
  app: { service: null, env: null, version: null },
  user: null,
  global: {},
  ...over,
});

/** A scenario step: one batch from one document (it numbers its events itself), or something done to the store. */
type Step =
  | { at: number; send: (Make | null)[]; load?: string; over?: Partial<BatchInput>; options?: IngestOptions }
  | { at: number; run: (w: World) => Promise<void> | void };

interface World {
  repo: MemoryRepository;
  results: IngestResult[];
  /** Sessions by start time. */
  sessions: SessionRecord[];
  events: StoredEvent[];
  load(id: string): LoadRecord | undefined;
}

async function play(steps: Step[], defaults: IngestOptions = {}): Promise<World> {
  const repo = createMemoryRepository();
  const seqs = new Map<string, number>();
  const results: IngestResult[] = [];
  let ids = 0;
  const world = (): World => ({
    repo,
    results,
    sessions: [...repo.sessions.values()].sort((a, b) => a.startedAt - b.startedAt),
    events: [...repo.events.values()],
    load: (id) => repo.loads.get(id),
  });
  for (const step of steps) {
    if ('run' in step) {
      await step.run(world());
      continue;
    }
    const loadId = step.load ?? 'a';
    const first = step.over?.first ?? seqs.get(loadId) ?? 0;
    seqs.set(loadId, first + step.send.length);
    const input: BatchInput = { loadId, tabId: 1, frameId: 0, site: SITE, url: `${SITE}/`, first, events: step.send.map((make) => make?.(step.at) ?? null), now: T0 + step.at, ...step.over };
    results.push(await ingestBatch(repo, input, { newId: () => `s${++ids}`, ...defaults, ...step.options }));
  }
  return world();
}

/** Changes sessions in the store as the extension's commands do (end, browser close, delete). */
const edit = (change: (session: SessionRecord) => void) => (w: World) => {
  for (const session of w.repo.sessions.values()) change(session);
};
const deleteAll = (w: World) => {
  w.repo.sessions.clear();
  w.repo.events.clear();
  for (const load of w.repo.loads.values()) Object.assign(load, { sessionId: '', url: '' });
};
const stored = (r: IngestResult | undefined) => (r?.status === 'stored' ? r : undefined);

interface Case {
  name: string;
  steps: Step[];
  options?: IngestOptions;
  then: (w: World) => void;
}

const cases: Case[] = [
  {
    name: 'a batch starts a session for its site at its first event, in the page’s offset, and is numbered by the page',
    steps: [{ at: SEC, send: [click, error('uncaught')] }],
    then: ({ sessions, events, results }) => {
      expect(results[0]).toMatchObject({ status: 'stored', upTo: 2, stored: 2, sessionId: 's1', session: { id: 's1', sampled: true, replay: false } });
      expect(sessions).toEqual([expect.objectContaining({ site: SITE, startedAt: T0 + SEC, lastEventAt: T0 + SEC, tz: 60, endedAt: null })]);
      expect(sessions[0]!.counts).toMatchObject({ events: 2, actions: 1, errors: 1 });
      expect(events.map((e) => [e.seq, e.sessionId, e.tabId, e.loadId])).toEqual([[0, 's1', 1, 'a'], [1, 's1', 1, 'a']]);
    },
  },
  {
    name: 'two tabs of one site, their reloads and their frames share one session; a frame’s view is not a page view',
    steps: [
      { at: 0, load: 'tab1', send: [context(), view] },
      { at: MIN, load: 'tab2', send: [context(), view, click], over: { tabId: 2 } },
      { at: MIN, load: 'tab1-reload', send: [context(), view] },
      { at: MIN, load: 'tab2-frame', send: [context(), view, click], over: { tabId: 2, frameId: 3, url: 'http://ads.test/frame' } },
    ],
    then: ({ sessions, events }) => {
      expect(sessions).toHaveLength(1);
      expect(new Set(events.map((e) => e.sessionId))).toEqual(new Set([sessions[0]!.id]));
      expect(sessions[0]!.counts).toMatchObject({ views: 3, actions: 2 });
    },
  },
  {
    name: 'another site is another session',
    steps: [{ at: 0, send: [view] }, { at: 0, load: 'b', send: [view], over: { site: OTHER, tabId: 2 } }],
    then: ({ sessions }) => expect(sessions.map((s) => s.site).sort()).toEqual([OTHER, SITE]),
  },
  {
    name: 'a re-sent batch (the worker died before the ack) neither duplicates events nor double-counts',
    steps: [{ at: 0, send: [click, click] }, { at: 3, send: [click, click, click], over: { first: 0 } }],
    then: ({ results, events, sessions }) => {
      expect(results[1]).toMatchObject({ status: 'stored', upTo: 3, stored: 1 });
      expect(events).toHaveLength(3);
      expect(sessions[0]!.counts.actions).toBe(3);
    },
  },
  {
    name: 'a batch after a gap is refused so that the sender re-sends from the gap',
    steps: [{ at: 0, send: [click] }, { at: 0, send: [click], over: { first: 5 } }],
    then: ({ results, events }) => {
      expect(results[1]).toEqual({ status: 'gap', upTo: 1 });
      expect(events).toHaveLength(1);
    },
  },
  {
    name: 'a load id seen on another tab is refused as forged',
    steps: [{ at: 0, send: [click] }, { at: 0, send: [click], over: { tabId: 8 } }],
    then: ({ results, events }) => {
      expect(results[1]).toEqual({ status: 'foreign' });
      expect(events).toHaveLength(1);
    },
  },
  {
    name: 'a frame’s load keeps the site and frame it started in when its tab’s top page has moved on',
    steps: [{ at: 0, send: [click], over: { frameId: 3 } }, { at: 0, send: [click], over: { frameId: 0, site: OTHER } }],
    then: ({ results, sessions, events }) => {
      expect(results[1]).toMatchObject({ status: 'stored', stored: 1 });
      expect(sessions.map((s) => s.site)).toEqual([SITE]);
      expect(events.map((e) => e.frameId)).toEqual([3, 3]);
    },
  },
  {
    name: 'refused events consume their sequence number but store nothing',
    steps: [{ at: 2, send: [click, null, click] }],
    then: ({ results, events }) => {
      expect(results[0]).toMatchObject({ status: 'stored', upTo: 3, stored: 2 });
      expect(events.map((e) => e.seq)).toEqual([0, 2]);
    },
  },
  {
    name: 'page times are clamped to the receiver’s clock: never ahead, at most 10 minutes behind',
    steps: [{ at: 0, send: [(at) => click(at + 10 * 365 * 24 * HOUR), (at) => click(at - HOUR)] }],
    then: ({ sessions, events }) => {
      expect(sessions[0]).toMatchObject({ startedAt: T0 - 10 * MIN, lastEventAt: T0 });
      expect(events.map((e) => e.time - T0)).toEqual([0, -10 * MIN]);
    },
  },
  {
    name: '15 minutes without activity end the session at its last event; the next activity starts a new one',
    steps: [{ at: 0, send: [view] }, { at: 5 * MIN, send: [click] }, { at: 20 * MIN, send: [click] }],
    then: ({ sessions, load }) => {
      expect(sessions).toHaveLength(2);
      expect(sessions[0]).toMatchObject({ endedAt: T0 + 5 * MIN, endReason: 'inactivity', counts: expect.objectContaining({ actions: 1 }) });
      expect(sessions[1]).toMatchObject({ endedAt: null, startedAt: T0 + 20 * MIN });
      expect(load('a')!.sessionId).toBe(sessions[1]!.id);
    },
  },
  {
    name: 'typing, scrolling or coming back to the tab (activity events) keep it alive; telemetry does not',
    steps: [
      { at: 0, send: [view] },
      ...[10, 20, 30, 40].map((m) => ({ at: m * MIN, send: [key] })),
      { at: 50 * MIN, send: [telemetry] },
      { at: 60 * MIN, send: [click] },
    ],
    then: ({ sessions }) => expect(sessions.map((s) => [s.startedAt - T0, s.endReason])).toEqual([[0, 'inactivity'], [60 * MIN, null]]),
  },
  {
    name: 'a session ends after 4 hours however active',
    steps: [{ at: 0, send: [view] }, ...Array.from({ length: 24 }, (_, i) => ({ at: (i + 1) * 10 * MIN, send: [click] }))],
    then: ({ sessions }) => expect(sessions.map((s) => [s.startedAt - T0, s.endReason])).toEqual([[0, 'max_duration'], [4 * HOUR, null]]),
  },
  {
    name: 'shortened timeouts (test builds) are honoured',
    options: { timeouts: { inactivityMs: 2000, maxMs: 60_000 } },
    steps: [{ at: 0, send: [view] }, { at: 2500, send: [click] }],
    then: ({ sessions }) => expect(sessions.map((s) => s.endReason)).toEqual(['inactivity', null]),
  },
  {
    name: 'after the timeout, events without activity join the ended session without lengthening it; later ones are dropped',
    steps: [
      { at: 0, send: [click, (at) => click(at + 2 * SEC)], over: { now: T0 + 2 * SEC } },
      { at: 16 * MIN, send: [vital] },
      { at: 31 * MIN, send: [vital] },
      { at: 16 * MIN + 1, send: [click] },
    ],
    then: ({ sessions, events, results }) => {
      expect(sessions.map((s) => [s.startedAt - T0, s.lastEventAt - T0, s.endedAt === null ? null : s.endedAt - T0, s.endReason])).toEqual([
        [0, 2 * SEC, 2 * SEC, 'inactivity'],
        [16 * MIN + 1, 16 * MIN + 1, null, null],
      ]);
      expect(sessions[0]!.counts.events).toBe(3);
      expect(results[2]).toMatchObject({ status: 'stored', stored: 0, upTo: 4 });
      expect(events).toHaveLength(4);
    },
  },
  {
    name: 'the site’s live session is joined by a page whose own session expired (another tab kept it alive)',
    steps: [
      { at: 0, load: 'a', send: [click] },
      { at: 10 * MIN, load: 'b', send: [click], over: { tabId: 2 } },
      { at: 20 * MIN, load: 'a', send: [click] },
    ],
    then: ({ sessions }) => expect(sessions.map((s) => s.counts.actions)).toEqual([3]),
  },
  {
    name: 'ended by the user: the next activity starts a new session that takes over the page’s context, not its settings-only user',
    options: { defaults: { user: { email: 'tester@example.com' }, env: 'staging', privacyLevel: 'mask' } },
    steps: [
      { at: 0, send: [context({ global: { plan: 'gold' } }), view] },
      { at: MIN, run: edit((s) => endSessionNow(s, T0 + MIN)) },
      { at: 2 * MIN, send: [click], options: { defaults: { user: { email: 'next@example.com' }, env: null, privacyLevel: 'allow' } } },
    ],
    then: ({ sessions, results }) => {
      expect(sessions[0]).toMatchObject({ endReason: 'user', user: { email: 'tester@example.com' }, app: { env: 'staging' } });
      expect(sessions[1]).toMatchObject({
        browser: { name: 'Chrome' }, geo: { country: 'India' }, global: { plan: 'gold' }, viewport: { width: 1280, height: 800 },
        user: { email: 'next@example.com' }, app: { env: null }, defaults: { privacyLevel: 'allow' },
      });
      expect(stored(results[1])!.session).toEqual({ id: 's2', sampled: true, replay: false, privacyLevel: 'allow' });
    },
  },
  {
    name: 'browser closed: open sessions end at their last event; the next event starts a new one',
    steps: [
      { at: 0, load: 'idle', send: [click], over: { site: OTHER, tabId: 2 } },
      { at: 20 * MIN, send: [view] },
      { at: 21 * MIN, send: [click] },
      { at: 22 * MIN, run: edit((s) => endAtShutdown(s, 'browser_closed')) },
      { at: 22 * MIN, send: [click] },
    ],
    then: ({ sessions }) => {
      expect(sessions.map((s) => [s.site, s.endedAt === null ? null : s.endedAt - T0, s.endReason])).toEqual([
        [OTHER, 0, 'browser_closed'],
        [SITE, 21 * MIN, 'browser_closed'],
        [SITE, null, null],
      ]);
    },
  },
  {
    name: 'after a page’s session is deleted, its background noise opens no session; its next activity does',
    steps: [
      { at: 0, send: [click] },
      { at: 1, run: deleteAll },
      { at: 5, send: [vital] },
      { at: 9, send: [click] },
    ],
    then: ({ results, sessions, events }) => {
      expect(results[1]).toEqual({ status: 'stored', sessionId: '', upTo: 2, stored: 0, session: { sampled: true, replay: false } });
      expect(results[2]).toMatchObject({ status: 'stored', stored: 1, upTo: 3 });
      expect(sessions.map((s) => s.startedAt - T0)).toEqual([9]);
      expect(events.map((e) => e.seq)).toEqual([2]);
    },
  },
  {
    name: 'a private window never joins the live session of the same site in a normal window',
    steps: [
      { at: 0, send: [click] },
      { at: 10, load: 'private-1', send: [click], over: { tabId: 20, incognito: true } },
      { at: 20, load: 'private-2', send: [click], over: { tabId: 21, incognito: true } },
    ],
    then: ({ sessions }) => expect(sessions.map((s) => [s.incognito === true, s.counts.actions])).toEqual([[false, 1], [true, 2]]),
  },
  {
    name: 'every new session of a site in a normal window gets the site’s visitor id (returning users); a private window’s none',
    options: { visitorIdFor: (site: string) => `visitor-of-${site}` },
    steps: [
      { at: 0, send: [click] },
      { at: 20 * MIN, send: [click] },
      { at: 21 * MIN, load: 'other', send: [click], over: { site: OTHER, tabId: 2 } },
      { at: 22 * MIN, load: 'private', send: [click], over: { tabId: 3, incognito: true } },
    ],
    then: ({ sessions }) =>
      expect(sessions.map((s) => [s.site, s.incognito === true, s.visitorId])).toEqual([
        [SITE, false, `visitor-of-${SITE}`],
        [SITE, false, `visitor-of-${SITE}`],
        [OTHER, false, `visitor-of-${OTHER}`],
        [SITE, true, undefined],
      ]),
  },
  {
    name: 'an unsampled session keeps its record and counts, not its events, and its id is not told to the page',
    options: { sampleRate: 0, replaySampleRate: 100 },
    steps: [{ at: 0, send: [view, click] }, { at: 1, load: 'b', send: [view], over: { tabId: 2 } }],
    then: ({ results, sessions, events }) => {
      expect(stored(results[0])!.session).toEqual({ sampled: false, replay: false });
      expect(events).toHaveLength(0);
      expect(sessions).toHaveLength(1);
      expect(sessions[0]!.counts).toMatchObject({ views: 2, actions: 1 });
    },
  },
  {
    name: 'a new session gets the settings in force; the app’s own user and environment win over them',
    options: { defaults: { user: { name: 'Asha', email: 'asha@example.com' }, env: 'staging', privacyLevel: 'mask' } },
    steps: [
      { at: 0, send: [click, click] },
      { at: 1, send: [context({ cause: 'change', user: { email: 'app-user@example.com' }, app: { service: 'shop', env: 'prod', version: null } })] },
    ],
    then: ({ results, sessions }) => {
      expect(stored(results[0])!.session.privacyLevel).toBe('mask');
      expect(sessions[0]).toMatchObject({ user: { email: 'app-user@example.com' }, app: { env: 'prod' }, defaults: { env: 'staging' } });
    },
  },
  {
    name: 'clearing the app’s user brings the tester identity back',
    options: { defaults: { user: { email: 'tester@example.com' }, env: null, privacyLevel: 'mask' } },
    steps: [
      { at: 0, send: [context({ cause: 'change', user: { email: 'app-user@example.com' }, app: { service: 'shop', env: 'prod', version: null } })] },
      { at: 1, send: [context({ cause: 'change', user: null, app: { service: 'shop', env: 'prod', version: null } })] },
    ],
    then: ({ sessions }) => expect(sessions[0]).toMatchObject({ user: { email: 'tester@example.com' }, app: { env: 'prod' } }),
  },
  {
    name: 'a sampled session counts its size: its record and every stored event',
    steps: [{ at: 0, send: [click, click] }, { at: 1, send: [click] }],
    then: ({ sessions, events }) => {
      const eventBytes = events.reduce((sum, e) => sum + JSON.stringify(e).length, 0);
      expect(sessions[0]!.bytes).toBeGreaterThan(eventBytes + JSON.stringify({ ...sessions[0], bytes: 0 }).length / 2);
    },
  },
];

describe('ingestBatch: find or start the session of a batch', () => {
  test.each(cases)('$name', async ({ steps, options, then }) => {
    then(await play(steps, options));
  });

  it('draws sampling once per session, and replay only for a sampled one', async () => {
    const random = vi.fn(() => 0.75);
    await play([{ at: 0, send: [view] }, { at: 1, load: 'b', send: [view], over: { tabId: 2 } }], { sampleRate: 50, replaySampleRate: 100, random });
    expect(random).toHaveBeenCalledTimes(1);
    const replayDraw = vi.fn().mockReturnValueOnce(0.1).mockReturnValueOnce(0.9);
    const { results } = await play([{ at: 0, send: [view] }], { sampleRate: 50, replaySampleRate: 20, random: replayDraw });
    expect(stored(results[0])!.session).toEqual({ id: 's1', sampled: true, replay: false });
  });
});

describe('session rules', () => {
  const open = { startedAt: T0, lastActivityAt: T0, endedAt: null, endReason: null };
  test.each([
    ['live just before 15 minutes', open, 15 * MIN - 1, undefined, null],
    ['inactivity at 15 minutes', open, 15 * MIN, undefined, 'inactivity'],
    ['4 hours at most, however active', { ...open, lastActivityAt: T0 + 4 * HOUR - MIN }, 4 * HOUR, undefined, 'max_duration'],
    ['ended by the user', { ...open, endedAt: T0 + 1, endReason: 'user' as const }, 2, undefined, 'user'],
    ['ended, reason unknown', { ...open, endedAt: T0 + 1 }, 2, undefined, 'ended'],
    ['shortened timeouts', open, 2001, { inactivityMs: 2000, maxMs: 10_000 }, 'inactivity'],
  ])('expiryReason: %s', (_name, session, after, timeouts, reason) => {
    expect(expiryReason(session, T0 + after, timeouts)).toBe(reason);
  });

  test('the defaults are 15 minutes and 4 hours', () => expect(DEFAULT_TIMEOUTS).toEqual({ inactivityMs: 15 * MIN, maxMs: 4 * HOUR }));

  test.each([
    [T0 - 1, T0 - 1],
    [T0 + 1, T0],
    [T0 - 11 * MIN, T0 - 10 * MIN],
  ])('clampTime(%i) at T0 is %i', (time, clamped) => expect(clampTime(time, T0)).toBe(clamped));

  test.each([
    ['ended by the user at its last event, never later than now', { lastEventAt: T0 + 5 }, T0 + 10, T0 + 5],
    ['a session with no event yet ends at its start', { lastEventAt: T0 - 5 }, T0 + 10, T0],
    ['a clock behind the session ends it now', { lastEventAt: T0 + 50 }, T0 + 10, T0 + 10],
  ])('endSessionNow: %s', (_name, over, now, endedAt) => {
    const session = { ...newSession('s', SITE, T0, 0, true, false), ...over };
    endSessionNow(session, now);
    expect(session).toMatchObject({ endedAt, endReason: 'user' });
    endSessionNow(session, now + 1000, 'browser_closed');
    expect(session).toMatchObject({ endedAt, endReason: 'user' });
  });

  test.each([
    [{ sampleRate: 100, replaySampleRate: 0 }, [0.99, 0], { sampled: true, replay: false }],
    [{ sampleRate: 0, replaySampleRate: 100 }, [0], { sampled: false, replay: false }],
    [{ sampleRate: 50, replaySampleRate: 50 }, [0.2, 0.4], { sampled: true, replay: true }],
    [{}, [0.5, 0], { sampled: true, replay: false }],
  ])('drawSampling(%o)', (rates, draws, expected) => {
    const random = vi.fn();
    for (const draw of draws) random.mockReturnValueOnce(draw);
    expect(drawSampling(rates, random)).toEqual(expected);
    expect(random).toHaveBeenCalledTimes(draws.length);
  });

  test.each([
    [{ name: '', email: '' }, '', null, null],
    [{ name: 'Asha', email: '' }, 'staging', { name: 'Asha' }, 'staging'],
    [{ name: 'Asha', email: 'a@x.test' }, '', { name: 'Asha', email: 'a@x.test' }, null],
  ])('settings → defaults: tester %o, environment %s', (tester, environment, user, env) => {
    const settings = { tester, environment, privacyLevel: 'mask' as const, sampling: { sessionSampleRate: 40, sessionReplaySampleRate: 10 } };
    expect(defaultsFromSettings(settings)).toEqual({ user, env, privacyLevel: 'mask' });
    expect(ingestOptionsFromSettings(settings)).toEqual({ sampleRate: 40, replaySampleRate: 10, defaults: { user, env, privacyLevel: 'mask' } });
  });
});

describe('applyEvent: the running totals', () => {
  const fresh = () => newSession('s', SITE, T0, 60, true, false);
  const inFrame = (make: Make, frameId = 2): StoredEvent => ({ ...make(0), sessionId: 's', loadId: 'f', seq: 0, tabId: 1, frameId, schema: 1 }) as StoredEvent;
  test.each<[string, RumEvent | StoredEvent, Partial<SessionRecord['counts']>]>([
    ['a view is a page view', view(0), { events: 1, views: 1 }],
    ['a frame’s view is not', inFrame(view), { events: 1, views: 0 }],
    ['an action', click(0), { actions: 1 }],
    ['an error', error('uncaught')(0), { errors: 1 }],
    ['an internal error is not the app’s', error('internal')(0), { events: 1, errors: 0 }],
    ['an API call', api(0), { apiCalls: 1 }],
    ['a resource', { type: 'resource', ...base(0), url: '/a.js', initiator: 'script', duration: 1, size: null, timing: null } as unknown as RumEvent, { resources: 1 }],
    ['a long task', { type: 'long_task', ...base(0), duration: 80 } as unknown as RumEvent, { longTasks: 1 }],
    ['a vital counts as an event only', vital(0), { events: 1, views: 0, actions: 0 }],
  ])('%s', (_name, event, counts) => {
    const session = fresh();
    applyEvent(session, event);
    expect(session.counts).toMatchObject(counts);
  });

  test.each<[string, Make, number, number]>([
    ['activity moves the last activity', click, 5 * SEC, 5 * SEC],
    ['telemetry does not', telemetry, 5 * SEC, 0],
    ['a vital does not', vital, 5 * SEC, 0],
  ])('time spent: %s', (_name, make, at, activity) => {
    const session = fresh();
    applyEvent(session, make(at));
    expect([session.lastEventAt - T0, session.lastActivityAt - T0]).toEqual([at, activity]);
  });

  it('parses the device outside the page and estimates the country from the time zone', () => {
    const session = fresh();
    applyEvent(session, context()(0));
    expect(session).toMatchObject({
      browser: { name: 'Chrome', version: '131.0.0.0' },
      os: { name: 'Linux' },
      deviceType: 'Desktop',
      geo: { country: 'India', city: 'Unknown', region: null },
      screen: { width: 1920, height: 1080 },
      effectiveType: '4g',
    });
  });

  test.each([
    ['the receiver’s zone when the page names none (no Intl cost in the page)', '', () => 'Europe/Berlin', 'Europe/Berlin', 'Germany'],
    ['unknown where the receiver has none (a server)', '', undefined, null, null],
    ['the page’s own zone first', 'Asia/Tokyo', () => 'Europe/Berlin', 'Asia/Tokyo', 'Japan'],
  ])('time zone: %s', (_name, pageZone, fallbackTimeZone, zone, country) => {
    const session = fresh();
    const event = context()(0) as ContextEvent;
    applyEvent(session, { ...event, device: { ...event.device, timeZone: pageZone } }, fallbackTimeZone ? { fallbackTimeZone } : {});
    expect([session.timeZone, session.geo.country]).toEqual([zone, country]);
  });

  it('keeps the user an earlier page set when a new page starts, replaces it on change (clearUser)', () => {
    const session = fresh();
    applyEvent(session, context({ cause: 'change', user: { id: 'u1', email: 'ann@example.com' }, global: { plan: 'premium' } })(0));
    applyEvent(session, context({ cause: 'start' })(0));
    expect(session.user).toEqual({ id: 'u1', email: 'ann@example.com' });
    expect(session.global).toEqual({ plan: 'premium' });
    applyEvent(session, context({ cause: 'change', user: null, global: {} })(0));
    expect(session.user).toBeNull();
    expect(session.global).toEqual({});
  });

  it("a frame's context does not replace the top page's user or device", () => {
    const session = fresh();
    applyEvent(session, context({ cause: 'change', user: { id: 'u1' } })(0));
    const frame = inFrame(context({ cause: 'change', user: null })) as StoredEvent & ContextEvent;
    applyEvent(session, { ...frame, device: { ...frame.device, viewport: { width: 300, height: 250 } } });
    expect(session.user).toEqual({ id: 'u1' });
    expect(session.viewport).toEqual({ width: 1280, height: 800 });
  });

  it('sums the overhead the SDK reports', () => {
    const session = fresh();
    applyEvent(session, telemetry(0));
    applyEvent(session, telemetry(0));
    expect(session.overheadMs).toBe(3);
  });
});

describe('the current load of a tab', () => {
  const load = (id: string, frameId: number, startedAt: number, sessionId = `s-${id}`): LoadRecord => ({ id, tabId: 1, frameId, site: SITE, sessionId, url: '', startedAt, nextSeq: 0 });
  test.each<[string, LoadRecord[], string | undefined, string | null]>([
    ['none recorded', [], undefined, null],
    ['the newest top-frame load', [load('old', 0, 1), load('new', 0, 2), load('frame', 3, 9)], 'new', 's-new'],
    ['a frame’s load while the top page has none', [load('frame', 3, 1), load('frame2', 4, 2)], 'frame2', 's-frame2'],
    ['a top page whose session was deleted has none, not the page before’s', [load('old', 0, 1), load('new', 0, 2, '')], 'new', null],
  ])('%s', (_name, loads, id, sessionId) => {
    expect(currentLoad(loads)?.id).toBe(id);
    expect(currentSessionId(loads)).toBe(sessionId);
  });
});
