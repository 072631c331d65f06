import { describe, expect, test } from 'vitest';
import { makeSession } from '../../tests/unit/support/sessionFixtures';
import { validateSessionRecord } from './validateServer';

describe('validateSessionRecord: replay assets', () => {
  test('a synced session keeps its asset stats, including the mark of a recording that predates kept assets', () => {
    const replayStats = { segments: 2, bytes: 900, rawChars: 4000, start: 1, end: 2 };
    const session = makeSession({ replay: true, replayStats, replayAssets: { kept: 4, skipped: 1, ownedBytes: 41_000, referencedBytes: 52_000 } });
    expect(validateSessionRecord(session)).toEqual({ ok: true, value: session });
    const before = makeSession({ replay: true, replayStats, replayAssets: { kept: 0, skipped: 0, ownedBytes: 0, referencedBytes: 0, predatesAssets: true } });
    expect(validateSessionRecord(before)).toMatchObject({ ok: true });
  });

  test('asset stats of another shape are refused with the path', () => {
    const session = makeSession({ replayAssets: { kept: -1, skipped: 0, ownedBytes: 0, referencedBytes: 0 } });
    expect(validateSessionRecord(session)).toMatchObject({ ok: false, reason: expect.stringContaining('replayAssets') });
  });
});
