import type { ImportResult } from '../../sdk/schema';

/**
 * What the panel may ask of the store that holds the sessions: the user's control of their data.
 * The extension implements it with runtime messages to its background (extension/pages/commandClient.ts);
 * the server dashboard can implement it over HTTP. Every method rejects with an Error the panel shows.
 */
export interface SessionCommands {
  /** Ends the session now; the site's next event starts a new one. */
  endSession(sessionId: string): Promise<void>;
  /** Deletes sessions with their events. Resolves to how many were deleted. */
  deleteSessions(sessionIds: string[] | 'all'): Promise<number>;
  /** A pinned session is never deleted by retention (only by the user). */
  pinSession(sessionId: string, pinned: boolean): Promise<void>;
  /** One JSON bundle (SessionExportBundle) with the sessions and their events, to download. */
  exportSessions(sessionIds: string[] | 'all'): Promise<{ blob: Blob; fileName: string }>;
  /** Hides the storage warning until the next refused write. */
  dismissStorageWarning(): Promise<void>;
  /**
   * Adds the sessions of an exported bundle (a file the user picked) with their events and recordings; absent where
   * the host cannot import. A malformed bundle rejects with why, and nothing of it is stored; a session already
   * stored is never overwritten (ImportResult says which were kept as they are).
   */
  importSessions?(bundle: Blob): Promise<ImportResult>;
}

/** Saves a Blob as a download from the page (works in extension pages and in a dashboard alike). */
export function downloadBlob(blob: Blob, fileName: string, doc: Document = document): void {
  const url = URL.createObjectURL(blob);
  const a = doc.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  doc.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
