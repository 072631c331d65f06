/**
 * Files a peer SDK's events into Rumscope sessions through the session model (ingestBatchIn: every session rule
 * stays there). What this adds is storage-side only:
 * - a stable mapping: the peer's session id (scoped by the application) is one load of the model, and the
 *   session the model starts for it gets an id derived from it; the only live session a batch may join is
 *   its own (two visitors of one site are never merged, as they would be by the site rule of a browser);
 * - idempotence: an event is passed to the model only the first time its derivation key is seen (a retried
 *   request, the SDK's repeated view updates), checked and claimed in the same transaction;
 * - the session is stamped with the SDK that recorded it.
 * Everything of one request commits together or not at all.
 */
import { createHash } from 'node:crypto';
import { ingestBatchIn, type IngestOptions } from '../../sdk/model/ingestBatch';
import type { SessionTx } from '../../sdk/model/repository';
import type { RumEvent, SdkName, SessionRecord } from '../../sdk/schema';
import { validateEvent } from '../../sdk/schema/validate';
import type { Store } from '../db/openDatabase';
import { sqlRepository, type SqlTx } from '../db/sqlRepository';
import { foreignReplayStats, segmentId, type SegmentMetadata } from './foreignReplay';
import type { MappedItem } from './mapRumEvent';

/** Rows per INSERT of keys (well under both dialects' parameter limits). */
const CHUNK = 400;

export interface CompatSessionBatch {
  /** The peer's session id. */
  externalSessionId: string;
  url: string;
  items: MappedItem[];
  /** The page's SDK records a replay for this session (`session.has_replay`). */
  hasReplay: boolean;
}

export interface CompatBatchInput {
  sdk: SdkName;
  sdkVersion: string | null;
  applicationId: string;
  /** The member the application's sessions are filed under (the admin who created it). */
  uploader: string | null;
  sessions: CompatSessionBatch[];
  now: number;
}

export interface CompatBatchResult {
  stored: number;
  refused: number;
  reasons: string[];
  sessionIds: string[];
}

const SDK_PREFIX: Record<SdkName, string> = { rumscope: 'rs', datadog: 'dd', openobserve: 'oo' };

/** The model's load id for one peer session of one application (no other application can name it). */
export function compatKey(sdk: SdkName, applicationId: string, externalSessionId: string): string {
  return `${SDK_PREFIX[sdk]}-${createHash('sha256').update(`${applicationId}\n${sdk}\n${externalSessionId}`).digest('hex').slice(0, 40)}`;
}

/** Claims the keys not seen before (one statement per chunk); returns those that are new. */
export async function claimKeys(tx: SqlTx, keys: string[], now: number): Promise<Set<string>> {
  const unique = [...new Set(keys)];
  const fresh = new Set<string>();
  for (let i = 0; i < unique.length; i += CHUNK) {
    const rows = await tx.trx
      .insertInto('compat_keys')
      .values(unique.slice(i, i + CHUNK).map((key) => ({ key, created_at: now })))
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .execute();
    for (const row of rows) fresh.add(row.key);
  }
  return fresh;
}

/**
 * The model's transaction scoped to one peer session: the site's "latest live session" is this peer session's
 * own; a session written is stamped with its SDK (and, when it starts, with replay segments already kept for it).
 */
function scopedTx(tx: SqlTx, loadId: string, input: CompatBatchInput, hasReplay: boolean): SessionTx {
  return {
    ...tx,
    async latestSession() {
      const load = await tx.getLoad(loadId);
      return load?.sessionId ? tx.getSession(load.sessionId) : undefined;
    },
    async putSession(session: SessionRecord) {
      if (!session.sdk) {
        session.sdk = { name: input.sdk, version: input.sdkVersion };
        const replay = await foreignReplayStats(tx.trx, session.id);
        if (replay) session.foreignReplay = replay;
      }
      if (hasReplay && session.sampled) session.replay = true;
      return tx.putSession(session);
    },
  };
}

export function ingestCompat(store: Store, input: CompatBatchInput, options: IngestOptions = {}): Promise<CompatBatchResult> {
  return sqlRepository(store, { uploader: input.uploader }).transaction(async (tx) => {
    const result: CompatBatchResult = { stored: 0, refused: 0, reasons: [], sessionIds: [] };
    for (const batch of input.sessions) {
      const loadId = compatKey(input.sdk, input.applicationId, batch.externalSessionId);
      const fresh = await claimKeys(tx, batch.items.map((item) => `${loadId}|${item.key}`), input.now);
      const events: (RumEvent | null)[] = [];
      const seen = new Set<string>();
      for (const item of batch.items) {
        const key = `${loadId}|${item.key}`;
        if (!fresh.has(key) || seen.has(key)) continue;
        seen.add(key);
        const checked = validateEvent(item.event);
        if (!checked.ok) {
          result.refused++;
          if (result.reasons.length < 5) result.reasons.push(`${item.key}: ${checked.reason}`);
        }
        events.push(checked.ok ? checked.value : null);
      }
      if (!events.length) continue;
      events.sort((a, b) => (a?.time ?? 0) - (b?.time ?? 0));
      const load = await tx.getLoad(loadId);
      let sessions = 0;
      const outcome = await ingestBatchIn(
        scopedTx(tx, loadId, input, batch.hasReplay),
        { loadId, tabId: -1, frameId: 0, site: new URL(batch.url).origin, url: batch.url, first: load?.nextSeq ?? 0, events, now: input.now },
        // The peer sampled in the page: whatever reaches the intake is kept. Its first session's id is derived
        // from the peer's session id (a stable mapping); a later one (the first expired) gets a suffix.
        { ...options, newId: () => (sessions++ === 0 && !load ? loadId : `${loadId}-${input.now.toString(36)}`) },
      );
      if (outcome.status !== 'stored') throw new Error(`unexpected ${outcome.status} on the compatible intake's own load`);
      result.stored += outcome.stored;
      if (outcome.sessionId && !result.sessionIds.includes(outcome.sessionId)) result.sessionIds.push(outcome.sessionId);
    }
    return result;
  });
}

export interface ForeignSegmentInput {
  sdk: SdkName;
  applicationId: string;
  uploader: string | null;
  meta: SegmentMetadata;
  /** The segment as sent (deflated). */
  data: Buffer;
  inspected: { records: number; format: string; fullSnapshot: boolean; rawBytes: number };
  now: number;
}

/**
 * Keeps one replay segment of a peer session, once (its id is derived from the session, view and index in
 * view), filed under the session its RUM events went to — or, before any of them arrived, under the id the
 * model's first session for that peer session will get. The session's stats say it cannot be played, and why.
 */
export function storeForeignSegment(store: Store, input: ForeignSegmentInput): Promise<{ duplicate: boolean; sessionId: string }> {
  const loadId = compatKey(input.sdk, input.applicationId, input.meta.sessionId);
  return sqlRepository(store, { uploader: input.uploader }).transaction(async (tx) => {
    const load = await tx.getLoad(loadId);
    const sessionId = load?.sessionId || loadId;
    const inserted = await tx.trx
      .insertInto('foreign_replay_segments')
      .values({
        id: segmentId(loadId, input.meta),
        session_id: sessionId,
        sdk: input.sdk,
        format: input.inspected.format,
        view_id: input.meta.viewId,
        start_at: input.meta.start,
        end_at: input.meta.end,
        records: input.inspected.records,
        raw_bytes: input.inspected.rawBytes,
        bytes: input.data.length,
        full_snapshot: input.inspected.fullSnapshot ? 1 : 0,
        metadata: JSON.stringify(input.meta.raw),
        data: input.data,
        created_at: input.now,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return { duplicate: true, sessionId };
    const session = await tx.getSession(sessionId);
    if (session) {
      session.foreignReplay = await foreignReplayStats(tx.trx, sessionId);
      if (session.sampled) session.replay = true;
      session.bytes = (session.bytes ?? 0) + input.data.length;
      await tx.putSession(session);
    }
    return { duplicate: false, sessionId };
  });
}
