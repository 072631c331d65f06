/**
 * Where a page's heap goes: a V8 heap snapshot (CDP HeapProfiler.takeHeapSnapshot) summed by node type and
 * constructor, largest first, without Blink's native objects (not in the JS heap the bench measures). For `npm run bench -- --heap-summary` (bench/run.ts), which prints it per peer for
 * the last round; strings are summed as one row per string kind, not per content.
 */
import type { CDPSession } from 'playwright-core';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export async function heapSummary(cdp: CDPSession, top = 25): Promise<string> {
  const chunks: string[] = [];
  const onChunk = (event: { chunk: string }) => void chunks.push(event.chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  try {
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false, captureNumericValue: false });
  } finally {
    cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  }
  return summarizeSnapshot(JSON.parse(chunks.join('')) as Snapshot, top);
}

export function summarizeSnapshot(heap: Snapshot, top: number): string {
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const rows = new Map<string, { bytes: number; count: number }>();
  let total = 0;
  for (let i = 0; i < heap.nodes.length; i += width) {
    const type = types[heap.nodes[i + typeAt]!]!;
    // Blink's own objects are not in the JS heap the bench measures (Runtime.getHeapUsage).
    if (type === 'native') continue;
    const size = heap.nodes[i + sizeAt]!;
    const key = /string|number/.test(type) ? `(${type})` : `${type} ${heap.strings[heap.nodes[i + nameAt]!]!.slice(0, 60)}`;
    const row = rows.get(key) ?? { bytes: 0, count: 0 };
    row.bytes += size;
    row.count++;
    rows.set(key, row);
    total += size;
  }
  const lines = [...rows.entries()]
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .slice(0, top)
    .map(([key, row]) => `  ${(row.bytes / 1024).toFixed(0).padStart(8)} KB ${String(row.count).padStart(8)} × ${key}`);
  return [`  ${(total / 1024).toFixed(0).padStart(8)} KB in all (snapshot self sizes, Blink's native objects left out)`, ...lines].join('\n');
}
