/** Client UTC offset in minutes east of UTC (India: +330), the opposite sign of getTimezoneOffset. */
export const utcOffsetMinutes = (date = new Date()): number => -date.getTimezoneOffset() || 0;

/** A random id; crypto.randomUUID where available (secure contexts), a fallback elsewhere. */
export function randomId(): string {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
