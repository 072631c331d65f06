/**
 * Extension pages (panel, popup, options) talk to the background through this: typed commands
 * (CommandMap in sdk/schema/bridge.ts), accepted only from extension pages (background/commands.ts).
 * Export is built right here from the shared database: no message size limit applies to it.
 */
import { IMPORT_PART_CHARS, PROTOCOL_VERSION, type CommandMap, type CommandName, type CommandResult, type ImportResult } from '../../sdk/schema';
import type { SessionCommands } from '../../panel/source/SessionCommands';
import type { RumscopeDb } from '../storage/db';
import { ext } from '../platform';

/** How often a long command's sender reminds the background it is awaited (Firefox stops an event page idle for 30 s). */
const KEEP_AWAKE_MS = 5_000;

export async function sendCommand<K extends CommandName>(command: K, args: CommandMap[K]['request']): Promise<CommandMap[K]['response']> {
  // Each message is an event for the background: it restarts Firefox's idle count while this one is being answered.
  const awake = setInterval(() => void ext.runtime.sendMessage({ protocol: PROTOCOL_VERSION, kind: 'command', command: 'ping', args: {} }).catch(() => undefined), KEEP_AWAKE_MS);
  let result: CommandResult<K> | undefined;
  try {
    result = (await ext.runtime.sendMessage({ protocol: PROTOCOL_VERSION, kind: 'command', command, args })) as CommandResult<K> | undefined;
  } finally {
    clearInterval(awake);
  }
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
      // Loaded when first asked (with the replay codec it needs): the panel's first paint does not wait for it.
      const { exportSessions } = await import('../storage/exportBundle');
      const { blob, fileName } = await exportSessions(db, sessionIds, exportSource());
      return { blob, fileName };
    },
    dismissStorageWarning: async () => void (await sendCommand('clearStorageWarning', {})),
    importSessions: (bundle) => importByParts(bundle),
  };
}

/**
 * Sends a picked file to the background in parts (`importPart`, then `importEnd`): one runtime message is at most
 * 64 MiB in Chrome, and a bundle with its replay assets can be larger. Decoded as UTF-8 as it is read, so that no
 * part splits a character; one part in flight at a time.
 */
export async function importByParts(bundle: Blob, attempts = 3): Promise<ImportResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await importOnce(bundle);
    } catch (error) {
      // A background that stopped or restarted in the middle kept nothing of this upload (parts live in its memory,
      // the store is one transaction; an import that did commit reads as unchanged the second time): start again.
      if (attempt >= attempts || !BACKGROUND_RESTARTED.test(String(error))) throw error;
    }
  }
}

/** What a send says when the background went away while it was answered or between two parts. */
const BACKGROUND_RESTARTED = /Receiving end does not exist|background may have restarted|background did not answer/;

async function importOnce(bundle: Blob): Promise<ImportResult> {
  const importId = crypto.randomUUID();
  const reader = bundle.stream().pipeThrough(new TextDecoderStream()).getReader();
  let pending = '';
  let index = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (value) pending += value;
    while (pending.length >= IMPORT_PART_CHARS || (done && pending)) {
      await sendCommand('importPart', { importId, index: index++, text: pending.slice(0, IMPORT_PART_CHARS) });
      pending = pending.slice(IMPORT_PART_CHARS);
    }
    if (done) break;
  }
  return sendCommand('importEnd', { importId, parts: index });
}
