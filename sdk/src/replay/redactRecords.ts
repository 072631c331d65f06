import type { ReplayRecord } from '../../schema';
import { REPLAY_META, REPLAY_FULL_SNAPSHOT } from '../../schema';
import { redactUrl } from '../tools/redactUrl';

/** Attributes that hold a URL (secret-looking parameters are redacted there, as in events). */
const URL_ATTRIBUTES = new Set(['href', 'src', 'xlink:href', 'action', 'formaction', 'poster', 'data', 'background', 'cite']);
const INCREMENTAL = 3;
const MUTATION = 0;

type Attributes = Record<string, unknown>;

function redactAttributes(attributes: Attributes | undefined) {
  if (!attributes || typeof attributes !== 'object') return;
  for (const name of Object.keys(attributes)) {
    const value = attributes[name];
    if (typeof value !== 'string') continue;
    const lower = name.toLowerCase();
    if (URL_ATTRIBUTES.has(lower)) attributes[name] = redactUrl(value);
    else if (lower === 'srcset') attributes[name] = value.replace(/(^|,)\s*(\S+)/g, (_all, sep: string, url: string) => `${sep}${redactUrl(url)}`);
  }
}

interface SerializedNode {
  attributes?: Attributes;
  childNodes?: SerializedNode[];
  contentDocument?: SerializedNode;
}

function redactTree(root: SerializedNode | undefined) {
  const stack: (SerializedNode | undefined)[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    redactAttributes(node.attributes);
    if (Array.isArray(node.childNodes)) for (const child of node.childNodes) stack.push(child);
  }
}

/**
 * Redacts secret-looking URL parameters in recorded attributes (href, src, ...) and the page URLs of meta
 * records, in place. Runs where the records are stored (the extension's background), not in the page.
 */
export function redactRecords(records: ReplayRecord[]): ReplayRecord[] {
  for (const record of records) {
    const data = record.data as Record<string, unknown> | null;
    if (!data || typeof data !== 'object') continue;
    if (record.type === REPLAY_META && typeof data.href === 'string') data.href = redactUrl(data.href);
    else if (record.type === REPLAY_FULL_SNAPSHOT) redactTree(data.node as SerializedNode);
    else if (record.type === INCREMENTAL && data.source === MUTATION) {
      for (const add of (data.adds as { node?: SerializedNode }[] | undefined) ?? []) redactTree(add?.node);
      for (const change of (data.attributes as { attributes?: Attributes }[] | undefined) ?? []) redactAttributes(change?.attributes);
    }
  }
  return records;
}
