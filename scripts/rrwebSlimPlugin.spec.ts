import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { classFieldsAsAssignments, RRWEB_CUTS, slimRrwebRecord } from './rrwebSlimPlugin';
import { patchRrwebRecord } from './rrwebFramesPlugin';

const require = createRequire(import.meta.url);
const source = readFileSync(join(dirname(require.resolve('@rrweb/record')), 'record.js'), 'utf8');

describe("the unused parts of rrweb's recorder taken out of recorder.js", () => {
  test('the installed @rrweb/record loses canvas, fonts, inline images, plugins, rrdom nodes and the old mirror', () => {
    const slim = slimRrwebRecord(source);
    for (const gone of ['class CanvasManager', 'WorkerWrapper', 'initCanvasWebGLMutationObserver', 'function initFontObserver', 'class BaseRRNode', 'DEPARTED_MIRROR_ACCESS_WARNING', 'record.addCustomEvent', 'record.freezePage', 'packFn(e)', 'plugin.getMirror', 'tagName === "canvas" && recordCanvas', 'tagName === "img" && inlineImages', '__publicField(this']) {
      expect(slim, gone).not.toContain(gone);
    }
    // What Rumscope uses stays: the observers, shadow roots, frames, masking, checkouts, a frame's fresh snapshot.
    for (const kept of ['class IframeManager', 'class ShadowDomManager', 'function initSelectionObserver', 'function initCustomElementObserver', 'function initMediaInteractionObserver', 'maskInputFn', 'maskTextFn', 'checkoutEveryNms', 'record.takeFullSnapshot = (isCheckout) =>', 'recordCrossOriginIframes']) {
      expect(slim, kept).toContain(kept);
    }
    expect(slim.length).toBeLessThan(source.length * 0.9);
  });

  test('works together with the frame gate patch, in either order', () => {
    expect(patchRrwebRecord(slimRrwebRecord(source))).toBe(slimRrwebRecord(patchRrwebRecord(source)));
  });

  test('fails the build when a place to cut is no longer in rrweb (an upgrade must look again)', () => {
    const canvasBranch = (RRWEB_CUTS.find((cut) => 'find' in cut && cut.find.includes('"canvas"')) as { find: string }).find;
    expect(() => slimRrwebRecord(source.replace(canvasBranch, '  if (tagName === "canvas" && this.recordCanvas) {\n'))).toThrow(/expected one/);
    expect(() => slimRrwebRecord(source.replace('class StylesheetManager {\n', 'class StylesheetManager2 {\n'))).toThrow(/expected one .*CanvasManager|found 1 and 0/);
  });

  test('fails the build when what is left still uses what a cut removed', () => {
    const usesCanvas = source.replace('const mirror = createMirror();\n', 'const mirror = createMirror();\nconst kept = CanvasManager;\n');
    expect(() => slimRrwebRecord(usesCanvas)).toThrow(/still uses CanvasManager/);
  });

  test('class fields become assignments only where no accessor or base class could tell the difference', () => {
    expect(classFieldsAsAssignments('class A {\n  constructor() {\n    __publicField(this, "a", 1);\n    __publicField(this, "b");\n  }\n}')).toBe(
      'class A {\n  constructor() {\n    (this.a = 1);\n    this.b = void 0;\n  }\n}',
    );
    expect(() => classFieldsAsAssignments('class A {\n  constructor() {\n    __publicField(this, "a", 1);\n  }\n  set a(v) {\n  }\n}')).toThrow(/accessor/);
    expect(() => classFieldsAsAssignments('class B extends A {\n  constructor() {\n    __publicField(this, "a", 1);\n  }\n}')).toThrow(/subclass/);
  });
});
