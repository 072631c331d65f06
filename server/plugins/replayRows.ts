/**
 * Writing replay segment rows (the replay intake, and the recordings inside an uploaded export bundle) and
 * counting a session's replay figures from what is stored.
 */
import type { Kysely } from 'kysely';
import type { ReplayRecord, ReplaySegmentRow, ReplayStats } from '../../sdk/schema';
import { buildSegmentRow, importedLoadId, splitRecords } from '../../sdk/src/replay/segmentCodec';
import type { Database } from '../db/schema';

/** Inserts one row unless its [loadId+seq] is stored already; true when it was inserted. */
export async function insertReplayRow(trx: Kysely<Database>, row: ReplaySegmentRow): Promise<boolean> {
  const inserted = await trx
    .insertInto('replay_segments')
    .values({
      load_id: row.loadId,
      seq: row.seq,
      session_id: row.sessionId,
      view_id: row.viewId,
      reason: row.reason,
      start_at: row.start,
      end_at: row.end,
      records: row.records,
      full_snapshot: row.fullSnapshot ? 1 : 0,
      raw_chars: row.rawChars,
      bytes: row.bytes,
      data: Buffer.from(row.data.buffer, row.data.byteOffset, row.data.byteLength),
    })
    .onConflict((oc) => oc.columns(['load_id', 'seq']).doNothing())
    .returning('seq')
    .executeTakeFirst();
  return !!inserted;
}

/** The session's replay figures from the rows stored (null when it has none). */
export async function storedReplayStats(trx: Kysely<Database>, sessionId: string): Promise<ReplayStats | null> {
  const totals = await trx
    .selectFrom('replay_segments')
    .select((eb) => [eb.fn.countAll<number>().as('segments'), eb.fn.sum<number>('bytes').as('bytes'), eb.fn.sum<number>('raw_chars').as('rawChars'), eb.fn.min('start_at').as('start'), eb.fn.max('end_at').as('end')])
    .where('session_id', '=', sessionId)
    .executeTakeFirstOrThrow();
  if (!Number(totals.segments)) return null;
  return { segments: Number(totals.segments), bytes: Number(totals.bytes), rawChars: Number(totals.rawChars), start: Number(totals.start), end: Number(totals.end) };
}

/** An export bundle's recording of a session, cut into segments to store (built before the transaction). */
export function bundleReplayRows(sessionId: string, records: readonly ReplayRecord[]): ReplaySegmentRow[] {
  return splitRecords(records).map((part, seq) => buildSegmentRow(sessionId, importedLoadId(sessionId), seq, { viewId: null, reason: 'time', records: part }));
}
