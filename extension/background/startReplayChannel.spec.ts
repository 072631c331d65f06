import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { makeSession } from '../../tests/unit/support/sessionFixtures';
import { RumscopeDb } from '../storage/db';
import { startReplayChannel } from './startReplayChannel';

const FRAME_ORIGIN = 'http://localhost:5173';

interface Call {
  frameIds: number[];
  what: string;
  args?: unknown[];
}

/** scripting.executeScript as the background sees it: each call logged; a frame's document has the origin given. */
function fakeScripting(originOfFrame: (frameId: number) => string) {
  const calls: Call[] = [];
  const executeScript = vi.fn(async (injection: { target: { frameIds?: number[] }; files?: string[]; func?: (...args: never[]) => unknown; args?: unknown[] }) => {
    const frameIds = injection.target.frameIds ?? [];
    calls.push({ frameIds, what: injection.files?.join() ?? injection.func!.name, ...(injection.args ? { args: injection.args } : {}) });
    return injection.func?.name === 'originInPage' ? [{ frameId: frameIds[0]!, documentId: '', result: originOfFrame(frameIds[0]!) }] : [];
  });
  return { calls, scripting: { executeScript } as unknown as Pick<typeof chrome.scripting, 'executeScript'> };
}

const settle = () => new Promise((ok) => setTimeout(ok, 20));

let db: RumscopeDb;
let n = 0;
beforeEach(async () => {
  db = new RumscopeDb(`replay-channel-${++n}`);
  const session = makeSession({ id: 's1', replay: false, sampled: true });
  await db.sessions.put(session);
  await db.loads.put({ id: 'top-1', tabId: 7, frameId: 0, site: session.site, sessionId: 's1', url: session.site + '/', startedAt: 1, nextSeq: 3 });
});
afterEach(async () => {
  db.close();
  await db.delete();
});

describe('cross-origin frames in the replay channel', () => {
  test('a recorded frame: the top page hears of its origin first, then the frame gets the recorder in frame mode', async () => {
    const { calls, scripting } = fakeScripting(() => FRAME_ORIGIN);
    const channel = startReplayChannel(db, { scripting });
    channel.frame({ loadId: 'frame-1', tabId: 7, frameId: 3, origin: FRAME_ORIGIN, privacyLevel: 'mask', recorded: true, sessionId: 's1' });
    channel.frame({ loadId: 'frame-1', tabId: 7, frameId: 3, origin: FRAME_ORIGIN, privacyLevel: 'mask', recorded: true, sessionId: 's1' }); // its next batch
    await settle();
    expect(calls).toEqual([
      { frameIds: [3], what: 'originInPage' },
      { frameIds: [0], what: 'allowFramesInPage', args: ['__rumscopeRecorder', [FRAME_ORIGIN]] },
      { frameIds: [3], what: 'recorder.js' },
      { frameIds: [3], what: 'startFrameInPage', args: ['__rumscopeRecorder', 'mask', FRAME_ORIGIN] },
    ]);
    // The top page's recorder, started later, gets the origins known for its tab.
    channel.inject({ loadId: 'top-1', tabId: 7, frameId: 0, privacyLevel: null });
    await settle();
    expect(calls.at(-1)).toEqual({ frameIds: [0], what: 'startInPage', args: ['__rumscopeRecorder', null, null, [FRAME_ORIGIN]] });
  });

  test('a frame whose id holds another document by now gets nothing loaded', async () => {
    const { calls, scripting } = fakeScripting(() => 'https://elsewhere.test');
    const onError = vi.fn();
    const channel = startReplayChannel(db, { scripting, onError });
    channel.frame({ loadId: 'frame-1', tabId: 7, frameId: 3, origin: FRAME_ORIGIN, privacyLevel: null, recorded: true, sessionId: 's1' });
    await settle();
    expect(calls.map((c) => c.what)).toEqual(['originInPage']);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  test("a frame of a session not recording is only remembered; forcing the session records it, not another session's frame", async () => {
    const { calls, scripting } = fakeScripting(() => FRAME_ORIGIN);
    const channel = startReplayChannel(db, { scripting });
    channel.frame({ loadId: 'frame-1', tabId: 7, frameId: 3, origin: FRAME_ORIGIN, privacyLevel: null, recorded: false, sessionId: 's1' });
    channel.frame({ loadId: 'frame-old', tabId: 7, frameId: 4, origin: FRAME_ORIGIN, privacyLevel: null, recorded: false, sessionId: 's0' });
    await settle();
    expect(calls).toEqual([]);
    await channel.force({ loadId: 'top-1', tabId: 7, frameId: 0, isTop: true });
    await settle();
    expect(calls.filter((c) => c.what === 'recorder.js').map((c) => c.frameIds)).toEqual([[0], [3]]);
    expect(calls.filter((c) => c.what === 'startFrameInPage').map((c) => c.frameIds)).toEqual([[3]]);
    // A frame whose batch was stored while the session was being forced (it said: not recorded) is recorded too.
    channel.frame({ loadId: 'frame-2', tabId: 7, frameId: 5, origin: FRAME_ORIGIN, privacyLevel: null, recorded: false, sessionId: 's1' });
    await settle();
    expect(calls.filter((c) => c.what === 'startFrameInPage').map((c) => c.frameIds)).toEqual([[3], [5]]);
  });
});
