import { REPLAY_META } from '../../schema';

/** Instant replay keeps at least this much of the recent past in memory (the spec's "last two minutes"). */
export const INSTANT_REPLAY_KEEP_MS = 120_000;
/** rrweb takes a fresh full snapshot (a checkout) this often while buffering, so old records can be dropped. */
export const INSTANT_REPLAY_CHECKOUT_MS = 60_000;

export interface BufferedRecord {
  json: string;
  viewId: string | null;
  type: number;
  timestamp: number;
}

/**
 * Instant replay's rolling buffer, in the page's memory only (nothing leaves the page until it is kept).
 * rrweb starts a checkout with a Meta record followed by a full snapshot; a player can start from any
 * checkout, so whatever precedes the newest checkout that is already `keepMs` old can go: the buffer holds
 * between `keepMs` and `keepMs` + the checkout interval of the past.
 */
export function createRollingBuffer(keepMs = INSTANT_REPLAY_KEEP_MS) {
  let records: BufferedRecord[] = [];
  return {
    add(record: BufferedRecord, now: number) {
      records.push(record);
      if (record.type !== REPLAY_META) return;
      let cut = -1;
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        if (r.type === REPLAY_META && r.timestamp <= now - keepMs) cut = i;
      }
      if (cut > 0) records = records.slice(cut);
    },
    /** Empties the buffer, handing over what it held in order. */
    take(): BufferedRecord[] {
      const taken = records;
      records = [];
      return taken;
    },
    get size() {
      return records.length;
    },
    /** Epoch ms of the oldest record held, or null. */
    get since() {
      return records[0]?.timestamp ?? null;
    },
  };
}
