import { describe, expect, it } from 'vitest';
import { makeSession } from '../server/testing/fixtures';
import { facetValue } from './dashboard/filter';
import { replayStatus } from './replayStatus';

describe('a session recorded by a peer SDK', () => {
  const peer = {
    ...makeSession('dd-1', 1_700_000_000_000),
    replay: true,
    sdk: { name: 'datadog' as const, version: '7.16.2' },
    foreignReplay: { format: 'datadog-change', reason: 'it is in change records', segments: 3, bytes: 2048, records: 40, start: 1, end: 2 },
  };

  it('says who recorded its replay and why it does not play, never offering the player', () => {
    expect(replayStatus(peer)).toEqual({ playable: false, text: 'Recorded by Datadog browser-rum 7.16.2, not playable: it is in change records (3 segments, 2.05 KB kept)' });
  });

  it('is found under "Recorded by", and Rumscope’s own sessions under Rumscope', () => {
    expect(facetValue(peer, 'sdk')).toBe('Datadog browser-rum');
    expect(facetValue(makeSession('own', 1), 'sdk')).toBe('Rumscope');
  });
});
