/**
 * Sums a Chrome trace (bench/panel.ts --trace) by activity on one page's renderer main thread: the self
 * thread-time of each trace event name (script, style, layout, paint, GC...) and, for script, of each entry
 * point (the function or callback that started it). For finding where a page's main-thread time goes.
 *
 *   npx tsx bench/traceSummary.ts <trace.json> [url-part, default chrome-extension://]
 *   npx tsx bench/traceSummary.ts <profile.cpuprofile>   (self time by function)
 */
import { readFile } from 'node:fs/promises';

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tts?: number;
  tdur?: number;
  args?: { name?: string; data?: { url?: string; frames?: { url?: string; processId?: number }[]; functionName?: string; type?: string; [k: string]: unknown } };
}

export interface TraceSummary {
  /** ms of thread time, by event name (self time: its children's time left out). */
  byName: [string, number][];
  /** ms of script (FunctionCall, timers, events, microtasks) by entry point, self and children together. */
  byEntry: [string, number][];
  /** ms of all top-level tasks. */
  totalMs: number;
}

export function summarizeTrace(events: TraceEvent[], urlPart = 'chrome-extension://'): TraceSummary {
  const pids = new Set<number>();
  for (const e of events) for (const f of e.args?.data?.frames ?? []) if (f.url?.includes(urlPart) && f.processId) pids.add(f.processId);
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && (pids.size === 0 || pids.has(e.pid)));
  if (!main) throw new Error(`no renderer main thread of a page at ${urlPart} in the trace`);
  // Complete events on that thread (B/E pairs folded into X), by start time, outer first.
  const open: TraceEvent[] = [];
  const spans: TraceEvent[] = [];
  for (const e of events) {
    if (e.pid !== main.pid || e.tid !== main.tid || e.tts === undefined) continue;
    if (e.ph === 'X' && e.tdur !== undefined) spans.push(e);
    else if (e.ph === 'B') open.push(e);
    else if (e.ph === 'E') {
      const b = open.pop();
      if (b) spans.push({ ...b, ph: 'X', dur: e.ts - b.ts, tdur: e.tts - b.tts! });
    }
  }
  spans.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const self = new Map<string, number>();
  const entry = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  const stack: { e: TraceEvent; end: number; child: number }[] = [];
  let total = 0;
  const close = (until: number) => {
    while (stack.length && stack.at(-1)!.end <= until) {
      const top = stack.pop()!;
      add(self, top.e.name, (top.e.tdur! - top.child) / 1000);
      if (stack.length) stack.at(-1)!.child += top.e.tdur!;
    }
  };
  const SCRIPT_ENTRIES = new Set(['FunctionCall', 'TimerFire', 'EventDispatch', 'FireAnimationFrame', 'RunMicrotasks', 'EvaluateScript']);
  const count = new Map<string, number>();
  for (const e of spans) {
    close(e.ts);
    add(count, e.name, 1);
    if (!stack.length) total += e.tdur! / 1000;
    const inScript = stack.some((s) => SCRIPT_ENTRIES.has(s.e.name));
    if (!inScript && SCRIPT_ENTRIES.has(e.name)) {
      const d = e.args?.data;
      const where = d?.functionName || d?.type || '';
      const file = typeof d?.url === 'string' ? d.url.split('/').pop() : '';
      add(entry, `${e.name}${where ? ' ' + where : ''}${file ? ' @' + file : ''}`, e.tdur! / 1000);
    }
    stack.push({ e, end: e.ts + (e.dur ?? 0), child: 0 });
  }
  close(Infinity);
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { byName: sorted(self).map(([k, ms]) => [`${k} (×${count.get(k)})`, ms]), byEntry: sorted(entry), totalMs: total };
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** ms of self time by function (name, file and line) in a V8 CPU profile (bench/panel.ts --trace writes one beside the trace). */
export function summarizeProfile(profile: CpuProfile): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
  });
  return [...self].sort((a, b) => b[1] - a[1]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, urlPart] = process.argv.slice(2);
  if (!file) throw new Error('usage: npx tsx bench/traceSummary.ts <trace.json | profile.cpuprofile> [url-part]');
  if (file.endsWith('.cpuprofile')) {
    const list = summarizeProfile(JSON.parse(await readFile(file, 'utf8')) as CpuProfile);
    process.stdout.write(list.slice(0, 40).map(([k, ms]) => `${ms.toFixed(1).padStart(9)} ms  ${k}`).join('\n') + '\n');
    process.exit(0);
  }
  const raw = JSON.parse(await readFile(file, 'utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const s = summarizeTrace(Array.isArray(raw) ? raw : (raw.traceEvents ?? []), urlPart);
  const rows = (list: [string, number][]) => list.slice(0, 25).map(([k, ms]) => `${ms.toFixed(1).padStart(9)} ms  ${k}`).join('\n');
  process.stdout.write(`top-level tasks: ${s.totalMs.toFixed(1)} ms\n\nself time by event:\n${rows(s.byName)}\n\nscript by entry point:\n${rows(s.byEntry)}\n`);
}
