/**
 * The session model's repository (sdk/model/repository.ts) over SQL: one Kysely implementation for SQLite and
 * PostgreSQL. Rows keep the record / event as JSON beside the columns the queries filter and sort on.
 */
import type { Kysely, OnConflictBuilder } from 'kysely';
import type { LoadRecord, SessionRepository, SessionTx } from '../../sdk/model/repository';
import type { SessionRecord, StoredEvent } from '../../sdk/schema';
import { userEmailOf } from './migrations/002_shared_state';
import type { Store, TransactionOptions } from './openDatabase';
import { CODED_FACETS, facetCode, sessionListColumns } from './sessionColumns';
import { indexTexts, searchTexts } from './search';
import { insertMany } from './insertMany';
import { isPostgres, jsonArrayBytes, selectJsonRows, WHOLE } from './jsonRows';
import type { Database } from './schema';

/** Rows per INSERT (SQLite's events) and ids per owner lookup: well under the bound-parameter limits. */
const CHUNK = 500;
/** An event row's columns from the event's JSON (the body is the JSON itself). */
const EVENT_FIELDS = [
  { path: 'loadId', type: 'text' },
  { path: 'seq', type: 'int4' },
  { path: 'sessionId', type: 'text' },
  { path: 'type', type: 'text' },
  { path: 'time', type: 'int8' },
  WHOLE,
] as const;
/** An event row's columns, in EVENT_FIELDS' order. */
const EVENT_COLUMNS = ['load_id', 'seq', 'session_id', 'type', 'time', 'body'] as const;
/** Session rows per INSERT (27 values each). */
const SESSION_CHUNK = 100;

export interface SqlTx extends SessionTx {
  /** The member who first uploaded the session (undefined: no such session; null: nobody, e.g. SDK intake). */
  ownerOf(sessionId: string): Promise<string | null | undefined>;
  /** ownerOf for many sessions at once: only the sessions that exist are in the map. */
  ownersOf(sessionIds: readonly string[]): Promise<Map<string, string | null>>;
  /** putSession for many sessions in a few statements. */
  putSessions(sessions: SessionRecord[]): Promise<void>;
  /**
   * An upload's sessions and events (json[i] is events[i]'s JSON, as the intake's validation made it), their search
   * texts indexed together. A stored session is updated only when its uploader is this repository's: the ids of those
   * left as they were are returned (and nothing is written), a check that holds however the writes of concurrent
   * transactions interleave (the upload's 409 under READ COMMITTED).
   */
  putUpload(sessions: SessionRecord[], events: readonly StoredEvent[], json: readonly string[]): Promise<string[]>;
  /** putEvents with each event's JSON as stored (json[i] is events[i]'s, e.g. as the intake's validation made it). */
  putStoredEvents(events: readonly StoredEvent[], json: readonly string[]): Promise<void>;
  readonly trx: Kysely<Database>;
}

export interface SqlRepository extends SessionRepository {
  transaction<T>(work: (tx: SqlTx) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

export interface SqlRepositoryOptions {
  /** The member whose token wrote; stamped on sessions this repository creates. */
  uploader?: string | null;
  now?: () => number;
  /**
   * False: the search term rows are written without facet codes, as before migration 012 (the upgrade tests write
   * through this repository into databases of older versions). Default true.
   */
  facetCodes?: boolean;
}

export function sqlRepository(store: Store, options: SqlRepositoryOptions = {}): SqlRepository {
  const now = options.now ?? Date.now;
  const codes = options.facetCodes ?? true;
  return {
    transaction: (work, transactionOptions) =>
      store.transaction((trx) => work(sqlTx(trx, options.uploader ?? null, now, codes, (transactionOptions?.isolation ?? 'serializable') === 'serializable')), transactionOptions),
  };
}

/** A session's row but its id and uploader (what an upsert sets): the record's JSON and every column read from it. */
export function sessionRowColumns(session: SessionRecord, uploadedAt: number) {
  return {
    site: session.site,
    started_at: session.startedAt,
    last_event_at: session.lastEventAt,
    ended_at: session.endedAt,
    incognito: session.incognito ? 1 : 0,
    user_email: userEmailOf(session),
    sdk: session.sdk?.name ?? null,
    ...sessionListColumns(session),
    uploaded_at: uploadedAt,
    record: JSON.stringify(session),
  };
}

/** `serializable`: the transaction runs SERIALIZABLE (PostgreSQL; see storedFacetCodes). */
function sqlTx(trx: Kysely<Database>, uploader: string | null, now: () => number, withFacetCodes: boolean, serializable: boolean): SqlTx {
  /**
   * The sessions' rows and change rows (not their search texts); with `ownOnly`, the ids refused (see putUpload). On
   * PostgreSQL `codes` gets each written session's facet code (its search term rows carry it, migration 012).
   */
  async function writeSessions(unique: readonly SessionRecord[], ownOnly: boolean, codes?: Map<string, number>): Promise<string[]> {
    if (!unique.length) return [];
    const at = now();
    const rows = unique.map((session) => ({ id: session.id, uploaded_by: uploader, ...sessionRowColumns(session, at) }));
    if (codes) for (const row of rows) codes.set(row.id, facetCode(row));
    const columns = Object.keys(rows[0]!) as (keyof (typeof rows)[number])[];
    // A session uploaded again keeps its first uploader; every other column is the new record's.
    const updated = columns.filter((column) => column !== 'id' && column !== 'uploaded_by');
    const written = await insertMany(trx, `sessions(${columns.join()})${ownOnly ? ':own' : ''}`, columns, rows, SESSION_CHUNK, (chunk) =>
      trx
        .insertInto('sessions')
        .values(chunk)
        .onConflict((oc) => {
          const update = oc.column('id').doUpdateSet((eb) => Object.fromEntries(updated.map((column) => [column, eb.ref(`excluded.${column}`)])));
          // The row's own uploader is the new row's (this repository's): a session of another member is left alone.
          return ownOnly ? update.whereRef('sessions.uploaded_by', '=', 'excluded.uploaded_by') : update;
        })
        .returning('id'),
    );
    if (written.length < unique.length) {
      const ids = new Set(written.map((row) => row.id));
      return unique.filter((session) => !ids.has(session.id)).map((session) => session.id);
    }
    await trx.insertInto('session_changes').values(unique.map((session) => ({ session_id: session.id, changed_at: at }))).execute();
    return [];
  }

  /** The events' rows (not their search texts); the events written, one per key. */
  async function writeEvents(events: readonly StoredEvent[], json: readonly string[]): Promise<readonly StoredEvent[]> {
    if (!events.length) return events;
    // One row per key (the last wins): PostgreSQL refuses to update a row twice in one statement.
    const byKey = new Map<string, number>();
    for (let i = 0; i < events.length; i++) byKey.set(`${events[i]!.loadId}\u0000${events[i]!.seq}`, i);
    const kept = [...byKey.values()];
    const update = (oc: OnConflictBuilder<Database, 'events'>) =>
      oc.columns(['load_id', 'seq']).doUpdateSet((eb) => ({
        session_id: eb.ref('excluded.session_id'),
        type: eb.ref('excluded.type'),
        time: eb.ref('excluded.time'),
        body: eb.ref('excluded.body'),
      }));
    if (isPostgres(trx)) {
      // PostgreSQL: all of them in one statement, the events' JSON as one array parameter that the database takes apart.
      await trx
        .insertInto('events')
        .columns(EVENT_COLUMNS)
        .expression(selectJsonRows(trx, jsonArrayBytes(kept.length === json.length ? json : kept.map((i) => json[i]!)), EVENT_FIELDS))
        .onConflict(update)
        .execute();
    } else {
      // SQLite: multi-row VALUES (its json_each is slower than bound values on arrays of thousands).
      const rows = kept.map((i) => {
        const event = events[i]!;
        return { load_id: event.loadId, seq: event.seq, session_id: event.sessionId, type: event.type, time: event.time, body: json[i]! };
      });
      await insertMany(trx, 'events', EVENT_COLUMNS, rows, CHUNK, (chunk) => trx.insertInto('events').values(chunk).onConflict(update));
    }
    return kept.length === events.length ? events : kept.map((i) => events[i]!);
  }

  /** One row per id (the last wins): PostgreSQL refuses to update a row twice in one statement. */
  const uniqueSessions = (sessions: readonly SessionRecord[]) => [...new Map(sessions.map((session) => [session.id, session])).values()];

  /** PostgreSQL: a map for the facet codes of the sessions written (see writeSessions); SQLite keeps none. */
  const facetCodes = () => (withFacetCodes && isPostgres(trx) ? new Map<string, number>() : undefined);

  async function putSessions(sessions: SessionRecord[]): Promise<void> {
    const unique = uniqueSessions(sessions);
    const codes = facetCodes();
    await writeSessions(unique, false, codes);
    if (unique.length) await indexTexts(trx, searchTexts([], unique), codes);
  }

  /**
   * PostgreSQL: the facet codes of these sessions' stored rows (those not stored yet have none: their term rows get
   * NULL until their row is written). The rows are locked until the commit, so that a concurrent write of a session
   * (which re-codes its term rows, recodeTerms in search.ts) waits for these term rows and then sees them: FOR NO KEY
   * UPDATE, the lock the session's own upsert takes (FOR SHARE deadlocked two transactions that both read, then wrote
   * the session, as the SDK intake's batches do).
   *
   * Only in a SERIALIZABLE transaction; under READ COMMITTED the term rows get no code (NULL: they pass every filter).
   * The lock alone does not make a SERIALIZABLE writer of the session see these term rows: its snapshot may predate
   * their commit (a row only locked, not updated, does not fail its upsert), and only when this transaction is
   * SERIALIZABLE too does PostgreSQL see the two read the other's writes and run the writer again. A READ COMMITTED
   * reader left the term rows with the session's old code after a SERIALIZABLE re-write with other facets
   * (sessionQueries.spec.ts, the concurrent case).
   */
  async function storedFacetCodes(sessionIds: readonly string[]): Promise<Map<string, number> | undefined> {
    const codes = serializable ? facetCodes() : undefined;
    if (!codes) return undefined;
    const ids = [...sessionIds].sort();
    for (let i = 0; i < ids.length; i += CHUNK) {
      // Locked in id order, so that two batches of events of the same sessions lock them in the same order.
      const rows = await trx.selectFrom('sessions').select(['id', ...CODED_FACETS]).where('id', 'in', ids.slice(i, i + CHUNK)).orderBy('id').forNoKeyUpdate().execute();
      for (const row of rows) codes.set(row.id, facetCode(row));
    }
    return codes;
  }

  async function putStoredEvents(events: readonly StoredEvent[], json: readonly string[]): Promise<void> {
    const written = await writeEvents(events, json);
    if (!written.length) return;
    const bySession = searchTexts(written);
    await indexTexts(trx, bySession, await storedFacetCodes([...bySession.keys()]));
  }

  async function putUpload(sessions: SessionRecord[], events: readonly StoredEvent[], json: readonly string[]): Promise<string[]> {
    const unique = uniqueSessions(sessions);
    const codes = facetCodes();
    const refused = await writeSessions(unique, true, codes);
    if (refused.length) return refused;
    // Every text of the upload in one indexTexts: its sessions new to the index then take its fast path as a whole.
    await indexTexts(trx, searchTexts(await writeEvents(events, json), unique), codes);
    return [];
  }

  return {
    trx,
    async getLoad(id) {
      const row = await trx.selectFrom('loads').selectAll().where('id', '=', id).executeTakeFirst();
      return row && {
        id: row.id,
        tabId: row.tab_id,
        frameId: row.frame_id,
        site: row.site,
        sessionId: row.session_id,
        url: row.url,
        startedAt: row.started_at,
        nextSeq: row.next_seq,
      };
    },
    async putLoad(load: LoadRecord) {
      const values = {
        id: load.id,
        tab_id: load.tabId,
        frame_id: load.frameId,
        site: load.site,
        session_id: load.sessionId,
        url: load.url,
        started_at: load.startedAt,
        next_seq: load.nextSeq,
      };
      const { id: _id, ...update } = values;
      await trx.insertInto('loads').values(values).onConflict((oc) => oc.column('id').doUpdateSet(update)).execute();
    },
    async getSession(id) {
      const row = await trx.selectFrom('sessions').select('record').where('id', '=', id).executeTakeFirst();
      return row && (JSON.parse(row.record) as SessionRecord);
    },
    async latestSession(site, incognito) {
      const row = await trx
        .selectFrom('sessions')
        .select('record')
        .where('site', '=', site)
        .where('incognito', '=', incognito ? 1 : 0)
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && (JSON.parse(row.record) as SessionRecord);
    },
    putSession: (session: SessionRecord) => putSessions([session]),
    putSessions,
    putUpload,
    putEvents: (events: StoredEvent[]) => putStoredEvents(events, events.map((event) => JSON.stringify(event))),
    putStoredEvents,
    async ownerOf(sessionId) {
      const row = await trx.selectFrom('sessions').select('uploaded_by').where('id', '=', sessionId).executeTakeFirst();
      return row ? row.uploaded_by : undefined;
    },
    async ownersOf(sessionIds) {
      const owners = new Map<string, string | null>();
      for (let i = 0; i < sessionIds.length; i += CHUNK) {
        const rows = await trx.selectFrom('sessions').select(['id', 'uploaded_by']).where('id', 'in', sessionIds.slice(i, i + CHUNK)).execute();
        for (const row of rows) owners.set(row.id, row.uploaded_by);
      }
      return owners;
    },
  };
}
