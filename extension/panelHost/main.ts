/**
 * The extension's Sessions panel: the host-agnostic panel (panel/App.svelte) over the extension's database
 * (reads) and its background (commands). Opened by DevTools as the "Sessions" panel of the inspected tab,
 * or as a tab from the popup (`?tabId=<n>` either way).
 */
import { mount } from 'svelte';
import App from '../../panel/App.svelte';
import { allVisible, documentVisibility } from '../../panel/source/live';
import { RumscopeDb } from '../storage/db';
import { createExtensionCommands } from '../pages/commandClient';
import { createDexieSessionSource } from './dexieSessionSource';
import { devtoolsPanelVisibility } from './panelVisibility';
import { readTabId } from './tabId';
import '../../panel/panel.css';
import { startDevReload } from '../pages/devReload';

startDevReload();
const target = document.getElementById('app');
if (!target) throw new Error('Rumscope panel: #app is missing');

const db = new RumscopeDb();
const tabId = readTabId(location.search);
mount(App, {
  target,
  props: {
    source: createDexieSessionSource(db),
    commands: createExtensionCommands(db),
    tabId,
    visibility: allVisible(documentVisibility(), devtoolsPanelVisibility(tabId)),
  },
});
