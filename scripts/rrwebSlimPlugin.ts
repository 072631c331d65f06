/**
 * Build plugin: takes out of `@rrweb/record` the code Rumscope's recorder never runs, so recorder.js (what a
 * recorded page loads on top of capture.js) stays small. Each cut matches rrweb's own option or API that Rumscope
 * never sets or calls (sdk/src/replay/startRecorder.ts commonOptions, startFrameRecorder.ts):
 * - recordCanvas: false: the CanvasManager, its image-bitmap worker (a ~3 KB source string), the 2d/webgl
 *   observers and the canvas serialization of a full snapshot. A no-op manager takes its place (the mutation
 *   buffer freezes, locks and resets it);
 * - inlineImages: false: the image-to-data-URL branch of a full snapshot;
 * - collectFonts: false: the font observer;
 * - plugins and packFn (never given): the event processor, the plugins' mirrors and observers;
 * - record.addCustomEvent and record.freezePage (never called; record.takeFullSnapshot stays, a frame's recorder
 *   uses it).
 * Every cut must match rrweb's text exactly once, and every top-level name a removed range declares must be gone
 * from what is left, or the build fails (an rrweb upgrade must look at this again, never silently ship a half cut).
 */
import type { Plugin } from 'vite';
import { isRrwebRecord } from './rrwebFramesPlugin';

type Cut =
  /** Replaces `find` (found exactly once) with `replace`. */
  | { what: string; find: string; replace: string }
  /** Removes from `from` (found once) up to, not including, `to` (found once, after it). */
  | { what: string; from: string; to: string };

export const RRWEB_CUTS: Cut[] = [
  {
    what: 'canvas recording (recordCanvas: false): CanvasManager, its worker and observers',
    from: 'var chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";\n',
    to: 'class StylesheetManager {\n',
  },
  {
    what: 'canvas recording: a no-op manager',
    find:
      '  canvasManager = new CanvasManager({\n    recordCanvas,\n    mutationCb: wrappedCanvasMutationEmit,\n    win: window,\n    blockClass,\n    blockSelector,\n    mirror,\n    sampling: sampling.canvas,\n    dataURLOptions\n  });\n',
    replace: '  canvasManager = { reset() {\n  }, freeze() {\n  }, unfreeze() {\n  }, lock() {\n  }, unlock() {\n  } };\n',
  },
  { what: 'canvas recording: the canvas of a full snapshot', find: '  if (tagName === "canvas" && recordCanvas) {\n', replace: '  if (false) {\n' },
  { what: 'inlineImages: false', find: '  if (tagName === "img" && inlineImages) {\n', replace: '  if (false) {\n' },
  { what: 'collectFonts: false: the font observer', from: 'function initFontObserver({ fontCb, doc }) {\n', to: 'function initSelectionObserver(param) {\n' },
  { what: 'collectFonts: false', find: '    if (o.collectFonts) {\n      fontObserver = initFontObserver(o);\n    }\n', replace: '' },
  {
    what: 'plugins and packFn: the event processor',
    find:
      '  const eventProcessor = (e) => {\n    for (const plugin of plugins || []) {\n      if (plugin.eventProcessor) {\n        e = plugin.eventProcessor(e);\n      }\n    }\n    if (packFn && // Disable packing events which will be emitted to parent frames.\n    !passEmitsToParent) {\n      e = packFn(e);\n    }\n    return e;\n  };\n',
    replace: '  const eventProcessor = (e) => e;\n',
  },
  {
    what: "plugins: the plugins' mirrors",
    find:
      '  for (const plugin of plugins || []) {\n    if (plugin.getMirror)\n      plugin.getMirror({\n        nodeMirror: mirror,\n        crossOriginIframeMirror: iframeManager.crossOriginIframeMirror,\n        crossOriginIframeStyleMirror: iframeManager.crossOriginIframeStyleMirror\n      });\n  }\n',
    replace: '',
  },
  {
    what: "plugins: the plugins' observers",
    find:
      '          plugins: ((_a2 = plugins == null ? void 0 : plugins.filter((p) => p.observer)) == null ? void 0 : _a2.map((p) => ({\n            observer: p.observer,\n            options: p.options,\n            callback: (payload) => wrappedEmit({\n              type: EventType.Plugin,\n              data: {\n                plugin: p.name,\n                payload\n              }\n            })\n          }))) || []\n',
    replace: '          plugins: []\n',
  },
  {
    what: "rrdom's BaseRRNode (the replayer's virtual DOM; a recorder only sees real nodes)",
    from: 'class BaseRRNode {\n',
    to: 'function on(type, fn, target = document) {\n',
  },
  {
    what: "rrdom's BaseRRNode: a shadow host is a real node",
    find: '  if (n instanceof BaseRRNode && "shadowRoot" in n) {\n    return Boolean(n.shadowRoot);\n  }\n',
    replace: '',
  },
  {
    what: 'the deprecated global mirror (a Proxy logging a warning; record.mirror is the one in use)',
    from: 'const DEPARTED_MIRROR_ACCESS_WARNING = ',
    to: 'function throttle(func, wait, options = {}) {\n',
  },
  {
    what: 'record.addCustomEvent and record.freezePage (never called)',
    from: 'record.addCustomEvent = (tag, payload) => {\n',
    to: 'record.takeFullSnapshot = (isCheckout) => {\n',
  },
];

/** Names a removed range declares at its top level (`class X`, `function X`, `const X =`, `var X =`…). */
function declaredNames(text: string): string[] {
  return [...text.matchAll(/^(?:class|function\*?|const|let|var|async function)\s+([\w$]+)/gm)].map((m) => m[1]!);
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

/** The slimmed source of @rrweb/record's module build; throws when a cut does not match exactly. */
export function slimRrwebRecord(code: string): string {
  let out = code;
  const removedNames: [string, string][] = [];
  for (const cut of RRWEB_CUTS) {
    if ('find' in cut) {
      const found = count(out, cut.find);
      if (found !== 1) throw new Error(`rrwebSlimPlugin (${cut.what}): expected one ${JSON.stringify(cut.find.slice(0, 80))} in @rrweb/record, found ${found}`);
      out = out.replace(cut.find, () => cut.replace);
      continue;
    }
    const froms = count(out, cut.from);
    const tos = count(out, cut.to);
    const start = out.indexOf(cut.from);
    const end = out.indexOf(cut.to);
    if (froms !== 1 || tos !== 1 || end <= start) {
      throw new Error(`rrwebSlimPlugin (${cut.what}): expected one ${JSON.stringify(cut.from.trim())} followed by one ${JSON.stringify(cut.to.trim())} in @rrweb/record, found ${froms} and ${tos}`);
    }
    for (const name of declaredNames(out.slice(start, end))) removedNames.push([name, cut.what]);
    out = out.slice(0, start) + out.slice(end);
  }
  // What is left must not use what was removed (it would silently read a missing global at run time).
  for (const [name, what] of removedNames) {
    // A reference, not a property (`.name`), an object key (`name:`, as in "blob:" URLs) or part of a longer name.
    if (new RegExp(`(?<![\\w$.])${name.replace(/\$/g, '\\$')}(?![\\w$:])`).test(out)) {
      throw new Error(`rrwebSlimPlugin (${what}): @rrweb/record still uses ${name} after the cut`);
    }
  }
  return classFieldsAsAssignments(out);
}

/**
 * rrweb's build turns class fields into `__publicField(this, "name", value)` (Object.defineProperty) calls; plain
 * assignments say the same in fewer bytes as long as no class has a setter or a base class (checked here: the build
 * fails otherwise). A field declared without a value stays an own property (`this.name = void 0`).
 */
export function classFieldsAsAssignments(code: string): string {
  if (/^\s+(?:get|set|static) [\w$]+\(|^class [\w$]+ extends /m.test(code)) {
    throw new Error('rrwebSlimPlugin (class fields as assignments): @rrweb/record now has an accessor, a static member or a subclass');
  }
  const out = code
    .replace(/__publicField\(this, "([\w$]+)", /g, '(this.$1 = ')
    .replace(/__publicField\(this, "([\w$]+)"\);/g, 'this.$1 = void 0;');
  const left = count(out, '__publicField(');
  if (left !== 0 || out === code) throw new Error(`rrwebSlimPlugin (class fields as assignments): ${left} __publicField( calls left`);
  return out;
}

export function rrwebSlimPlugin(): Plugin {
  return {
    name: 'rumscope-rrweb-slim',
    enforce: 'pre',
    transform(code, id) {
      return isRrwebRecord(id) ? { code: slimRrwebRecord(code), map: null } : null;
    },
  };
}
