// @vitest-environment jsdom
/**
 * The player's own choices, with rrweb's Replayer stood in for (jsdom draws nothing): its times are the viewer's
 * time zone with the page's named beside them, canvas replay stays off and the player says so. The real Replayer
 * in Chromium and Firefox is tests/e2e/replay.e2e.ts.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import type { ReplayData, StoredEvent } from '../../sdk/schema';
import { REPLAY_FULL_SNAPSHOT, REPLAY_META } from '../../sdk/schema';
import type { SessionSource } from '../source/SessionSource';
import ReplayPlayer from './ReplayPlayer.svelte';

const built: { records: unknown[]; options: Record<string, unknown> }[] = [];

vi.mock('@rrweb/replay', () => ({
  Replayer: class {
    iframe = document.createElement('iframe');
    private readonly records: { timestamp: number }[];
    constructor(records: { timestamp: number }[], options: Record<string, unknown>) {
      this.records = records;
      built.push({ records, options });
    }
    getMetaData() {
      const start = this.records[0]!.timestamp;
      const end = this.records.at(-1)!.timestamp;
      return { startTime: start, endTime: end, totalTime: end - start };
    }
    getCurrentTime() {
      return 0;
    }
    play() {}
    pause() {}
    setConfig() {}
    addEvent() {}
    on() {}
    destroy() {}
  },
}));

beforeAll(() => {
  globalThis.ResizeObserver ??= class {
    observe() {}
    disconnect() {}
    unobserve() {}
  } as unknown as typeof ResizeObserver;
});

let mounted: ReturnType<typeof mount>[] = [];
afterEach(() => {
  for (const m of mounted) unmount(m);
  mounted = [];
  built.length = 0;
  document.body.innerHTML = '';
});

/** 12:12:20 UTC on Dec 5, 2025: 17:42:20 in Kolkata, 07:12:20 in New York. */
const START = Date.UTC(2025, 11, 5, 12, 12, 20);

function recording(records: ReplayData['records']): SessionSource {
  return {
    getReplay: async () => ({ records, segments: [] }),
  } as unknown as SessionSource;
}

const full = [
  { type: REPLAY_META, timestamp: START, data: { href: 'http://127.0.0.1/', width: 800, height: 600 } },
  { type: REPLAY_FULL_SNAPSHOT, timestamp: START + 10, data: { node: { type: 0, childNodes: [], id: 1 }, initialOffset: { top: 0, left: 0 } } },
  { type: 3, timestamp: START + 90_000, data: { source: 2, type: 2, id: 1, x: 1, y: 1 } },
] as unknown as ReplayData['records'];

const click = { type: 'action', action: 'click', name: 'Pay', time: START + 30_000, tz: 330, viewId: 'v1' } as unknown as StoredEvent;

async function render(props: { pageTimeZone: string | null; timeZone: string; source?: SessionSource; events?: StoredEvent[] }) {
  const target = document.createElement('div');
  document.body.append(target);
  mounted.push(mount(ReplayPlayer, { target, props: { sessionId: 's1', events: [], source: recording(full), ...props } }));
  await vi.waitFor(() => {
    flushSync();
    expect(target.querySelector('[data-testid="replay-clock"]')).not.toBeNull();
  });
  return target;
}

const text = (el: Element | null | undefined) => el?.textContent?.replace(/\s+/g, ' ').trim();

describe('ReplayPlayer', () => {
  it("shows times in the viewer's time zone and names the page's beside them", async () => {
    const target = await render({ pageTimeZone: 'America/New_York', timeZone: 'Asia/Kolkata', events: [click] });
    const clock = target.querySelector('[data-testid="replay-clock"]');
    expect(text(clock)).toBe("17:42:20 (0 s of 1.50 min) · page's zone: America/New_York");
    expect(clock?.getAttribute('title')).toBe("Your time zone; the page's was America/New_York");
    // The markers too: the click 30 s in, at the viewer's clock.
    expect([...target.querySelectorAll('[data-testid="replay-marker"]')].map((m) => m.getAttribute('title'))).toEqual(['17:42:50 click "Pay"']);
  });

  it('follows the viewer, not the page: the same recording viewed from New York', async () => {
    const target = await render({ pageTimeZone: 'Asia/Kolkata', timeZone: 'America/New_York' });
    expect(text(target.querySelector('[data-testid="replay-clock"]'))).toBe("07:12:20 (0 s of 1.50 min) · page's zone: Asia/Kolkata");
  });

  it("names an unknown page zone as such", async () => {
    const target = await render({ pageTimeZone: null, timeZone: 'UTC' });
    expect(text(target.querySelector('[data-testid="replay-clock"]'))).toBe("12:12:20 (0 s of 1.50 min) · page's zone: unknown");
  });

  it('never turns on canvas replay (it would need scripts in the sandbox), and says canvas is not shown', async () => {
    const target = await render({ pageTimeZone: 'UTC', timeZone: 'UTC' });
    expect(built).toHaveLength(1);
    expect(built[0]!.options).toMatchObject({ UNSAFE_replayCanvas: false });
    expect(text(target)).toContain('Canvas drawings are not recorded, and scripts of the recorded page never run here.');
  });

  it('shows no player and says why when nothing holds a first full picture of the page', async () => {
    const target = document.createElement('div');
    document.body.append(target);
    mounted.push(mount(ReplayPlayer, { target, props: { sessionId: 's1', events: [], pageTimeZone: 'UTC', source: recording(full.filter((r) => r.type !== REPLAY_FULL_SNAPSHOT)) } }));
    await vi.waitFor(() => {
      flushSync();
      expect(target.querySelector('[data-testid="replay-empty"]')).not.toBeNull();
    });
    expect(built).toHaveLength(0);
    expect(target.querySelector('[data-testid="replay-clock"]')).toBeNull();
  });
});
