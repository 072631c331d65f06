import { describe, expect, test } from 'vitest';
import { DEFAULT_SETTINGS } from '../../sdk/schema';
import { readSettings, validateSettingsPatch } from '../../sdk/schema/validateSettings';
import { instantReplayFor, keepsOnError } from './instantReplay';

describe('instant replay settings', () => {
  test('off everywhere by default; on for the listed sites only, with its own on-error rate', () => {
    expect(DEFAULT_SETTINGS.instantReplay.sites).toEqual([]);
    expect(instantReplayFor(DEFAULT_SETTINGS, 'http://127.0.0.1:5173')).toBeUndefined();
    const patched = validateSettingsPatch(DEFAULT_SETTINGS, { instantReplay: { sites: ['http://127.0.0.1:*'], onErrorSampleRate: 25 } });
    if (!patched.ok) throw new Error('refused');
    expect(instantReplayFor(patched.settings, 'http://127.0.0.1:5173')).toEqual({ onErrorSampleRate: 25 });
    expect(instantReplayFor(patched.settings, 'http://localhost:5173')).toBeUndefined();
  });

  test('a bad pattern or rate is refused, and a stored bad value falls back to the default', () => {
    const refused = validateSettingsPatch(DEFAULT_SETTINGS, { instantReplay: { sites: ['not a pattern ::'], onErrorSampleRate: 101 } });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.issues.map((i) => i.path).sort()).toEqual(['instantReplay.onErrorSampleRate', 'instantReplay.sites']);
    expect(readSettings({ instantReplay: { onErrorSampleRate: -5 } }).settings.instantReplay.onErrorSampleRate).toBe(100);
  });

  test('the on-error draw is one answer per session, near the rate over many sessions', () => {
    expect(keepsOnError('s-1', 100)).toBe(true);
    expect(keepsOnError('s-1', 0)).toBe(false);
    expect(keepsOnError('abc', 40)).toBe(keepsOnError('abc', 40));
    let kept = 0;
    for (let i = 0; i < 2000; i++) if (keepsOnError(`session-${i}-${i * 7919}`, 30)) kept++;
    expect(kept / 2000).toBeGreaterThan(0.25);
    expect(kept / 2000).toBeLessThan(0.35);
  });
});
