// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import App from '../../panel/App.svelte';
import { RumscopeDb } from '../storage/db';
import { deleteSessions } from '../storage/sessionStore';
import { createDexieSessionSource } from './dexieSessionSource';
import type { SessionCommands } from '../../panel/source/SessionCommands';
import { makeLoad, makeSession } from '../../tests/unit/support/sessionFixtures';

/** The panel loads its session detail and cohorts on demand (a chunk each): on a loaded machine that import alone can take more than vi.waitFor's default second. */
const waitFor = <T>(check: () => T) => vi.waitFor(check, { timeout: 10_000, interval: 20 });

let app: ReturnType<typeof mount> | null = null;
let dbs: RumscopeDb[] = [];

afterEach(async () => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
  for (const db of dbs) db.close();
  for (const db of dbs) await RumscopeDb.delete(db.name);
  dbs = [];
});

/** The panel over a database, with commands that act on it the way the background would. */
async function render(name: string) {
  const writer = new RumscopeDb(name);
  const reader = new RumscopeDb(name);
  dbs = [writer, reader];
  const calls: string[] = [];
  const commands: SessionCommands = {
    endSession: async (id) => {
      calls.push(`end ${id}`);
      await writer.sessions.update(id, { endedAt: 1, endReason: 'user' });
    },
    deleteSessions: async (ids) => {
      calls.push(`delete ${ids === 'all' ? 'all' : ids.join(',')}`);
      return deleteSessions(writer, ids);
    },
    pinSession: async (id, pinned) => {
      calls.push(`pin ${id} ${pinned}`);
      await writer.sessions.update(id, { pinned: pinned ? 1 : 0 });
    },
    exportSessions: async (ids) => {
      calls.push(`export ${ids === 'all' ? 'all' : ids.join(',')}`);
      return { blob: new Blob(['{}']), fileName: 'rumscope-sessions.json' };
    },
    dismissStorageWarning: async () => {
      calls.push('dismiss');
      await writer.meta.delete('storageWarning');
    },
  };
  const target = document.createElement('div');
  document.body.append(target);
  app = mount(App, { target, props: { source: createDexieSessionSource(reader), refreshMs: 50, commands, tabId: 7, timeZone: 'UTC' } });
  return { writer, target, calls };
}

const $ = <T extends Element = HTMLElement>(root: ParentNode, selector: string) => root.querySelector<T>(selector);
const rowIds = (target: HTMLElement) => [...target.querySelectorAll<HTMLElement>('tbody tr[data-session-id]')].map((r) => r.dataset.sessionId);

describe('Sessions panel: the user’s controls', () => {
  it('pins, ends the tab’s session, deletes the picked ones and all, exports; shows storage and the warning', async () => {
    URL.createObjectURL = vi.fn(() => 'blob:x');
    URL.revokeObjectURL = vi.fn();
    const { writer, target, calls } = await render('controls');
    await writer.sessions.bulkPut([makeSession({ id: 'a', startedAt: 3 }), makeSession({ id: 'b', startedAt: 2 }), makeSession({ id: 'c', startedAt: 1 })]);
    await writer.loads.put(makeLoad({ sessionId: 'a' }));
    await writer.meta.put({ key: 'usage', value: { bytes: 12_345, sessions: 3, pinned: 0, capBytes: 500_000_000, retentionDays: 30, browserUsage: null, browserQuota: null, updatedAt: 1, lastRetention: null } });
    await waitFor(() => expect(rowIds(target)).toEqual(['a', 'b', 'c']));
    await waitFor(() => expect($(target, '[data-testid="storage-used"]')?.textContent?.trim()).toBe('12.3 KB of 500 MB used'));
    expect([...target.querySelectorAll('section.list thead th')].map((th) => th.textContent?.trim()).slice(0, 7)).toEqual([
      'Timestamp', 'User Email', 'Time Spent', 'Error Count', 'Location', '▶', 'Pin',
    ]);

    $<HTMLButtonElement>(target, 'tr[data-session-id="b"] td.pin button')!.click();
    await waitFor(() => expect($(target, 'tr[data-session-id="b"] td.pin button')?.getAttribute('aria-pressed')).toBe('true'));

    await waitFor(() => expect($<HTMLButtonElement>(target, '[data-testid="end-session"]')?.disabled).toBe(false));
    $<HTMLButtonElement>(target, '[data-testid="end-session"]')!.click();
    await waitFor(() => expect($<HTMLButtonElement>(target, '[data-testid="end-session"]')?.disabled).toBe(true));

    for (const id of ['b', 'c']) {
      const box = $<HTMLInputElement>(target, `tr[data-session-id="${id}"] td.pick input`)!;
      box.click();
      flushSync();
    }
    $<HTMLButtonElement>(target, '[data-testid="export-picked"]')!.click();
    await waitFor(() => expect($(target, '[data-testid="notice"]')?.textContent).toBe('Exported 2 sessions to rumscope-sessions.json.'));
    $<HTMLButtonElement>(target, '[data-testid="delete-picked"]')!.click();
    await waitFor(() => expect(rowIds(target)).toEqual(['a']));
    expect($(target, '[data-testid="delete-picked"]')).toBeNull();

    await writer.meta.put({ key: 'storageWarning', value: { kind: 'quota', at: 0, evictedSessions: 2, evictedBytes: 2_000_000, refusedWrites: 3 } });
    await waitFor(() => expect($(target, '[data-testid="storage-warning"]')?.textContent?.replace(/\s+/g, ' ')).toContain('the 2 oldest unpinned sessions were deleted (2.00 MB)'));
    $<HTMLButtonElement>(target, '[data-testid="storage-warning"] button')!.click();
    await waitFor(() => expect($(target, '[data-testid="storage-warning"]')).toBeNull());

    $<HTMLButtonElement>(target, '[data-testid="delete-all"]')!.click();
    flushSync();
    $<HTMLButtonElement>(target, '[data-testid="confirm-delete-all"]')!.click();
    await waitFor(() => expect(rowIds(target)).toEqual([]));
    expect(calls).toEqual(['pin b true', 'end a', 'export b,c', 'delete b,c', 'dismiss', 'delete all']);
  });
});
