/**
 * The search index (panel/dashboard/searchIndex.ts) over the extension's database, kept up to date as events are
 * written: built once from what is stored, then fed only the new events of the sessions the change feed names.
 * It runs in the panel host's Worker (searchWorker.ts), off the panel's main thread; the same code runs in process
 * where there is no Worker (unit tests).
 *
 * Answers are memoised until the index changes: one keystroke asks the same text several times (the list, its
 * count, the facet counts, the KPIs and the hits), and only the first one searches.
 */
import type { SearchHit, SearchKind, SearchQuery, SessionRecord, StoredEvent } from '../../../sdk/schema';
import type { RumscopeDb } from '../../storage/db';
import type { SourceChange } from '../../../panel/source/SessionSource';
import { createSearchIndex, type SessionSearchIndex } from '../../../panel/dashboard/searchIndex';

/** Events carrying searchable text (see eventTexts). */
const SEARCHED_TYPES = new Set<string>(['view', 'api', 'error', 'action', 'context', 'console']);
/** Answers kept per index state. */
const MEMO_MAX = 32;

type Stale = Set<string> | 'all';

export interface SearchFollower {
  /** A change notice of the database (marks what is stale; nothing is read until the next question). */
  onChange(change: SourceChange): void;
  search(query: SearchQuery): Promise<SearchHit[]>;
  /** Every session matching the text (optionally only texts of these kinds), for filters and cohorts. */
  sessionIds(text: string, kinds?: SearchKind[]): Promise<string[]>;
  /** What the index holds (for benchmarks and the panel's status). */
  stats(): Promise<{ sessions: number; texts: number; buildMs: number | null }>;
}

export function createSearchFollower(db: RumscopeDb): SearchFollower {
  let index: SessionSearchIndex | null = null;
  /** Last event time indexed per session: later reads start there (the index drops texts it already has). */
  const indexedTo = new Map<string, number>();
  let staleSessions: Stale = new Set();
  let staleEvents: Stale = new Set();
  let buildMs: number | null = null;
  /** Set when the first build starts: from then on changes are marked (those during the build too). */
  let building = false;
  const memo = new Map<string, unknown>();
  let reading: Promise<unknown> = Promise.resolve();

  const mark = (stale: Stale, ids: SourceChange['sessions']): Stale => {
    if (!ids) return stale;
    if (ids === 'all' || stale === 'all') return 'all';
    for (const id of ids) stale.add(id);
    return stale;
  };

  /** One read at a time, so two questions never apply the same changes twice. */
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = reading.then(task, task);
    reading = next.catch(() => undefined);
    return next;
  };

  function indexEvent(target: SessionSearchIndex, event: StoredEvent): number {
    if (event.time > (indexedTo.get(event.sessionId) ?? -Infinity)) indexedTo.set(event.sessionId, event.time);
    return SEARCHED_TYPES.has(event.type) ? target.addEvents(event.sessionId, [event]) : 0;
  }

  async function build(): Promise<SessionSearchIndex> {
    const started = performance.now();
    building = true;
    staleSessions = new Set();
    staleEvents = new Set();
    indexedTo.clear();
    memo.clear();
    const fresh = createSearchIndex();
    await db.sessions.each((s: SessionRecord) => void fresh.addSession(s));
    await db.events.each((e) => void indexEvent(fresh, e));
    buildMs = performance.now() - started;
    return fresh;
  }

  async function fresh(): Promise<SessionSearchIndex> {
    if (!index || staleSessions === 'all' || staleEvents === 'all') {
      index = await build();
      // What changed while the build read is read again (the index drops texts it already has).
      if (!(staleSessions instanceof Set && staleSessions.size === 0 && staleEvents instanceof Set && staleEvents.size === 0)) return fresh();
      return index;
    }
    const current = index;
    let added = 0;
    if (staleSessions.size) {
      const ids = [...staleSessions];
      staleSessions = new Set();
      const rows = await db.sessions.bulkGet(ids);
      ids.forEach((id, i) => {
        const row = rows[i];
        if (row) added += current.addSession(row);
        else if (current.hasSession(id) || indexedTo.has(id)) {
          current.removeSession(id);
          indexedTo.delete(id);
          added++;
        }
      });
    }
    if (staleEvents.size) {
      const ids = [...staleEvents];
      staleEvents = new Set();
      for (const id of ids) {
        const from = indexedTo.get(id) ?? -Infinity;
        const events = await db.events.where('[sessionId+time]').between([id, from], [id, Infinity], true, true).toArray();
        for (const e of events) added += indexEvent(current, e);
      }
    }
    if (added) memo.clear();
    return current;
  }

  const remembered = <T>(key: string, answer: (index: SessionSearchIndex) => T) =>
    serial(async () => {
      const current = await fresh();
      if (memo.has(key)) return memo.get(key) as T;
      const value = answer(current);
      if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value!);
      memo.set(key, value);
      return value;
    });

  return {
    onChange(change) {
      // Before the first build there is nothing to keep current: the build reads everything.
      if (!building) return;
      staleSessions = mark(staleSessions, change.sessions);
      staleEvents = mark(staleEvents, change.events);
    },
    search: (query) => (query.text.trim() ? remembered(`hits\u0000${JSON.stringify(query)}`, (i) => i.search(query)) : Promise.resolve([])),
    sessionIds: (text, kinds) =>
      text.trim()
        ? remembered(`ids\u0000${kinds?.join(',') ?? ''}\u0000${text}`, (i) => [...i.sessionIds({ text, ...(kinds?.length && { kinds }) })])
        : Promise.resolve([]),
    stats: () => serial(async () => ({ sessions: index?.sessionCount ?? 0, texts: index?.textCount ?? 0, buildMs })),
  };
}
