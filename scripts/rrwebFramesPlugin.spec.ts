import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { patchRrwebRecord } from './rrwebFramesPlugin';

describe("the frame gate bound into rrweb's IframeManager", () => {
  test('patches the installed @rrweb/record: the gate before every frame message, each run registered', () => {
    const require = createRequire(import.meta.url);
    const dist = dirname(require.resolve('@rrweb/record'));
    const patched = patchRrwebRecord(readFileSync(join(dist, 'record.js'), 'utf8'));
    expect(patched).toMatch(/^import \{ registerFrameManager as __rumscopeRegisterFrameManager, acceptFrameMessage as __rumscopeAcceptFrameMessage \} from ".*frameGate\.ts";/);
    expect(patched).toContain('handleMessage(message) {\n    if (!__rumscopeAcceptFrameMessage(this, message)) return;\n    try {\n      this.__rumscopeHandleMessage(message);');
    expect(patched).toContain('__rumscopeRegisterFrameManager(this);');
  });

  test('fails the build when rrweb no longer has the places to patch', () => {
    expect(() => patchRrwebRecord('class IframeManager {}')).toThrow(/expected one/);
  });
});
