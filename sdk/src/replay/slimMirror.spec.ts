import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { MIRROR_METHODS, slimMirror, type RecordMirror } from './slimMirror';

/** rrweb's Mirror class exactly as @rrweb/record bundles it (what the recorder in the page runs). */
const bundled = readFileSync(join(dirname(createRequire(import.meta.url).resolve('@rrweb/record')), 'record.js'), 'utf8');
const mirrorSource = bundled.slice(bundled.indexOf('class Mirror {'), bundled.indexOf('function createMirror()'));
const RrwebMirror = new Function('__publicField', `${mirrorSource}; return Mirror;`)((o: Record<string, unknown>, k: string, v: unknown) => (o[k] = v)) as new () => RecordMirror;

interface FakeNode {
  name: string;
  childNodes: FakeNode[];
}
const tree = (name: string, ...childNodes: FakeNode[]): FakeNode => ({ name, childNodes });

describe("rrweb's mirror kept slim (ids, not serialized trees)", () => {
  test("rrweb's Mirror has exactly the methods replaced, and its recorder reads nothing of a node's metadata but the id", () => {
    expect(mirrorSource.length).toBeGreaterThan(500);
    const methods = [...mirrorSource.matchAll(/^ {2}(\w+)\(/gm)].map((m) => m[1]).filter((name) => name !== 'constructor');
    expect(methods.sort()).toEqual([...MIRROR_METHODS].sort());
    // Every use of getMeta: getId reads `.id`, the two others only test that it exists.
    expect(bundled.match(/getMeta\([^)]*\)/g)).toEqual(['getMeta(n)', 'getMeta(n)', 'getMeta(n)', 'getMeta(n)']);
    expect(bundled).toContain('return Boolean(n.nodeName === "IFRAME" && mirror2.getMeta(n));');
    expect(bundled).toMatch(/getAttribute\("rel"\) === "stylesheet" && mirror2\.getMeta\(n\)\s*\)/);
    // The maps are touched only inside the class (by the methods replaced).
    expect(bundled.match(/idNodeMap|nodeMetaMap/g)?.length).toBe(mirrorSource.match(/idNodeMap|nodeMetaMap/g)?.length);
  });

  test('answers as rrweb\'s own Mirror does, operation by operation', () => {
    const reference = new RrwebMirror();
    const slim = new RrwebMirror();
    const [a, b, c, d, e, ignored] = ['a', 'b', 'c', 'd', 'e', 'ignored'].map((name) => tree(name));
    const parent = tree('parent', a!, b!);
    // A node already recorded before slimming moves over.
    reference.add(e as unknown as Node, { id: 40 });
    slim.add(e as unknown as Node, { id: 40 });
    slimMirror(slim);
    const serialized = (id: number) => ({ id, type: 2, tagName: 'p', attributes: { class: 'x' }, childNodes: [] });
    const steps: [string, (m: RecordMirror) => unknown][] = [
      ['add parent', (m) => m.add(parent as unknown as Node, serialized(1))],
      ['add a', (m) => m.add(a as unknown as Node, serialized(2))],
      ['add b', (m) => m.add(b as unknown as Node, serialized(3))],
      ['add ignored (-2)', (m) => m.add(ignored as unknown as Node, serialized(-2))],
      ['getId', (m) => [parent, a, b, c, ignored, e, null].map((n) => m.getId(n as unknown as Node))],
      ['getNode', (m) => [1, 2, 3, 4, -2, 40, -1, 0].map((id) => (m.getNode(id) as unknown as FakeNode | null)?.name ?? null)],
      ['has / hasNode', (m) => [[1, 2, 4, -2, 40].map((id) => m.has(id)), [a, c, e].map((n) => m.hasNode(n as unknown as Node))]],
      ['getMeta', (m) => [a, c].map((n) => m.getMeta(n as unknown as Node)?.id ?? null)],
      ['getIds', (m) => m.getIds().sort((x, y) => x - y)],
      ['replace 2 by c', (m) => m.replace(2, c as unknown as Node)],
      ['after replace', (m) => [m.getId(c as unknown as Node), m.getId(a as unknown as Node), (m.getNode(2) as unknown as FakeNode).name]],
      ['removeNodeFromMap parent', (m) => m.removeNodeFromMap(parent as unknown as Node)],
      ['after remove', (m) => [[1, 2, 3].map((id) => m.getNode(id)), m.getId(a as unknown as Node), m.hasNode(parent as unknown as Node), m.getIds().sort((x, y) => x - y)]],
      ['add d', (m) => m.add(d as unknown as Node, serialized(4))],
      ['reset', (m) => m.reset()],
      ['after reset', (m) => [m.getIds(), m.getId(d as unknown as Node), m.getNode(4), m.hasNode(d as unknown as Node)]],
    ];
    for (const [name, step] of steps) expect(step(slim), name).toEqual(step(reference));
  });

  test('keeps only { id } of what it is given, and slims a mirror once', () => {
    const mirror = new RrwebMirror();
    slimMirror(mirror);
    const first = mirror.add;
    slimMirror(mirror);
    expect(mirror.add).toBe(first);
    const node = tree('p') as unknown as Node;
    mirror.add(node, { id: 7, type: 2, attributes: { class: 'x' }, childNodes: [{ id: 8 }] } as { id: number });
    expect(mirror.getMeta(node)).toEqual({ id: 7 });
    expect(() => slimMirror(undefined)).not.toThrow();
  });
});
