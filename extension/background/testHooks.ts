import { ext } from '../platform';
import type { SessionTimeouts } from '../../sdk/model/sessionRules';

/**
 * Test hooks live in extension storage under one key that only the extension (and a test driving its
 * service worker) can write: pages cannot reach it. They shorten time, never change behaviour.
 */
export const TEST_HOOKS_KEY = 'rumscope.testHooks';

export interface TestHooks {
  sessionTimeouts?: SessionTimeouts;
  /**
   * The next `count` batch writes fail inside their transaction as a full disk does: 'quota' throws a
   * QuotaExceededError DOMException, 'abort' Dexie's AbortError wrapping one. The count goes down by one per failure.
   */
  failWrites?: { count: number; kind: 'quota' | 'abort' };
}

let cached: Promise<TestHooks> | null = null;
let watching = false;

/** The hooks, read once per worker start and kept current by storage.onChanged (not a read per batch). */
export function loadTestHooks(): Promise<TestHooks> {
  if (!watching) {
    watching = true;
    try {
      ext.storage.onChanged.addListener((changes, area) => {
        if (area === 'local' && TEST_HOOKS_KEY in changes) cached = Promise.resolve((changes[TEST_HOOKS_KEY]!.newValue as TestHooks | undefined) ?? {});
      });
    } catch {
      watching = false;
    }
  }
  cached ??= ext.storage.local
    .get(TEST_HOOKS_KEY)
    .then((stored) => (stored[TEST_HOOKS_KEY] as TestHooks | undefined) ?? {})
    .catch(() => ({}));
  return cached;
}

/** Takes one injected write failure (see TestHooks.failWrites), or null when none is pending. */
export async function takeInjectedWriteFailure(): Promise<'quota' | 'abort' | null> {
  const hooks = await loadTestHooks();
  const fail = hooks.failWrites;
  if (!fail || !(fail.count > 0)) return null;
  const next: TestHooks = { ...hooks, failWrites: { ...fail, count: fail.count - 1 } };
  cached = Promise.resolve(next);
  await ext.storage.local.set({ [TEST_HOOKS_KEY]: next });
  return fail.kind === 'abort' ? 'abort' : 'quota';
}
