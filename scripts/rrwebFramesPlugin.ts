/**
 * Build plugin: binds the frame gate (sdk/src/replay/frameGate.ts) into rrweb's IframeManager, the part of
 * `@rrweb/record` that takes cross-origin frames' records into the top page's stream. rrweb takes a message from
 * any frame, keeps a stopped run's listener for good and throws on a message it does not expect; with the gate it
 * takes only what the extension allows, only in the current run, and never throws into the page. The build fails
 * when rrweb's code no longer has the two places patched (an rrweb upgrade must look at this again).
 */
import { resolve } from 'node:path';
import type { Plugin } from 'vite';

const GATE_MODULE = resolve(import.meta.dirname, '../sdk/src/replay/frameGate.ts');

const PATCHES: [string, string][] = [
  ['    this.recordCrossOriginIframes = options.recordCrossOriginIframes;\n', '    this.recordCrossOriginIframes = options.recordCrossOriginIframes;\n    __rumscopeRegisterFrameManager(this);\n'],
  [
    '  handleMessage(message) {\n',
    '  handleMessage(message) {\n    if (!__rumscopeAcceptFrameMessage(this, message)) return;\n    try {\n      this.__rumscopeHandleMessage(message);\n    } catch {\n    }\n  }\n  __rumscopeHandleMessage(message) {\n',
  ],
];

/** The patched source of @rrweb/record's module build; throws when a place to patch is not found exactly once. */
export function patchRrwebRecord(code: string): string {
  let out = code;
  for (const [find, replace] of PATCHES) {
    const count = out.split(find).length - 1;
    if (count !== 1) throw new Error(`rrwebFramesPlugin: expected one ${JSON.stringify(find.trim())} in @rrweb/record, found ${count}`);
    out = out.replace(find, () => replace);
  }
  return `import { registerFrameManager as __rumscopeRegisterFrameManager, acceptFrameMessage as __rumscopeAcceptFrameMessage } from ${JSON.stringify(GATE_MODULE)};\n${out}`;
}

/** The module build of @rrweb/record (what the recorder imports), as a module id. */
export const isRrwebRecord = (id: string) => /[\\/]node_modules[\\/]@rrweb[\\/]record[\\/]dist[\\/]record\.js$/.test(id.split('?')[0]!);

export function rrwebFramesPlugin(): Plugin {
  return {
    name: 'rumscope-rrweb-frames',
    enforce: 'pre',
    transform(code, id) {
      return isRrwebRecord(id) ? { code: patchRrwebRecord(code), map: null } : null;
    },
  };
}
