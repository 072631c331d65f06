let browserZone: string | undefined;

/**
 * The browser's own IANA time zone, read once in the background (pages share it, DevTools emulation aside):
 * the session model's fallback when the extension's SDK leaves the page's zone empty (no Intl cost in the page).
 */
export function browserTimeZone(): string {
  try {
    browserZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch {
    browserZone = '';
  }
  return browserZone;
}
