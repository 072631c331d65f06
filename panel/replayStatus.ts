/** Whether a session has a replay to play, and if not, why (the ▶ button's title and the detail's text). */
import type { SessionRecord } from '../sdk/schema';
import { formatBytes } from './format';

export function replayStatus(session: Pick<SessionRecord, 'sampled' | 'replay' | 'replayStats'>, sourceHasReplays = true): { playable: boolean; text: string } {
  if (!sourceHasReplays) return { playable: false, text: 'This view cannot play replays.' };
  if (session.replayStats?.segments) {
    return { playable: true, text: `Play the replay (${formatBytes(session.replayStats.bytes)} stored)` };
  }
  if (!session.sampled) return { playable: false, text: 'No replay: this session was not sampled (its record only is kept).' };
  if (!session.replay) {
    return { playable: false, text: 'No replay: recording was off for this session (not drawn by the replay sample rate, and not forced by the page).' };
  }
  return { playable: false, text: 'No replay data yet: the session is drawn for replay, but nothing was recorded so far.' };
}
