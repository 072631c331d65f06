/**
 * The DevTools page: adds the "Sessions" panel for the inspected tab, and tells the panel when it is
 * shown or hidden (another DevTools panel selected), so it reads nothing while nobody looks at it.
 * Firefox exposes `browser` (promises), Chrome `chrome` (callbacks); both take the same arguments here.
 */
import { panelChannelName, type PanelShownMessage } from '../panelHost/panelVisibility';

type Extension = typeof chrome;
type Panel = chrome.devtools.panels.ExtensionPanel;

const firefox = (globalThis as { browser?: Extension }).browser;
const api: Extension = firefox ?? chrome;

/** From the extension root: the panel's page is built from extension/panelHost/. */
const PANEL_PATH = '/extension/panelHost/index.html';

const tabId = api.devtools.inspectedWindow.tabId;

function panelUrl(id: number): string {
  return `${PANEL_PATH}?tabId=${encodeURIComponent(String(id))}`;
}

function follow(panel: Panel) {
  const channel = new BroadcastChannel(panelChannelName(tabId));
  const tell = (shown: boolean) => channel.postMessage({ shown } satisfies PanelShownMessage);
  panel.onShown.addListener(() => tell(true));
  panel.onHidden.addListener(() => tell(false));
}

if (firefox) {
  // Firefox validates the arguments: no callback, a promise.
  const created = firefox.devtools.panels.create('Sessions', '', panelUrl(tabId)) as unknown as Promise<Panel>;
  created.then(follow).catch((error: unknown) => console.error('[rumscope] could not add the Sessions panel', error));
} else {
  chrome.devtools.panels.create('Sessions', '', panelUrl(tabId), follow);
}
