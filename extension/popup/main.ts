import { mount } from 'svelte';
import Popup from './Popup.svelte';
import { ext } from '../platform';
import { readTabId } from '../panelHost/tabId';
import './popup.css';
import { startDevReload } from '../pages/devReload';

/** The tab the popup is about: the active tab of its window, or in test builds `?tabId=` (tests open the popup as a tab). */
async function targetTab(): Promise<number | null> {
  const fromQuery = __RUMSCOPE_TEST__ ? readTabId(location.search) : null;
  if (fromQuery !== null) return fromQuery;
  const [tab] = await ext.tabs.query({ active: true, currentWindow: true });
  return tab?.id ?? null;
}

startDevReload();
const target = document.getElementById('app');
if (!target) throw new Error('Rumscope popup: #app is missing');
void targetTab().then((tabId) => mount(Popup, { target, props: { tabId } }));
