import { mount } from 'svelte';
import Options from './Options.svelte';
import { RumscopeDb } from '../storage/db';
import { createExtensionCommands, sendCommand } from '../pages/commandClient';
import { loadSyncToken } from '../sync/syncCredentials';
import { createDexieSessionSource } from '../panelHost/dexieSessionSource';
import './options.css';
import { startDevReload } from '../pages/devReload';

startDevReload();
const target = document.getElementById('app');
if (!target) throw new Error('Rumscope options: #app is missing');
const db = new RumscopeDb();
mount(Options, {
  target,
  props: {
    source: createDexieSessionSource(db),
    commands: createExtensionCommands(db),
    // Read here (an extension page shares the database); written by the background, which validates it.
    syncToken: { load: () => loadSyncToken(db), save: async (token: string) => void (await sendCommand('setSyncToken', { token })) },
  },
});
