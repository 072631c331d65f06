/** Whether a session has a replay to play, and if not, why (the ▶ button's title and the detail's text). */
import type { SessionRecord } from '../sdk/schema';
import { SDK_LABELS } from '../sdk/schema';
import { formatBytes } from './format';

export function replayStatus(session: Pick<SessionRecord, 'sampled' | 'replay' | 'replayStats' | 'sdk' | 'foreignReplay'>, sourceHasReplays = true): { playable: boolean; text: string } {
  if (session.replayStats?.segments) {
    if (!sourceHasReplays) return { playable: false, text: 'This view cannot play replays.' };
    return { playable: true, text: `Play the replay (${formatBytes(session.replayStats.bytes)} stored)` };
  }
  // Another SDK's recording in a format the player cannot read: say so, never open a blank player.
  if (session.foreignReplay?.segments) {
    const who = session.sdk ? `${SDK_LABELS[session.sdk.name]}${session.sdk.version ? ` ${session.sdk.version}` : ''}` : 'another SDK';
    return { playable: false, text: `Recorded by ${who}, not playable: ${session.foreignReplay.reason} (${session.foreignReplay.segments} segments, ${formatBytes(session.foreignReplay.bytes)} kept)` };
  }
  if (!sourceHasReplays) return { playable: false, text: 'This view cannot play replays.' };
  if (!session.sampled) return { playable: false, text: 'No replay: this session was not sampled (its record only is kept).' };
  if (!session.replay) {
    return { playable: false, text: 'No replay: recording was off for this session (not drawn by the replay sample rate, and not forced by the page).' };
  }
  return { playable: false, text: 'No replay data yet: the session is drawn for replay, but nothing was recorded so far.' };
}
