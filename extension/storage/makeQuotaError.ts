import Dexie from 'dexie';

/**
 * Test-only: the error IndexedDB gives for a full disk, as the browser wraps it (see background/testHooks.ts).
 * Only test builds and unit tests import it.
 */
export function makeQuotaError(kind: 'quota' | 'abort'): Error {
  const quota = new DOMException('The quota has been exceeded (injected by a test).', 'QuotaExceededError');
  return kind === 'quota' ? (quota as unknown as Error) : new Dexie.AbortError('Transaction aborted (injected by a test)', quota);
}
