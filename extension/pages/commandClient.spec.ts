import { afterEach, describe, expect, test, vi } from 'vitest';
import { IMPORT_PART_CHARS, type ImportResult } from '../../sdk/schema';

interface Sent {
  command: string;
  args: { importId?: string; index?: number; text?: string; parts?: number };
}

/** The page's `chrome.runtime.sendMessage`, answered by `answer` (a background that may go away). */
async function withBackground(answer: (message: Sent, sent: Sent[]) => Promise<unknown>) {
  const sent: Sent[] = [];
  vi.stubGlobal('chrome', {
    runtime: {
      sendMessage: async (message: Sent) => {
        sent.push(message);
        return answer(message, sent);
      },
    },
  });
  vi.resetModules();
  const client = await import('./commandClient');
  return { client, sent };
}

const RESULT: ImportResult = { added: 1, unchanged: 0, kept: [] };
const bundle = () => new Blob(['x'.repeat(IMPORT_PART_CHARS + 10)]);

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('importing a bundle in parts', () => {
  test('a background that went away in the middle: the upload starts again, whole, under a new id', async () => {
    let failed = false;
    const { client, sent } = await withBackground(async (message) => {
      if (message.command === 'importPart' && message.args.index === 1 && !failed) {
        failed = true;
        throw new Error('Could not establish connection. Receiving end does not exist.');
      }
      return { ok: true, value: message.command === 'importEnd' ? RESULT : { ok: true } };
    });
    expect(await client.importByParts(bundle())).toEqual(RESULT);
    const parts = sent.filter((m) => m.command === 'importPart');
    expect(parts.map((m) => m.args.index)).toEqual([0, 1, 0, 1]);
    expect(new Set(parts.map((m) => m.args.importId)).size).toBe(2);
    const end = sent.find((m) => m.command === 'importEnd')!;
    expect(end.args).toEqual({ importId: parts[2]!.args.importId, parts: 2 });
    expect(parts.slice(2).map((m) => m.args.text!.length)).toEqual([IMPORT_PART_CHARS, 10]);
  });

  test('a file the background refuses is not sent again; a background that keeps going away is given up after 3 tries', async () => {
    const refusing = await withBackground(async (message) =>
      message.command === 'importEnd' ? { ok: false, error: 'This file is not a valid Rumscope export (sessions: expected array). Nothing was imported.' } : { ok: true, value: { ok: true } },
    );
    await expect(refusing.client.importByParts(bundle())).rejects.toThrow(/not a valid Rumscope export/);
    expect(refusing.sent.filter((m) => m.command === 'importEnd')).toHaveLength(1);

    const gone = await withBackground(async (message) =>
      message.command === 'importEnd' ? { ok: false, error: 'Error: Parts of the import were lost (the background may have restarted). Nothing was imported: try again.' } : { ok: true, value: { ok: true } },
    );
    await expect(gone.client.importByParts(bundle())).rejects.toThrow(/background may have restarted/);
    expect(gone.sent.filter((m) => m.command === 'importEnd')).toHaveLength(3);
  });

  test('while a command is being answered, the background hears from the page every few seconds (Firefox stops an idle event page)', async () => {
    vi.useFakeTimers();
    let finish: (value: unknown) => void = () => undefined;
    const { client, sent } = await withBackground((message) =>
      message.command === 'ping' ? Promise.resolve({ ok: true, value: { ok: true } }) : new Promise((resolve) => (finish = resolve)),
    );
    const answered = client.sendCommand('importEnd', { importId: 'a', parts: 1 });
    await vi.advanceTimersByTimeAsync(31_000);
    expect(sent.filter((m) => m.command === 'ping').length).toBeGreaterThanOrEqual(6);
    finish({ ok: true, value: RESULT });
    expect(await answered).toEqual(RESULT);
    const pings = sent.filter((m) => m.command === 'ping').length;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(sent.filter((m) => m.command === 'ping').length).toBe(pings);
  });
});
