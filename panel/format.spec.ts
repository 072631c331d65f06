import { describe, expect, it } from 'vitest';
import {
  formatClock,
  formatDuration,
  formatErrorCount,
  formatLocation,
  formatMs,
  formatNamedVersion,
  formatOffset,
  formatTimeSpent,
  formatTimestamp,
  formatUserEmail,
} from './format';
import { makeSession } from '../tests/unit/support/sessionFixtures';

const at = Date.UTC(2025, 11, 5, 12, 12, 20); // 2025-12-05T12:12:20Z

describe('formatTimestamp', () => {
  it('shows India time with +05:30', () => {
    expect(formatTimestamp(at, 'Asia/Kolkata')).toBe('Dec 5, 2025 17:42:20 +05:30');
  });

  it('shows a negative offset', () => {
    expect(formatTimestamp(at, 'America/New_York')).toBe('Dec 5, 2025 07:12:20 -05:00');
    expect(formatTimestamp(at, 'America/St_Johns')).toBe('Dec 5, 2025 08:42:20 -03:30');
  });

  it('shows UTC as +00:00', () => {
    expect(formatTimestamp(at, 'UTC')).toBe('Dec 5, 2025 12:12:20 +00:00');
  });

  it('uses 24-hour time, midnight as 00', () => {
    expect(formatTimestamp(Date.UTC(2025, 0, 1, 0, 0, 5), 'UTC')).toBe('Jan 1, 2025 00:00:05 +00:00');
  });

  it('follows daylight saving time', () => {
    expect(formatTimestamp(Date.UTC(2025, 6, 1, 12, 0, 0), 'America/New_York')).toBe('Jul 1, 2025 08:00:00 -04:00');
  });

  it("defaults to the viewer's zone", () => {
    expect(formatTimestamp(at)).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{2}:\d{2}:\d{2} [+-]\d{2}:\d{2}$/);
  });
});

describe('formatOffset / formatClock', () => {
  it('formats offsets', () => {
    expect(formatOffset(at, 'Asia/Kathmandu')).toBe('+05:45');
    expect(formatOffset(at, 'Etc/GMT+10')).toBe('-10:00');
    expect(formatOffset(at, 'UTC')).toBe('+00:00');
  });

  it('formats a clock time', () => {
    expect(formatClock(at, 'Asia/Kolkata')).toBe('17:42:20');
  });
});

describe('formatDuration / Time Spent', () => {
  it.each([
    [0, '0 s'],
    [-5, '0 s'],
    [999, '0 s'],
    [42_000, '42 s'],
    [59_900, '59 s'],
    [60_000, '1.00 min'],
    [310_800, '5.18 min'],
    [900_600, '15.01 min'],
    [3_599_000, '59.98 min'],
    [3_599_999, '59.99 min'],
    [3_600_000, '1.00 hr'],
    [5_256_000, '1.46 hr'],
    [Number.NaN, '0 s'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('is lastEventAt - startedAt', () => {
    expect(formatTimeSpent(makeSession({ startedAt: 1_000, lastEventAt: 43_000 }))).toBe('42 s');
  });
});

describe('session columns', () => {
  it('error count is a plain number', () => {
    const s = makeSession();
    expect(formatErrorCount({ counts: { ...s.counts, errors: 22 } })).toBe('22');
    expect(formatErrorCount(s)).toBe('0');
  });

  it('location fills Unknown', () => {
    expect(formatLocation(makeSession())).toBe('India - Unknown · Chrome · Mac OS X');
    expect(
      formatLocation(
        makeSession({ geo: { country: null, city: null, region: null }, os: { name: 'Linux', version: null } }),
      ),
    ).toBe('Unknown - Unknown · Chrome · Linux');
    expect(
      formatLocation(
        makeSession({ geo: { country: 'India', city: 'Mumbai', region: null }, browser: { name: '', version: null }, os: { name: null, version: null } }),
      ),
    ).toBe('India - Mumbai · Unknown · Unknown');
  });

  it('user email is empty without user context', () => {
    expect(formatUserEmail(makeSession())).toBe('');
    expect(formatUserEmail(makeSession({ user: { email: 'root@example.com' } }))).toBe('root@example.com');
  });

  it('names with versions', () => {
    expect(formatNamedVersion({ name: 'Chrome', version: '131.0' })).toBe('Chrome 131.0');
    expect(formatNamedVersion({ name: null, version: null })).toBe('Unknown');
  });

  it('milliseconds', () => {
    expect(formatMs(0.42)).toBe('0.4 ms');
    expect(formatMs(12)).toBe('12 ms');
    expect(formatMs(1204.4)).toBe('1,204 ms');
  });
});
