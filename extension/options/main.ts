import { mount } from 'svelte';
import Options from './Options.svelte';
import { RumscopeDb } from '../storage/db';
import { createExtensionCommands } from '../pages/commandClient';
import { createDexieSessionSource } from '../panelHost/dexieSessionSource';
import './options.css';

const target = document.getElementById('app');
if (!target) throw new Error('Rumscope options: #app is missing');
const db = new RumscopeDb();
mount(Options, { target, props: { source: createDexieSessionSource(db), commands: createExtensionCommands(db) } });
