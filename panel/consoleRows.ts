/** The session's console, as the panel lists it: console events plus console.error (stored as error events). */
import type { StoredEvent } from '../sdk/schema';

export type ConsoleRowLevel = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'assert' | 'trace' | 'table';

export interface ConsoleRow {
  key: string;
  time: number;
  level: ConsoleRowLevel;
  message: string;
  count: number;
  stack: string | null;
}

export const CONSOLE_ROW_LEVELS: readonly ConsoleRowLevel[] = ['log', 'info', 'warn', 'error', 'debug', 'assert', 'trace', 'table'];

export const LEVEL_ICONS: Record<ConsoleRowLevel, string> = {
  log: '›',
  info: 'ℹ',
  warn: '⚠',
  error: '✖',
  debug: '⚙',
  assert: '✖',
  trace: '↳',
  table: '▦',
};

export function consoleRows(events: readonly StoredEvent[]): ConsoleRow[] {
  const rows: ConsoleRow[] = [];
  for (const event of events) {
    const key = `${event.loadId}:${event.seq}`;
    if (event.type === 'console') {
      rows.push({ key, time: event.time, level: event.level, message: event.message, count: event.count, stack: event.stack ?? null });
    } else if (event.type === 'error' && event.source === 'console') {
      rows.push({ key, time: event.time, level: 'error', message: event.message, count: 1, stack: event.stack });
    }
  }
  return rows;
}

/** Rows of the picked levels whose message (or stack) contains the search text, case-insensitive. */
export function filterConsoleRows(rows: readonly ConsoleRow[], levels: ReadonlySet<ConsoleRowLevel>, search: string): ConsoleRow[] {
  const needle = search.trim().toLowerCase();
  return rows.filter(
    (row) => levels.has(row.level) && (!needle || row.message.toLowerCase().includes(needle) || !!row.stack?.toLowerCase().includes(needle)),
  );
}
