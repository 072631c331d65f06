/**
 * Build plugin: web-vitals calls addEventListener, setTimeout, requestIdleCallback… lazily, from its own
 * callbacks, where the SDK's guard cannot reach. A page that replaced them with throwing versions would see
 * the errors. In the bundled web-vitals modules, these free globals are bound instead to the capture's safe
 * copies (sdk/src/tools/safeGlobals.ts): an import declaration shadows the global of the same name.
 */
import { resolve } from 'node:path';
import type { Plugin } from 'vite';

const SAFE_MODULE = resolve(import.meta.dirname, '../sdk/src/tools/safeGlobals.ts');
export const SAFE_GLOBALS = ['addEventListener', 'removeEventListener', 'setTimeout', 'clearTimeout', 'requestAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback', 'queueMicrotask'] as const;

export function safeGlobalsPlugin(): Plugin {
  return {
    name: 'rumscope-safe-globals',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]node_modules[\\/]web-vitals[\\/]/.test(id)) return null;
      // `globalThis.requestIdleCallback || setTimeout`: the safe one (it falls back to a timeout itself).
      const source = code.replace(/globalThis\.(requestIdleCallback|cancelIdleCallback)\b/g, '$1');
      const used = SAFE_GLOBALS.filter((name) => new RegExp(`(?<![\\w$.'"])${name}(?![\\w$'"])`).test(source));
      if (!used.length) return null;
      return { code: `import { ${used.join(', ')} } from ${JSON.stringify(SAFE_MODULE)};\n${source}`, map: null };
    },
  };
}
