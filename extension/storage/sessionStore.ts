import { endAtShutdown, endSessionNow } from '../../sdk/model/sessionRules';
import type { SessionEndReason } from '../../sdk/schema';
import type { RumscopeDb } from './db';
import { releaseSessionAssets } from './assetStore';

/** Ends a session now (the user asked for a new one); the site's next event starts a new session. */
export async function endSession(db: RumscopeDb, sessionId: string, now: number, reason: SessionEndReason = 'user') {
  await db.sessions.where('id').equals(sessionId).modify((session) => endSessionNow(session, now, reason));
}

/**
 * Sessions still open when the browser closed end at their last event ("browser_closed"). Which ones is a read-only
 * scan: done as one readwrite scan, it held the sessions store (and every read of it: the panel's first rows) for
 * 4–6 s at the browser's start with 100,000 sessions. Only the open ones are then written, in a short readwrite
 * transaction that checks each again.
 */
export async function endOpenSessions(db: RumscopeDb, reason: SessionEndReason): Promise<number> {
  const open = await db.transaction('r', db.sessions, () => db.sessions.filter((session) => session.endedAt === null).primaryKeys());
  if (!open.length) return 0;
  return db.sessions
    .where(':id')
    .anyOf(open)
    .filter((session) => session.endedAt === null)
    .modify((session) => endAtShutdown(session, reason));
}

/**
 * Deletes sessions with their events, in one transaction. Their loads stay as tombstones without a
 * session or URL (`sessionId: ''`): a page still open keeps numbering its events, and its next batch
 * starts a new session instead of looking like a gap the relay cannot fill. Tombstones go when their
 * tab closes or the browser starts (purgeLoads).
 */
export async function deleteSessions(db: RumscopeDb, ids: string[] | 'all'): Promise<number> {
  return db.transaction('rw', [db.sessions, db.events, db.loads, db.replaySegments, db.replayAssets, db.replayAssetRefs], async () => {
    const sessionIds = ids === 'all' ? await db.sessions.toCollection().primaryKeys() : [...new Set(ids)];
    const existing = (await db.sessions.bulkGet(sessionIds)).filter((s) => s !== undefined).length;
    for (const id of sessionIds) {
      await db.events.where('[sessionId+time]').between([id, -Infinity], [id, Infinity]).delete();
      await db.replaySegments.where('[sessionId+start]').between([id, -Infinity], [id, Infinity]).delete();
      await db.loads.where('sessionId').equals(id).modify({ sessionId: '', url: '' });
    }
    // Their assets: bodies another session still shows pass to it (with their bytes); the others go.
    await releaseSessionAssets(db, sessionIds);
    await db.sessions.bulkDelete(sessionIds);
    return existing;
  });
}

/** Deletes tombstone loads (see deleteSessions): of one closed tab, or all of them (browser start). */
export async function purgeLoads(db: RumscopeDb, tabId?: number): Promise<number> {
  const tombstones = db.loads.where('sessionId').equals('');
  return (tabId === undefined ? tombstones : tombstones.filter((load) => load.tabId === tabId)).delete();
}
