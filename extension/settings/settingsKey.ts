/**
 * storage.local key of RumscopeSettings (settings.ts). Its own module: the database's upgrade code needs the key
 * without settings.ts's validators (which extension pages such as the Sessions panel never load).
 * A test (or an admin script) may write a partial object here from the service worker:
 * `chrome.storage.local.set({ 'rumscope.settings': { siteAccess: { allow: ['https://example.com'] } } })`.
 */
export const SETTINGS_KEY = 'rumscope.settings';
