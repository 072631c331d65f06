import type { RumscopeSettings } from '../../sdk/schema';
import { matchesAnySite } from './networkDetail';

/** Instant replay for the pages of `site`: its on-error rate when one of instantReplay.sites matches, else undefined (off). */
export function instantReplayFor(settings: RumscopeSettings, site: string): { onErrorSampleRate: number } | undefined {
  const { sites, onErrorSampleRate } = settings.instantReplay;
  return matchesAnySite(sites, site) ? { onErrorSampleRate } : undefined;
}

/**
 * Whether an error keeps this session's buffer: drawn once per session (the same answer for each of its pages),
 * from its id, so nothing more needs storing.
 */
export function keepsOnError(sessionId: string, onErrorSampleRate: number): boolean {
  if (onErrorSampleRate >= 100) return true;
  if (onErrorSampleRate <= 0) return false;
  let hash = 2166136261;
  for (let i = 0; i < sessionId.length; i++) hash = Math.imul(hash ^ sessionId.charCodeAt(i), 16777619);
  return ((hash >>> 0) % 10_000) / 100 < onErrorSampleRate;
}
