// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import type { SessionSource } from '../source/SessionSource';
import { events, session } from '../../tests/unit/support/detailFixtures';
import DetailActions from './DetailActions.svelte';

let app: Record<string, unknown> | null = null;
afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
});

const source = { watchChanges: () => () => {}, getEvents: async () => events } as unknown as SessionSource;

describe('DetailActions', () => {
  it('downloads the HAR, copies an API call as cURL and the bug report', async () => {
    const saved: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => (saved.push(blob), 'blob:x'));
    URL.revokeObjectURL = vi.fn();
    const copied: string[] = [];
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async (text: string) => void copied.push(text) } });
    const target = document.body.appendChild(document.createElement('div'));
    app = mount(DetailActions, { target, props: { source, session } });
    await vi.waitFor(() => expect(target.querySelector<HTMLButtonElement>('[data-testid="download-har"]')?.disabled).toBe(false));
    flushSync();

    target.querySelector<HTMLButtonElement>('[data-testid="download-har"]')!.click();
    const har = JSON.parse(await saved[0]!.text());
    expect(har.log.version).toBe('1.2');
    expect(har.log.entries.length).toBe(target.querySelectorAll('.waterfall tbody tr').length);

    const curl = [...target.querySelectorAll<HTMLButtonElement>('.waterfall button')].find((b) => b.textContent === 'Copy as cURL')!;
    curl.click();
    await vi.waitFor(() => expect(copied[0]).toMatch(/^curl /));

    target.querySelector<HTMLButtonElement>('[data-testid="copy-bug-report"]')!.click();
    await vi.waitFor(() => expect(copied[1]).toContain(session.id));
    await vi.waitFor(() => expect(target.querySelector('[data-testid="detail-notice"]')?.textContent).toBe('Bug report copied to the clipboard.'));
  });

  it('shows the text to copy by hand when the clipboard refuses', async () => {
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async () => Promise.reject(new Error('not allowed')) } });
    const target = document.body.appendChild(document.createElement('div'));
    app = mount(DetailActions, { target, props: { source, session } });
    await vi.waitFor(() => expect(target.querySelector<HTMLButtonElement>('[data-testid="copy-bug-report"]')?.disabled).toBe(false));
    target.querySelector<HTMLButtonElement>('[data-testid="copy-bug-report"]')!.click();
    await vi.waitFor(() => expect(target.querySelector<HTMLTextAreaElement>('[data-testid="copy-manual"]')?.value).toContain(session.id));
  });
});
