import { ext } from '../platform';
import type { SessionTimeouts } from './sessionRules';

/**
 * Test hooks live in extension storage under one key that only the extension (and a test driving its
 * service worker) can write: pages cannot reach it. They shorten time, never change behaviour.
 */
export const TEST_HOOKS_KEY = 'rumscope.testHooks';

export interface TestHooks {
  sessionTimeouts?: SessionTimeouts;
}

export async function loadTestHooks(): Promise<TestHooks> {
  try {
    const stored = await ext.storage.local.get(TEST_HOOKS_KEY);
    return (stored[TEST_HOOKS_KEY] as TestHooks | undefined) ?? {};
  } catch {
    return {};
  }
}
