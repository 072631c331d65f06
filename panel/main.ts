import { mount } from 'svelte';
import App from './App.svelte';
import { RumscopeDb } from '../extension/storage/db';
import { createDexieSource } from './source/dexieSource';
import { createExtensionCommands } from '../extension/pages/commandClient';
import { readTabId } from './tabId';
import './panel.css';

const target = document.getElementById('app');
if (!target) throw new Error('Rumscope panel: #app is missing');

const db = new RumscopeDb();
mount(App, {
  target,
  props: { source: createDexieSource(db), commands: createExtensionCommands(db), tabId: readTabId(location.search) },
});
