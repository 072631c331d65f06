/**
 * A DevTools panel stays "visible" to its document while the user looks at another DevTools panel: only
 * the DevTools page hears `onShown` / `onHidden`. It tells the panel on a channel named after the tab.
 */
import type { Visibility } from '../../panel/source/live';

export const panelChannelName = (tabId: number) => `rumscope-sessions-panel-${tabId}`;

export interface PanelShownMessage {
  shown: boolean;
}

/** Follows the DevTools page's shown/hidden notices for this tab's panel; shown until told otherwise. */
export function devtoolsPanelVisibility(tabId: number | null): Visibility {
  let shown = true;
  const listeners = new Set<() => void>();
  if (tabId !== null && typeof BroadcastChannel !== 'undefined') {
    const channel = new BroadcastChannel(panelChannelName(tabId));
    channel.onmessage = (event: MessageEvent<PanelShownMessage>) => {
      if (typeof event.data?.shown !== 'boolean' || event.data.shown === shown) return;
      shown = event.data.shown;
      listeners.forEach((listener) => listener());
    };
  }
  return {
    visible: () => shown,
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
  };
}
