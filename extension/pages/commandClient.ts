/**
 * Extension pages (panel, popup, options) talk to the background through this: typed commands
 * (CommandMap in sdk/schema/bridge.ts), accepted only from extension pages (background/commands.ts).
 * Export is built right here from the shared database: no message size limit applies to it.
 */
import { PROTOCOL_VERSION, type CommandMap, type CommandName, type CommandResult } from '../../sdk/schema';
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
    importSessions: async (bundle) => sendCommand('importSessions', { json: await bundle.text() }),
  };
}
