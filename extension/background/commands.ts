import { PROTOCOL_VERSION } from '../../sdk/schema';
import type { CommandMap, CommandMessage, CommandName, CommandResult } from '../../sdk/schema';
import type { RumscopeDb } from '../storage/db';
import { deleteSessions, endSession } from '../storage/sessionStore';
import { ext } from '../platform';

type Handlers = { [K in CommandName]: (args: CommandMap[K]['request']) => Promise<CommandMap[K]['response']> };

/** True only for the extension's own pages (panel, popup, options), never for a content script. */
export function isExtensionPage(sender: chrome.runtime.MessageSender): boolean {
  const root = ext.runtime.getURL('');
  return sender.id === ext.runtime.id && typeof sender.url === 'string' && sender.url.startsWith(root);
}

/** Commands extension pages may send. A content script (so, a page) can read, export or delete nothing. */
export function startCommands(db: RumscopeDb) {
  const handlers: Handlers = {
    endSession: async ({ sessionId }) => {
      await endSession(db, sessionId, Date.now());
      return { ok: true };
    },
    deleteSessions: async ({ sessionIds }) => ({ deleted: await deleteSessions(db, sessionIds) }),
    pinSession: async ({ sessionId, pinned }) => {
      await db.sessions.update(sessionId, { pinned: pinned ? 1 : 0 });
      return { ok: true };
    },
  };
  const onMessage = (message: CommandMessage, sender: chrome.runtime.MessageSender, reply: (r: CommandResult<CommandName>) => void) => {
    if (!isExtensionPage(sender)) return false;
    if (message?.protocol !== PROTOCOL_VERSION || message.kind !== 'command' || !(message.command in handlers)) return false;
    const handler = handlers[message.command] as (args: unknown) => Promise<unknown>;
    handler(message.args)
      .then((value) => reply({ ok: true, value } as CommandResult<CommandName>))
      .catch((error: unknown) => reply({ ok: false, error: String(error) }));
    return true;
  };
  ext.runtime.onMessage.addListener(onMessage);
  return { stop: () => ext.runtime.onMessage.removeListener(onMessage) };
}
