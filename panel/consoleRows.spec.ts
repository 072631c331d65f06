import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../sdk/schema';
import { CONSOLE_ROW_LEVELS, consoleRows, filterConsoleRows } from './consoleRows';

const stored = { sessionId: 's', loadId: 'l', tabId: 1, frameId: 0, schema: 1 as const, tz: 0, viewId: 'v' };
const events = [
  { ...stored, seq: 0, time: 1, type: 'console', level: 'log', message: 'cart loaded', args: [], count: 3 },
  { ...stored, seq: 1, time: 2, type: 'console', level: 'warn', message: 'slow checkout', args: [], count: 1 },
  { ...stored, seq: 2, time: 3, type: 'error', source: 'console', errorType: 'Error', message: 'payment failed', stack: null, frames: [] },
  { ...stored, seq: 3, time: 4, type: 'error', source: 'uncaught', errorType: 'TypeError', message: 'not a console error', stack: null, frames: [] },
] as StoredEvent[];

describe('console rows', () => {
  it('lists console events and console.error, with counts', () => {
    expect(consoleRows(events).map((r) => [r.level, r.message, r.count])).toEqual([
      ['log', 'cart loaded', 3],
      ['warn', 'slow checkout', 1],
      ['error', 'payment failed', 1],
    ]);
  });

  it('filters by level and by search text', () => {
    const rows = consoleRows(events);
    expect(filterConsoleRows(rows, new Set(['warn', 'error'] as const), '').map((r) => r.level)).toEqual(['warn', 'error']);
    expect(filterConsoleRows(rows, new Set(CONSOLE_ROW_LEVELS), 'CHECKOUT').map((r) => r.message)).toEqual(['slow checkout']);
  });
});
