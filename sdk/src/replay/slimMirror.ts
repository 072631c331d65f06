/** rrweb's record.mirror (its Mirror class, in @rrweb/record): the methods slimMirror replaces. */
export interface RecordMirror {
  getId(node: Node | undefined | null): number;
  getNode(id: number): Node | null;
  getIds(): number[];
  getMeta(node: Node): { id: number } | null;
  removeNodeFromMap(node: Node): void;
  has(id: number): boolean;
  hasNode(node: Node): boolean;
  add(node: Node, meta: { id: number }): void;
  replace(id: number, node: Node): void;
  reset(): void;
}

/** The methods of rrweb's Mirror, all replaced below (slimMirror.spec.ts checks rrweb has no other). */
export const MIRROR_METHODS = ['getId', 'getNode', 'getIds', 'getMeta', 'removeNodeFromMap', 'has', 'hasNode', 'add', 'replace', 'reset'] as const;

const slimmed = new WeakSet<object>();

/**
 * rrweb's mirror keeps, for each recorded DOM node, the node's serialized form as its metadata (a WeakMap), and a
 * serialized element holds its serialized children: the whole snapshot tree, with its attributes, text and
 * inlined CSS, stays in the page's heap for as long as the document lives (and each mutation's added subtree),
 * although the recorder reads nothing of it but `id` and that it exists (getId; isSerializedIframe and
 * isSerializedStylesheet test getMeta). Its id → node side is a Map of as many entries.
 *
 * This gives the same mirror the same behaviour on less: node → id in a WeakMap of small integers, id → node in
 * an array indexed by id (rrweb numbers nodes 1, 2, 3…; other ids, such as rrweb's ignored-node -2, in a Map),
 * getMeta answering `{ id }`. On the bench's 5,000-element page: the replay's extra page heap 4.8 → ~2.3 MB
 * (bench/README.md). slimMirror.spec.ts runs it against rrweb's own Mirror, operation by operation.
 */
export function slimMirror(mirror: RecordMirror | undefined): void {
  if (!mirror || slimmed.has(mirror)) return;
  slimmed.add(mirror);
  let ids = new WeakMap<Node, number>();
  let nodes: (Node | undefined)[] = [];
  let others = new Map<number, Node>();
  const indexed = (id: number) => Number.isInteger(id) && id >= 0 && id < 2 ** 31;
  const nodeOf = (id: number) => (indexed(id) ? nodes[id] : others.get(id));
  const set = (id: number, node: Node) => (indexed(id) ? (nodes[id] = node) : others.set(id, node));
  const remove = (id: number) => (indexed(id) ? id < nodes.length && delete nodes[id] : others.delete(id));
  const slim: RecordMirror = {
    getId: (node) => (node ? (ids.get(node) ?? -1) : -1),
    getNode: (id) => nodeOf(id) ?? null,
    getIds: () => [...nodes.flatMap((node, id) => (node ? [id] : [])), ...others.keys()],
    getMeta: (node) => {
      const id = ids.get(node);
      return id === undefined ? null : { id };
    },
    removeNodeFromMap(node) {
      remove(slim.getId(node));
      node.childNodes?.forEach((child) => slim.removeNodeFromMap(child));
    },
    has: (id) => nodeOf(id) !== undefined,
    hasNode: (node) => ids.has(node),
    add(node, meta) {
      set(meta.id, node);
      ids.set(node, meta.id);
    },
    replace(id, node) {
      const old = nodeOf(id);
      const known = old && ids.get(old);
      if (known !== undefined && known !== null) ids.set(node, known);
      set(id, node);
    },
    reset() {
      ids = new WeakMap();
      nodes = [];
      others = new Map();
    },
  };
  // What rrweb's own maps hold already moves over; then nothing reads them any more.
  const own = mirror as unknown as { idNodeMap?: Map<number, Node> | null; nodeMetaMap?: WeakMap<Node, { id: number }> | null };
  for (const [id, node] of own.idNodeMap ?? []) set(id, node);
  for (const node of own.idNodeMap?.values() ?? []) {
    const meta = own.nodeMetaMap?.get(node);
    if (meta) ids.set(node, meta.id);
  }
  Object.assign(mirror, slim);
  if ('idNodeMap' in own) own.idNodeMap = null;
  if ('nodeMetaMap' in own) own.nodeMetaMap = null;
}
