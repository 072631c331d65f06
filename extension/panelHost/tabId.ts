/** The inspected tab, from the page's `?tabId=<n>`; null when opened without one (e.g. as a plain tab). */
export function readTabId(search: string): number | null {
  const raw = new URLSearchParams(search).get('tabId');
  if (raw === null || !/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}
