/**
 * Extension pages (panel, popup, options) talk to the background through this: typed commands
 * (CommandMap in sdk/schema/bridge.ts), accepted only from extension pages (background/commands.ts).
 * Export is built right here from the shared database: no message size limit applies to it.
 */
import { EXPORT_FORMAT, PROTOCOL_VERSION, type CommandMap, type CommandName, type CommandResult } from '../../sdk/schema';
import type { SessionCommands } from '../../panel/source/SessionCommands';
import type { RumscopeDb } from '../storage/db';
import { exportSessions } from '../storage/exportBundle';
import { ext } from '../platform';

export async function sendCommand<K extends CommandName>(command: K, args: CommandMap[K]['request']): Promise<CommandMap[K]['response']> {
  const result = (await ext.runtime.sendMessage({ protocol: PROTOCOL_VERSION, kind: 'command', command, args })) as CommandResult<K> | undefined;
  if (!result) throw new Error(`Rumscope's background did not answer "${command}"`);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

export function exportSource() {
  return { name: 'rumscope-extension', version: ext.runtime.getManifest().version };
}

export function createExtensionCommands(db: RumscopeDb): SessionCommands {
  return {
    endSession: async (sessionId) => void (await sendCommand('endSession', { sessionId })),
    deleteSessions: async (sessionIds) => (await sendCommand('deleteSessions', { sessionIds })).deleted,
    pinSession: async (sessionId, pinned) => void (await sendCommand('pinSession', { sessionId, pinned })),
    exportSessions: async (sessionIds) => {
      const { blob, fileName } = await exportSessions(db, sessionIds, exportSource());
      return { blob, fileName };
    },
    dismissStorageWarning: async () => void (await sendCommand('clearStorageWarning', {})),
    importSessions: (bundle) => importBundle(bundle),
  };
}

/**
 * Reads a bundle file here (no message size limit applies to the file) and sends it to the background one
 * session at a time with the asset bodies it names; the background checks each (validateBundle.ts) and writes
 * it. Resolves to how many sessions were added; a bad session stops the import with its index (those before it
 * stay added, nothing of it is written).
 */
async function importBundle(file: Blob): Promise<number> {
  let bundle: { format?: unknown; sessions?: unknown; assetBodies?: unknown };
  try {
    bundle = JSON.parse(await file.text()) as typeof bundle;
  } catch {
    throw new Error('Not a Rumscope sessions file: it is not JSON.');
  }
  if (typeof bundle !== 'object' || bundle === null || bundle.format !== EXPORT_FORMAT || !Array.isArray(bundle.sessions)) {
    throw new Error(`Not a Rumscope sessions file (format "${EXPORT_FORMAT}" expected).`);
  }
  const bodies = new Map<string, unknown>();
  if (Array.isArray(bundle.assetBodies)) {
    for (const body of bundle.assetBodies) if (typeof body?.hash === 'string') bodies.set(body.hash, body);
  }
  let added = 0;
  for (const [index, entry] of (bundle.sessions as unknown[]).entries()) {
    const assets = (entry as { assets?: unknown })?.assets;
    const hashes = new Set(Array.isArray(assets) ? assets.map((ref) => (ref as { hash?: unknown })?.hash).filter((h): h is string => typeof h === 'string') : []);
    try {
      if ((await sendCommand('importSession', { entry, bodies: [...hashes].flatMap((h) => (bodies.has(h) ? [bodies.get(h)] : [])) })).added) added += 1;
    } catch (error) {
      throw new Error(`Session ${index + 1} of the file was not imported (${added} added before it): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return added;
}
