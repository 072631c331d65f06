/**
 * The server's search: the text, case-insensitive, in the events that carry what a tester looks for (page and
 * API URLs, error and console messages, action names) and in the session's own record (global context, user,
 * app). Plain SQL LIKE through Kysely on both dialects: the text is a bound parameter with its wildcards escaped.
 */
import { sql, type Kysely } from 'kysely';
import type { SearchHit, SearchKind, StoredEvent } from '../../sdk/schema';
import type { Database } from './schema';

const KIND_OF_EVENT: Record<string, SearchKind> = { view: 'url', api: 'api', error: 'error', action: 'action', console: 'console' };
const SNIPPETS_PER_HIT = 3;

/** The searchable text of one event, as the extension's index takes it. */
function textOf(event: StoredEvent): string {
  switch (event.type) {
    case 'view':
    case 'api':
      return event.url;
    case 'error':
      return event.message;
    case 'action':
      return event.name;
    case 'console':
      return event.message;
    default:
      return '';
  }
}

function snippet(text: string, needle: string): string {
  const at = text.toLowerCase().indexOf(needle);
  if (at < 0 || text.length <= 160) return text.slice(0, 160);
  const start = Math.max(0, at - 60);
  return `${start ? '…' : ''}${text.slice(start, start + 160)}${start + 160 < text.length ? '…' : ''}`;
}

/** Sessions whose texts hold `text`, most matches first. */
export async function searchSessions(db: Kysely<Database>, text: string, limit: number): Promise<SearchHit[]> {
  const needle = text.trim().toLowerCase();
  if (!needle) return [];
  const pattern = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const like = (column: string) => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
  const hits = new Map<string, SearchHit>();
  const add = (sessionId: string, kind: SearchKind, found: string) => {
    const hit = hits.get(sessionId) ?? { sessionId, score: 0, snippets: [] };
    hit.score++;
    if (hit.snippets.length < SNIPPETS_PER_HIT) hit.snippets.push({ kind, text: snippet(found, needle), terms: [needle] });
    hits.set(sessionId, hit);
  };
  const events = await db.selectFrom('events').select(['session_id', 'body']).where('type', 'in', Object.keys(KIND_OF_EVENT)).where(like('body')).limit(20_000).execute();
  for (const row of events) {
    const event = JSON.parse(row.body) as StoredEvent;
    const found = textOf(event);
    // The body matched; count it only when the searchable text itself holds the needle (not a key name).
    if (found.toLowerCase().includes(needle)) add(row.session_id, KIND_OF_EVENT[event.type]!, found);
  }
  const sessions = await db.selectFrom('sessions').select(['id', 'record']).where(like('record')).limit(limit).execute();
  for (const row of sessions) {
    const record = JSON.parse(row.record) as { global?: unknown; user?: unknown; app?: unknown };
    const context = JSON.stringify({ global: record.global, user: record.user, app: record.app });
    if (context.toLowerCase().includes(needle)) add(row.id, 'attribute', context);
  }
  const sorted = [...hits.values()].sort((a, b) => b.score - a.score || a.sessionId.localeCompare(b.sessionId));
  return sorted.slice(0, limit);
}
