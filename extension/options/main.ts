import { mount } from 'svelte';
import Options from './Options.svelte';
import { RumscopeDb } from '../storage/db';
import './options.css';

const target = document.getElementById('app');
if (!target) throw new Error('Rumscope options: #app is missing');
mount(Options, { target, props: { db: new RumscopeDb() } });
