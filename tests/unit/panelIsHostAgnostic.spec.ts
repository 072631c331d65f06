/**
 * The panel knows nothing of its host: no file in panel/ imports extension/ (storage, browser APIs) or Dexie.
 * The extension and the server supply SessionSource / SessionCommands and mount the panel from their own entries.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const panelDir = join(root, 'panel');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|svelte|js|mjs|html|css)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** Every module specifier in a file: static and dynamic imports, re-exports, HTML script/link sources, CSS @import. */
function specifiersOf(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\bimport\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/g,
    /\bexport\s+(?:type\s+)?[^'";]*?\sfrom\s+['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /<(?:script|link)\b[^>]*\b(?:src|href)=["']([^"']+)["']/g,
    /@import\s+(?:url\()?['"]([^'"]+)['"]/g,
  ];
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) found.push(m[1]!);
  return found;
}

/** Why a specifier is not allowed in panel/, or null. */
function forbidden(file: string, specifier: string): string | null {
  if (specifier === 'dexie' || specifier.startsWith('dexie/')) return 'Dexie';
  if (!specifier.startsWith('.')) return null;
  const target = relative(root, resolve(join(file, '..'), specifier));
  return target === 'extension' || target.startsWith('extension/') ? 'extension/' : null;
}

describe('panel/ is host-agnostic', () => {
  it('no file in panel/ imports extension/ or Dexie', () => {
    const files = filesUnder(panelDir);
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.flatMap((file) =>
      specifiersOf(readFileSync(file, 'utf8')).flatMap((specifier) => {
        const why = forbidden(file, specifier);
        return why ? [`${relative(root, file)} imports ${specifier} (${why})`] : [];
      }),
    );
    expect(offenders).toEqual([]);
  });

  it('catches the imports it is there to catch', () => {
    const file = join(panelDir, 'source', 'x.ts');
    const text = [
      "import { RumscopeDb } from '../../extension/storage/db';",
      "import type { LoadRecord } from '../../extension/storage/db';",
      "export { ext } from '../../extension/platform';",
      "const m = await import('../../extension/pages/commandClient');",
      "import Dexie, { liveQuery } from 'dexie';",
      "import { formatBytes } from '../format';",
    ].join('\n');
    const why = specifiersOf(text).map((s) => forbidden(file, s));
    expect(why.filter(Boolean).sort()).toEqual(['Dexie', 'extension/', 'extension/', 'extension/', 'extension/']);
    expect(why).toContain(null); // ../format is fine
    expect(forbidden(join(panelDir, 'index.html'), '../extension/panelHost/main.ts')).toBe('extension/');
  });
});
