import { REPLAY_FULL_SNAPSHOT } from '../../schema';

/** rrweb's serialized node, as far as this module touches it. */
interface SerializedNode {
  childNodes?: unknown;
  attributes?: unknown;
  textContent?: unknown;
}

/**
 * rrweb keeps every serialized node as its mirror's metadata for that DOM node (Mirror.nodeMetaMap), and a
 * serialized element holds its children: the whole snapshot tree, with its attributes, text and inlined CSS,
 * stays in the page's heap for as long as the document lives (and each mutation's added subtrees too), although
 * the recorder reads nothing of it but `id` and that it exists. Once a record is serialized to JSON, this lets
 * go of the tree: the nodes keep their `type` and `id`, their children, attributes and text are dropped.
 * Only for records already serialized and handed over; the objects keep their shape (fields set to null).
 */
export function releaseSerializedNodes(event: { type: number; data?: unknown }): void {
  const data = event.data as { node?: unknown; source?: number; adds?: { node?: unknown }[] } | undefined;
  if (!data) return;
  if (event.type === REPLAY_FULL_SNAPSHOT) release(data.node);
  else if (event.type === 3 && data.source === 0 && Array.isArray(data.adds)) for (const add of data.adds) release(add?.node);
}

function release(root: unknown): void {
  const stack = [root];
  while (stack.length) {
    const node = stack.pop() as SerializedNode | null | undefined;
    if (!node || typeof node !== 'object') continue;
    if (Array.isArray(node.childNodes)) for (const child of node.childNodes) stack.push(child);
    if ('childNodes' in node) node.childNodes = null;
    if ('attributes' in node) node.attributes = null;
    if ('textContent' in node) node.textContent = null;
  }
}
