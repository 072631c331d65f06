import Dexie, { type EntityTable } from 'dexie';
import type { DropReason, ReplayAssetRef, ReplayAssetRow, ReplaySegmentRow, SessionRecord, StorageUsage, StorageWarning, StoredEvent } from '../../sdk/schema';
import type { LoadRecord } from '../../sdk/model/repository';
import { jsonSize, type StorageTotals } from '../../sdk/model/sessionSize';
import { applyVital } from '../../sdk/model/applyVital';
import { sessionTotalsMiddleware } from './sessionTotals';
import { sessionChangeLogMiddleware, type SessionChangeRow } from './sessionChangeLog';
import { backfillPostings, searchPostingsMiddleware, type SearchBlockRow, type SearchTermRow } from './searchPostings';
import { sessionKey } from '../../sdk/model/sessionKey';
import { copyLegacySyncToken, finishLegacySyncTokenMove, readLegacySyncToken, type LegacySettingsArea } from './legacySyncToken';

export type { LoadRecord, StorageUsage, StorageWarning };
export { jsonSize };

/** Messages the background refused from one tab, by reason. Shown in the panel. */
export interface TabStatsRecord {
  tabId: number;
  dropped: number;
  reasons: Partial<Record<DropReason, number>>;
  updatedAt: number;
}

/** Small key-value records of the storage layer, read by the panel (liveQuery). */
export type MetaRecord =
  | { key: 'storageWarning'; value: StorageWarning }
  | { key: 'usage'; value: StorageUsage }
  /** Changes with every write of `searchBlocks` (storage/searchPostings.ts): what a reader of the blocks keeps them by. */
  | { key: 'searchBlocks'; value: { stamp: string } }
  /**
   * `empty: true` only while `searchTerms` holds no row (storage/searchPostings.ts): set by the compaction that moved
   * the last one, cleared in the transaction that writes the next. A reader then skips the rows' key ranges.
   */
  | { key: 'searchTerms'; value: { empty: boolean } }
  /** The latest revision stamped in `sessionChanges` (storage/sessionChangeLog.ts). */
  | { key: 'sessionRev'; value: { rev: number } }
  /** Stamps of deleted sessions below this revision may have been pruned (storage/sessionChangeLog.ts). */
  | { key: 'sessionRevFloor'; value: { rev: number } }
  /** Running totals of the sessions store, kept by every write (storage/sessionTotals.ts). */
  | { key: 'totals'; value: StorageTotals }
  /** Team server sync (extension/sync): the lastEventAt of each session as last uploaded. */
  | { key: 'sync'; value: { uploaded: Record<string, number>; lastError: string | null; lastSyncAt: number | null; replayUploaded?: Record<string, number>; assetsUploaded?: Record<string, number> } };

/**
 * Secrets of the extension: the sync server's upload token (extension/sync/syncCredentials.ts). Here and not in
 * storage.local, which content scripts can read; only the background and the extension's pages reach this database.
 */
export interface CredentialRecord {
  name: 'sync';
  token: string;
  updatedAt: number;
}

/**
 * What an extension page keeps of its own derived from the sessions, so that it need not derive it from every session
 * each time it opens (the dashboard's columns: panelHost/dashboardStore.ts). `rev`: the sessionChanges revision it is
 * current to. The page that reads it checks `value` itself (a copy of another build's format is not read).
 */
export interface DerivedCacheRow {
  key: string;
  rev: number;
  value: unknown;
}

export const DB_NAME = 'rumscope';

export interface RumscopeDbOptions extends NonNullable<ConstructorParameters<typeof Dexie>[1]> {
  /**
   * Where versions before 4 kept the sync token (storage.local; the extension's by default, none outside an
   * extension). The version-4 upgrade and every open move a token found there into `credentials`.
   */
  legacySettings?: LegacySettingsArea | null;
}

/** The extension's storage.local, or null outside an extension (unit tests). */
const extensionStorageLocal = (): LegacySettingsArea | null =>
  ((globalThis as { browser?: typeof chrome }).browser ?? (globalThis as { chrome?: typeof chrome }).chrome)?.storage?.local ?? null;

/**
 * The extension's one database. Owned by the background (writes); extension pages (panel) read it
 * directly, since they share the extension's origin. Every schema change is a new version() with an
 * upgrade and a test from the previous version's data.
 */
export class RumscopeDb extends Dexie {
  sessions!: EntityTable<SessionRecord, 'id'>;
  events!: Dexie.Table<StoredEvent, [string, number]>;
  loads!: EntityTable<LoadRecord, 'id'>;
  tabStats!: EntityTable<TabStatsRecord, 'tabId'>;
  meta!: EntityTable<MetaRecord, 'key'>;
  replaySegments!: Dexie.Table<ReplaySegmentRow, [string, number]>;
  replayAssets!: EntityTable<ReplayAssetRow, 'hash'>;
  replayAssetRefs!: Dexie.Table<ReplayAssetRef, [string, string]>;
  credentials!: EntityTable<CredentialRecord, 'name'>;
  searchTerms!: Dexie.Table<SearchTermRow, [string, string, string]>;
  searchBlocks!: Dexie.Table<SearchBlockRow, [string, string, number]>;
  sessionChanges!: EntityTable<SessionChangeRow, 'id'>;
  derivedCache!: EntityTable<DerivedCacheRow, 'key'>;

  constructor(name: string = DB_NAME, { legacySettings = extensionStorageLocal(), ...options }: RumscopeDbOptions = {}) {
    super(name, options);
    // Every write to `sessions` also updates meta `totals` in its transaction (no schema change: a key of `meta`).
    this.use(sessionTotalsMiddleware());
    // Every write to `events` or `sessions` also writes their search postings in its transaction (version 7).
    this.use(searchPostingsMiddleware());
    // Every write to `sessions` also stamps the sessions it touched in `sessionChanges` (version 9).
    this.use(sessionChangeLogMiddleware());
    this.version(1).stores({
      // startedAt: list order and time-range filter; [site+startedAt]: the site's current session.
      sessions: 'id, startedAt, [site+startedAt], pinned',
      // [loadId+seq] is the primary key: a re-sent batch overwrites itself, never duplicates.
      events: '[loadId+seq], [sessionId+time]',
      loads: 'id, tabId, sessionId',
      tabStats: 'tabId',
    });
    // 2: `meta` (storage warning and usage for the panel); every session gets `bytes` (retention, size cap).
    this.version(2)
      .stores({ meta: 'key' })
      .upgrade(async (tx) => {
        const sizes = new Map<string, number>();
        await tx.table('events').each((event: StoredEvent) => {
          sizes.set(event.sessionId, (sizes.get(event.sessionId) ?? 0) + jsonSize(event));
        });
        await tx.table('sessions').toCollection().modify((session: SessionRecord) => {
          session.bytes = jsonSize(session) + (sizes.get(session.id) ?? 0);
        });
      });
    // 3: `replaySegments` (session replay, compressed; [loadId+seq] keys a re-sent segment onto itself). Sessions
    // stored before have no recording: nothing to move, their `replay` flag only says they were drawn for one.
    this.version(3).stores({ replaySegments: '[loadId+seq], [sessionId+start]' });
    // 4: every session keeps its Web Vitals (`vitals`, the last value of each), for the dashboard's p75 without
    // reading events. No index changes; sessions stored before get theirs from their stored vital events.
    this.version(4)
      .stores({})
      .upgrade(async (tx) => {
        const vitals = new Map<string, Pick<SessionRecord, 'vitals'>>();
        await tx.table('events').each((event: StoredEvent) => {
          if (event.type !== 'vital') return;
          let holder = vitals.get(event.sessionId);
          if (!holder) vitals.set(event.sessionId, (holder = {}));
          applyVital(holder, event);
        });
        if (!vitals.size) return;
        await tx.table('sessions').toCollection().modify((session: SessionRecord) => {
          const found = vitals.get(session.id)?.vitals;
          if (found) session.vitals = found;
        });
      });
    // 5: `credentials` (the sync token, looked up by name only), moved out of storage.local where content scripts can
    // read it. The upgrade copies it; storage.local loses it once that copy is committed ('ready', at every open).
    this.version(5)
      .stores({ credentials: 'name' })
      .upgrade(async (tx) => {
        if (legacySettings) await copyLegacySyncToken(tx.table('credentials'), await Dexie.waitFor(readLegacySyncToken(legacySettings)));
      });
    // 6: assets kept with recordings (docs/replay-assets.md): bodies once per content hash (`owner`: the session
    // their bytes are counted in), and each session's references by URL (`hash`: which sessions share a body).
    // Recordings stored before keep no assets: their sessions say so, so that the player does not list every
    // stylesheet, font and image as missing.
    this.version(6)
      .stores({ replayAssets: 'hash, owner', replayAssetRefs: '[sessionId+url], hash' })
      .upgrade(async (tx) => {
        await tx
          .table('sessions')
          .filter((session: SessionRecord) => !!session.replayStats?.segments)
          .modify((session: SessionRecord) => {
            session.replayAssets = { kept: 0, skipped: 0, ownedBytes: 0, referencedBytes: 0, predatesAssets: true };
          });
      });
    // 7: `searchTerms`, the search index kept with the data (storage/searchPostings.ts): one row per session, kind
    // and term, keyed [kind+term+sessionId] (a term or a prefix is one key range); sessionId to remove a session's.
    // The upgrade indexes what is stored, one session at a time.
    this.version(7)
      .stores({ searchTerms: '[kind+term+sessionId], sessionId' })
      .upgrade((tx) => backfillPostings(tx));
    // 8: `searchBlocks`, the postings compacted (storage/compactPostings.ts): one row per kind, term and day of the
    // sessions' start, holding their ids, since reading a common word's tens of thousands of one-id rows was most of
    // a search's time (a few dozen arrays read ~8× faster). `searchTerms` stays the write path; the background moves
    // its rows into blocks after writes, and search reads both. `day` (of a block) lets retention drop old blocks.
    // Nothing moves here: the background's compaction does it in bounded steps after the upgrade.
    this.version(8).stores({ searchBlocks: '[kind+term+day], day' });
    // 9: `sessionChanges`, each session's latest write revision (storage/sessionChangeLog.ts; `rev`: the sessions
    // changed since a revision are one key range), and `derivedCache`, what extension pages derive from every session
    // and keep (the dashboard's columns). Nothing moves: sessions written before have no stamp, and a page that holds
    // nothing derived yet reads every session once.
    this.version(9).stores({ sessionChanges: 'id, rev', derivedCache: 'key' });
    // 10: the blocks hold their sessions' keys (sdk/model/sessionKey.ts) as one Float64Array instead of id strings: a
    // common word's blocks are read, sent to the panel and turned into its rows as numbers. No index changes; the
    // upgrade rewrites every block.
    this.version(10)
      .stores({})
      .upgrade((tx) =>
        tx
          .table('searchBlocks')
          .toCollection()
          .modify((block: SearchBlockRow & { ids?: string[] }) => {
            if (!block.ids) return;
            block.keys = Float64Array.from(new Set(block.ids.map(sessionKey)));
            delete block.ids;
          }),
      );
    if (legacySettings) {
      // `vip`: the database as it opens (a table of `this` would wait for the open that waits for this).
      this.on('ready', (vip) =>
        finishLegacySyncTokenMove(vip.table<CredentialRecord, string>('credentials'), legacySettings).catch((error: unknown) =>
          console.warn('[rumscope] could not move the sync token out of storage.local', error),
        ),
      );
    }
  }
}
