import type { RumscopeSettings, SessionDefaults, SessionRecord } from '../schema';

/** What the user's settings give the batches of new sessions: sampling rates and the session defaults. */
export function ingestOptionsFromSettings(
  settings: Pick<RumscopeSettings, 'sampling' | 'tester' | 'environment' | 'privacyLevel'>,
): { sampleRate: number; replaySampleRate: number; defaults: SessionDefaults } {
  return {
    sampleRate: settings.sampling.sessionSampleRate,
    replaySampleRate: settings.sampling.sessionReplaySampleRate,
    defaults: defaultsFromSettings(settings),
  };
}

/** What the user's settings give a new session: the tester identity, the environment label, the privacy level. */
export function defaultsFromSettings(settings: Pick<RumscopeSettings, 'tester' | 'environment' | 'privacyLevel'>): SessionDefaults {
  const { name, email } = settings.tester;
  return {
    user: name || email ? { ...(name ? { name } : {}), ...(email ? { email } : {}) } : null,
    env: settings.environment || null,
    privacyLevel: settings.privacyLevel,
  };
}

function hasUser(user: SessionRecord['user']): boolean {
  return !!user && Object.values(user).some((value) => value !== undefined && value !== null && value !== '');
}

/** The session's user and environment fall back to the settings it started with, where the app set none. */
export function applyDefaults(session: SessionRecord): void {
  const defaults = session.defaults;
  if (!defaults) return;
  if (defaults.user && !hasUser(session.user)) session.user = { ...defaults.user };
  if (defaults.env && !session.app.env) session.app = { ...session.app, env: defaults.env };
}

/** Device, user and app context a session created mid-page takes over from the session it follows. */
const CONTEXT_FIELDS = ['browser', 'os', 'deviceType', 'screen', 'viewport', 'connectionType', 'effectiveType', 'language', 'timeZone', 'geo', 'user', 'global', 'app'] as const;

/** True while a session has heard nothing of its page's device (no context event yet). */
export function lacksContext(session: SessionRecord): boolean {
  return session.browser.name === null && session.deviceType === null;
}

/**
 * A session that starts in the middle of a page (the user ended the last one, or it expired) has not seen
 * the page's start-up context: it takes it over from the session the page was in. What that session had
 * only from its settings is not the app's: the new session's own settings apply instead.
 */
export function inheritContext(session: SessionRecord, previous: SessionRecord): void {
  for (const field of CONTEXT_FIELDS) (session as unknown as Record<string, unknown>)[field] = structuredClone(previous[field]);
  const fallback = previous.defaults;
  if (fallback?.user && JSON.stringify(previous.user) === JSON.stringify(fallback.user)) session.user = null;
  if (fallback?.env && previous.app.env === fallback.env) session.app = { ...session.app, env: null };
}
