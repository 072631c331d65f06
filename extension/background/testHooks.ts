import { ext } from '../platform';
import type { SessionTimeouts } from './sessionRules';

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

export async function loadTestHooks(): Promise<TestHooks> {
  try {
    const stored = await ext.storage.local.get(TEST_HOOKS_KEY);
    return (stored[TEST_HOOKS_KEY] as TestHooks | undefined) ?? {};
  } catch {
    return {};
  }
}

/** Takes one injected write failure (see TestHooks.failWrites), or null when none is pending. */
export async function takeInjectedWriteFailure(): Promise<'quota' | 'abort' | null> {
  const hooks = await loadTestHooks();
  const fail = hooks.failWrites;
  if (!fail || !(fail.count > 0)) return null;
  await ext.storage.local.set({ [TEST_HOOKS_KEY]: { ...hooks, failWrites: { ...fail, count: fail.count - 1 } } });
  return fail.kind === 'abort' ? 'abort' : 'quota';
}
