/**
 * A bundle imported in parts (`importPart` / `importEnd`, sdk/schema/bridge.ts): the parts wait in memory, in
 * order, until the end joins them; the joined text is checked whole (validateExportBundle, the team server's
 * validator too), then stored in one transaction or not at all (importBundle). Uploads left unfinished are dropped.
 */
import { IMPORT_MAX_CHARS, type CommandMap, type ImportResult } from '../../sdk/schema';
import { validateExportBundle } from '../../sdk/schema/validateServer';
import type { RumscopeDb } from '../storage/db';
import { importBundle } from '../storage/importBundle';

/** An upload with no part for this long is dropped (its page went away). */
const STALE_MS = 2 * 60_000;

/** A file the user picked: untrusted input, checked whole before anything is stored, then stored whole. */
export async function importBundleText(db: RumscopeDb, json: string): Promise<ImportResult> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('This file is not a Rumscope export: it is not JSON. Nothing was imported.');
  }
  const checked = validateExportBundle(parsed);
  if (!checked.ok) throw new Error(`This file is not a valid Rumscope export (${checked.reason}). Nothing was imported.`);
  return importBundle(db, checked.value);
}

export function createImportInParts(db: RumscopeDb, now: () => number = Date.now) {
  const uploads = new Map<string, { parts: string[]; chars: number; touched: number }>();
  const sweep = () => {
    for (const [id, upload] of uploads) if (now() - upload.touched > STALE_MS) uploads.delete(id);
  };
  return {
    async part({ importId, index, text }: CommandMap['importPart']['request']): Promise<{ ok: true }> {
      sweep();
      if (typeof importId !== 'string' || typeof text !== 'string' || !Number.isInteger(index)) throw new Error('A malformed part of an import. Nothing was imported.');
      const upload = uploads.get(importId) ?? { parts: [], chars: 0, touched: now() };
      if (index !== upload.parts.length) {
        uploads.delete(importId);
        throw new Error(`Part ${index + 1} of the import arrived out of order (the background may have restarted). Nothing was imported: try again.`);
      }
      upload.chars += text.length;
      if (upload.chars > IMPORT_MAX_CHARS) {
        uploads.delete(importId);
        throw new Error(`This file is larger than ${Math.round(IMPORT_MAX_CHARS / 1024 / 1024)} MiB, the most Rumscope imports at once. Nothing was imported.`);
      }
      upload.parts.push(text);
      upload.touched = now();
      uploads.set(importId, upload);
      return { ok: true };
    },
    async end({ importId, parts }: CommandMap['importEnd']['request']): Promise<ImportResult> {
      const upload = uploads.get(importId);
      uploads.delete(importId);
      if ((upload?.parts.length ?? 0) !== parts) throw new Error('Parts of the import were lost (the background may have restarted). Nothing was imported: try again.');
      return importBundleText(db, upload ? upload.parts.join('') : '');
    },
  };
}
