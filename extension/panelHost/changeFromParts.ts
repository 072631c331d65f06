/**
 * Dexie's "mutated parts" (`Dexie.on('storagemutated')`, carried between the background, extension pages and
 * their workers by a BroadcastChannel) turned into what changed for the panel, without reading anything.
 */
import type { ObservabilitySet } from 'dexie';
import type { ChangedIds, SourceChange } from '../../panel/source/SessionSource';

/** An interval tree node as Dexie sends it (a RangeSet, or its structured clone from another page). */
interface RangeNode {
  from?: unknown;
  to?: unknown;
  l?: RangeNode | null;
  r?: RangeNode | null;
  d: number;
}

/** The keys of a range set, or 'all' when one of its ranges is wider than one key (clear, range delete). */
function keysOf(tree: RangeNode | undefined, key: (bound: unknown) => unknown): ChangedIds | undefined {
  if (!tree || tree.d === 0) return undefined;
  const ids = new Set<string>();
  const stack: RangeNode[] = [tree];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.d === 0) continue;
    const from = key(node.from);
    if (typeof from !== 'string' || from !== key(node.to)) return 'all';
    ids.add(from);
    if (node.l) stack.push(node.l);
    if (node.r) stack.push(node.r);
  }
  return ids.size ? [...ids] : undefined;
}

const nonEmpty = (tree: RangeNode | undefined) => !!tree && tree.d !== 0;

/** What a set of Dexie mutated parts means to the panel; null when it does not touch this database. */
export function changeFromParts(dbName: string, parts: ObservabilitySet, cursor: string): SourceChange | null {
  const part = (table: string, index = '') => parts[`idb://${dbName}/${table}/${index}`] as RangeNode | undefined;
  const change: SourceChange = { cursor };
  // `all` is what Dexie sends when a page comes back from the back/forward cache: anything may have changed.
  if (nonEmpty(parts['all'] as RangeNode | undefined)) return { cursor, sessions: 'all', events: 'all', tabs: true, storage: true };
  const sessions = keysOf(part('sessions'), (k) => k);
  if (sessions) change.sessions = sessions;
  const events = nonEmpty(part('events')) ? (keysOf(part('events', '[sessionId+time]'), (k) => (Array.isArray(k) ? k[0] : undefined)) ?? 'all') : undefined;
  if (events) change.events = events;
  if (nonEmpty(part('loads')) || nonEmpty(part('tabStats'))) change.tabs = true;
  if (nonEmpty(part('meta'))) change.storage = true;
  return Object.keys(change).length > 1 ? change : null;
}

