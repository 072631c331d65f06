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
    // The entry's static imports are listed as <link rel="modulepreload"> in the page, so they load at once and not
    // one level of imports after another (the panel's first rows came ~150 ms later). No polyfill: it is an inline
    // script, which an extension page's CSP refuses, and both browsers support modulepreload.
    modulePreload: { polyfill: false },
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
