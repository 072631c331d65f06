/**
 * The DevTools page: adds the "Sessions" panel for the inspected tab.
 * Firefox exposes `browser` (promises), Chrome `chrome`; both take the same arguments here.
 */
type Extension = typeof chrome;

const api: Extension = (globalThis as { browser?: Extension }).browser ?? chrome;

/** From the extension root: this page lives in extension/devtools/, the panel in panel/. */
const PANEL_PATH = '/panel/index.html';

function panelUrl(tabId: number): string {
  return `${PANEL_PATH}?tabId=${encodeURIComponent(String(tabId))}`;
}

const created: unknown = api.devtools.panels.create('Sessions', '', panelUrl(api.devtools.inspectedWindow.tabId));
if (created instanceof Promise) created.catch((error: unknown) => console.error('[rumscope] could not add the Sessions panel', error));
