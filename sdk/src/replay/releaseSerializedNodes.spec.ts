import { describe, expect, test } from 'vitest';
import { releaseSerializedNodes } from './releaseSerializedNodes';

const tree = () => ({
  type: 0,
  id: 1,
  childNodes: [
    { type: 2, id: 2, tagName: 'style', attributes: { _cssText: 'body { color: red }' }, childNodes: [] },
    { type: 2, id: 3, tagName: 'p', attributes: { class: 'x' }, childNodes: [{ type: 3, id: 4, textContent: 'Hello' }] },
  ],
});

describe('releasing rrweb serialized nodes once their record is serialized', () => {
  test('a full snapshot keeps what was serialized, and its nodes keep only type and id', () => {
    const snapshot = { type: 2, timestamp: 1, data: { node: tree(), initialOffset: { top: 0, left: 0 } } };
    const nodes = [snapshot.data.node, ...snapshot.data.node.childNodes, snapshot.data.node.childNodes[1]!.childNodes[0]!];
    const json = JSON.stringify(snapshot);
    releaseSerializedNodes(snapshot);
    expect(JSON.parse(json).data.node.childNodes[1].childNodes[0].textContent).toBe('Hello');
    for (const node of nodes) {
      expect(node).toMatchObject({ id: expect.any(Number), type: expect.any(Number) });
      expect(Object.values(node).filter((v) => typeof v === 'object' && v !== null)).toEqual([]);
    }
    expect(nodes.map((n) => (n as { textContent?: unknown }).textContent ?? null)).toEqual([null, null, null, null]);
  });

  test("a mutation's added subtrees are released; other records are left as they are", () => {
    const mutation = { type: 3, timestamp: 1, data: { source: 0, adds: [{ parentId: 1, nextId: null, node: tree() }], removes: [], texts: [{ id: 4, value: 'Hi' }], attributes: [] } };
    releaseSerializedNodes(mutation);
    expect(mutation.data.adds[0]!.node.childNodes).toBeNull();
    expect(mutation.data.texts).toEqual([{ id: 4, value: 'Hi' }]);
    const input = { type: 3, timestamp: 1, data: { source: 5, id: 3, text: 'typed' } };
    releaseSerializedNodes(input);
    expect(input.data).toEqual({ source: 5, id: 3, text: 'typed' });
    expect(() => releaseSerializedNodes({ type: 4, data: undefined })).not.toThrow();
  });
});
