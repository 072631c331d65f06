/**
 * Builds the extension's pages (DevTools page, Sessions panel; later popup and options) for one browser.
 * The scripts that cannot be ES modules (MAIN-world capture, relay, background) are built by
 * scripts/build.ts as single-file IIFEs; this config is the pages' half of that build.
 */
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { resolve } from 'node:path';
import { buildDefines } from './scripts/buildFlags';

const target = process.env.RUMSCOPE_BROWSER === 'firefox' ? 'firefox' : 'chrome';

export default defineConfig({
  root: resolve(import.meta.dirname),
  base: './',
  plugins: [svelte()],
  define: buildDefines(),
  build: {
    outDir: resolve(import.meta.dirname, 'dist', target),
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: false,
    // RUMSCOPE_MINIFY=0: readable names in a profile of the pages (bench/README.md).
    minify: process.env.RUMSCOPE_MINIFY !== '0',
    // No modulepreload links: tried for the panel's first paint (its imports load a level at a time), no gain
    // measured (bench/results/2026-12-03-2core-chromium-panel-scale-5.md); its polyfill is an inline script, which an
    // extension page's CSP refuses.
    modulePreload: false,
    rollupOptions: {
      input: {
        devtools: resolve(import.meta.dirname, 'extension/devtools/devtools.html'),
        panel: resolve(import.meta.dirname, 'extension/panelHost/index.html'),
        popup: resolve(import.meta.dirname, 'extension/popup/index.html'),
        options: resolve(import.meta.dirname, 'extension/options/index.html'),
      },
    },
  },
});
