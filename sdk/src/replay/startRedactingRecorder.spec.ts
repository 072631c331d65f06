// @vitest-environment jsdom
import { afterEach, describe, expect, test, vi } from 'vitest';

const emits: ((event: unknown) => void)[] = [];
vi.mock('@rrweb/record', () => ({
  record: (options: { emit: (event: unknown) => void }) => {
    emits.push(options.emit);
    return () => {};
  },
}));

const { startRecorder } = await import('./startRecorder');
const { startRedactingRecorder } = await import('./startRedactingRecorder');

/** A full snapshot with a link carrying a secret URL parameter, as rrweb emits it. */
const snapshot = () => ({
  type: 2,
  timestamp: Date.now(),
  data: { node: { type: 0, id: 1, childNodes: [{ type: 2, id: 2, tagName: 'a', attributes: { href: 'https://shop.test/reset?token=s3cret&page=2' }, childNodes: [] }] } },
});

function record(start: typeof startRecorder) {
  const sent: string[] = [];
  const recorder = start({ privacyLevel: 'allow', send: (segment) => sent.push(segment), viewId: () => 'view-1' });
  emits.at(-1)!(snapshot());
  recorder.stop();
  return sent.join('\n');
}

describe('where secret URL parameters of recorded attributes are redacted', () => {
  afterEach(() => void (emits.length = 0));

  test("the standalone SDK's recorder redacts them in the page (it has no background)", () => {
    const sent = record(startRedactingRecorder);
    expect(sent).toContain('page=2');
    expect(sent).not.toContain('s3cret');
    expect(sent).toContain('token=REDACTED');
  });

  test("the extension's recorder leaves them to its background (recorder.js carries no redaction code)", () => {
    expect(record(startRecorder)).toContain('token=s3cret');
  });
});
