/** Who may import whom: the session model stays pure, storage does not reach into the background. */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
async function importsOf(dir: string): Promise<{ file: string; from: string }[]> {
  const found: { file: string; from: string }[] = [];
  for (const name of await readdir(join(root, dir), { recursive: true })) {
    if (!name.endsWith('.ts') || name.endsWith('.spec.ts')) continue;
    const text = await readFile(join(root, dir, name), 'utf8');
    for (const match of text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gm)) found.push({ file: join(dir, name), from: match[1]! });
  }
  return found;
}

describe('layering', () => {
  test('sdk/model imports only itself, the schema and bowser (no Dexie, extension, server or Node)', async () => {
    const bad = (await importsOf('sdk/model')).filter(({ from }) => !(from.startsWith('./') || /^(\.\.\/)+schema(\/|$)/.test(from) || from === '../repository' || from === '../sessionRules' || from === 'bowser'));
    expect(bad).toEqual([]);
  });

  test('extension/storage never imports from extension/background', async () => {
    expect((await importsOf('extension/storage')).filter(({ from }) => from.includes('background/'))).toEqual([]);
  });
});
