/**
 * Builds the team dashboard (the panel UI over the server's HTTP source, server/dashboard/) into the server's
 * static folder, server/static/ (or RUMSCOPE_DASHBOARD_OUT), which `npm run server` serves at /.
 */
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { build } from 'vite';

const root = resolve(import.meta.dirname, '..');
export const DASHBOARD_OUT = resolve(root, process.env.RUMSCOPE_DASHBOARD_OUT ?? 'server/static');

export async function buildDashboard(outDir = DASHBOARD_OUT): Promise<void> {
  await build({
    configFile: false,
    root: resolve(root, 'server/dashboard'),
    base: '/',
    logLevel: 'warn',
    plugins: [svelte()],
    build: { outDir, emptyOutDir: true, target: 'es2022', sourcemap: false, modulePreload: false },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildDashboard();
