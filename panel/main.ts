import { mount } from 'svelte';
import App from './App.svelte';
import { RumscopeDb } from '../extension/storage/db';
import { createDexieSource } from './source/dexieSource';
import { readTabId } from './tabId';
import './panel.css';

const target = document.getElementById('app');
if (!target) throw new Error('Rumscope panel: #app is missing');

mount(App, {
  target,
  props: { source: createDexieSource(new RumscopeDb()), tabId: readTabId(location.search) },
});
