import type { SessionRecord } from '../schema';

/** A session record with nothing in it yet: it starts at `time`, in the page's UTC offset `tz`. */
export function newSession(id: string, site: string, time: number, tz: number, sampled: boolean, replay: boolean): SessionRecord {
  return {
    id,
    site,
    startedAt: time,
    lastEventAt: time,
    lastActivityAt: time,
    endedAt: null,
    endReason: null,
    tz,
    user: null,
    global: {},
    app: { service: null, env: null, version: null },
    browser: { name: null, version: null },
    os: { name: null, version: null },
    deviceType: null,
    screen: null,
    viewport: null,
    connectionType: null,
    effectiveType: null,
    language: null,
    timeZone: null,
    geo: { country: null, city: null, region: null },
    counts: { events: 0, views: 0, actions: 0, errors: 0, apiCalls: 0, resources: 0, longTasks: 0 },
    sampled,
    replay,
    pinned: 0,
    overheadMs: 0,
  };
}

export interface SamplingRates {
  /** Percentage of new sessions tracked (0-100); default 100. */
  sampleRate?: number;
  /** Percentage of tracked sessions that also record a replay (0-100); default 0. */
  replaySampleRate?: number;
}

/**
 * Sampling is drawn once, when a session starts: `random` is called once for the session and, only for a
 * tracked one, once more for its replay.
 */
export function drawSampling(rates: SamplingRates, random: () => number = Math.random): { sampled: boolean; replay: boolean } {
  const sampled = random() * 100 < (rates.sampleRate ?? 100);
  const replay = sampled && random() * 100 < (rates.replaySampleRate ?? 0);
  return { sampled, replay };
}
