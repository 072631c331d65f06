/**
 * What capture.js is made of: `npx tsx bench/captureSize.ts [entry]` bundles the capture entry
 * (sdk/src/extension.iife.ts by default) as the release build does (IIFE, minified, es2022, release
 * defines) with esbuild's metafile and source map, and prints each source folder's bytes in the minified
 * output and its gzip cost: gzip -9 of the whole output minus gzip -9 of the output with that folder's bytes
 * cut out (read from the source map). gzip is not additive, so the costs do not sum to the total exactly.
 * The shipped file is built by vite (scripts/build.ts); its size is printed beside this build's to show how
 * close the two minifiers are. `npx tsx bench/captureSize.ts sdk/src/replay/recorder.iife.ts`: the same for
 * recorder.js, with rrweb patched and cut as the build does it (docs/replay-size.md).
 */
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildDefines } from '../scripts/buildFlags';
import { patchRrwebRecord } from '../scripts/rrwebFramesPlugin';
import { slimRrwebRecord } from '../scripts/rrwebSlimPlugin';
import { distDir } from '../tests/e2e/support/chromium';
import { SCRIPTS } from '../scripts/build';

const root = resolve(import.meta.dirname, '..');
const entry = process.argv[2] ?? 'sdk/src/extension.iife.ts';
const KB = 1024;

const result = await build({
  entryPoints: [join(root, entry)],
  bundle: true,
  format: 'iife',
  target: 'es2022',
  minify: true,
  write: false,
  metafile: true,
  sourcemap: 'external',
  define: buildDefines(false),
  outfile: 'capture.js',
  logLevel: 'warning',
  // recorder.js's rrweb as the build patches and cuts it (scripts/rrwebFramesPlugin.ts, scripts/rrwebSlimPlugin.ts).
  plugins: [
    {
      name: 'rrweb-as-built',
      setup(b) {
        b.onLoad({ filter: /[\\/]node_modules[\\/]@rrweb[\\/]record[\\/]dist[\\/]record\.js$/ }, (args) => ({
          contents: slimRrwebRecord(patchRrwebRecord(readFileSync(args.path, 'utf8'))),
          loader: 'js',
          resolveDir: dirname(args.path),
        }));
      },
    },
  ],
});
const code = result.outputFiles.find((f) => f.path.endsWith('.js'))!.contents;
const map = JSON.parse(result.outputFiles.find((f) => f.path.endsWith('.map'))!.text) as { sources: string[]; mappings: string };
const gzip = gzipSync(code, { level: 9 }).length;
const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint)!;

/** For each output byte, the index of its source in map.sources (-1: none), from the source map's segments. */
function sourceOfEachByte(): Int32Array {
  const owner = new Int32Array(code.length).fill(-1);
  const lineStarts = [0];
  for (let i = 0; i < code.length; i++) if (code[i] === 10) lineStarts.push(i + 1);
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let source = 0;
  const marks: [number, number][] = []; // [output offset, source index]
  map.mappings.split(';').forEach((line, lineIndex) => {
    let column = 0;
    for (const segment of line.split(',')) {
      if (!segment) continue;
      const values: number[] = [];
      let value = 0, shift = 0;
      for (const char of segment) {
        const digit = B64.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0]!;
      if (values.length >= 4) source += values[1]!;
      marks.push([lineStarts[lineIndex]! + column, values.length >= 4 ? source : -1]);
    }
  });
  marks.sort((a, b) => a[0] - b[0]);
  for (let i = 0; i < marks.length; i++) owner.fill(marks[i]![1], marks[i]![0], marks[i + 1]?.[0] ?? code.length);
  return owner;
}
const owner = sourceOfEachByte();
/** gzip -9 bytes saved by cutting out the bytes of the sources in `group`. */
function gzipCost(group: Set<number>): number {
  const kept: number[] = [];
  for (let i = 0; i < code.length; i++) if (!group.has(owner[i]!)) kept.push(code[i]!);
  return gzip - gzipSync(Buffer.from(kept), { level: 9 }).length;
}

const groupOf = (file: string) => {
  const path = relative(root, resolve(root, file));
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1]!;
  return path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : path; // one folder per concern
};
const groups = new Map<string, { bytes: number; files: [string, number][] }>();
for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
  const group = groupOf(file);
  const entry = groups.get(group) ?? { bytes: 0, files: [] };
  entry.bytes += bytesInOutput;
  entry.files.push([relative(root, resolve(root, file)), bytesInOutput]);
  groups.set(group, entry);
}
const counted = [...groups.values()].reduce((sum, g) => sum + g.bytes, 0);
const shipped = Object.entries(SCRIPTS).find(([, source]) => source === entry)?.[0];
const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const lines = [
  `${entry}: esbuild minified ${fmt(code.length / KB)} KB raw / ${fmt(gzip / KB)} KB gzip -9` +
    (shipped && existsSync(join(distDir('chrome'), shipped))
      ? `; shipped ${shipped} (vite, ${relative(root, distDir('chrome'))}) ${fmt(readFileSync(join(distDir('chrome'), shipped)).length / KB)} KB raw / ${fmt(gzipSync(readFileSync(join(distDir('chrome'), shipped)), { level: 9 }).length / KB)} KB gzip`
      : ''),
  '',
  '| folder | raw bytes in output | share | gzip KB it costs | largest files (raw bytes) |',
  '|---|---|---|---|---|',
];
for (const [group, g] of [...groups].sort((a, b) => b[1].bytes - a[1].bytes)) {
  const top = g.files.sort((a, b) => b[1] - a[1]).slice(0, 4).map(([f, b]) => `${f.split('/').pop()} ${b}`).join(', ');
  const members = new Set(map.sources.flatMap((source, index) => (groupOf(resolve(root, source)) === group ? [index] : [])));
  lines.push(`| ${group} | ${g.bytes.toLocaleString('en-US')} | ${fmt((g.bytes / counted) * 100)} % | ${fmt(gzipCost(members) / KB, 2)} | ${top} |`);
}
// Pieces that could leave capture.js (loaded only where needed): their files' joint gzip cost.
const CANDIDATES: [string, string[]][] = [
  ['network detail (opt-in per site)', ['sdk/src/domain/requests/captureDetail.ts', 'sdk/src/domain/requests/redactDetail.ts']],
  ['console argument serialization', ['sdk/src/tools/serializeValue.ts']],
  ['web vitals (web-vitals + startVitalCollection)', ['node_modules/web-vitals/', 'sdk/src/domain/vitals/']],
];
lines.push('', '| candidate to split out | files | raw bytes | gzip KB it costs |', '|---|---|---|---|');
for (const [label, files] of CANDIDATES) {
  const members = new Set(map.sources.flatMap((source, index) => (files.some((f) => relative(root, resolve(root, source)).includes(f)) ? [index] : [])));
  const raw = [...owner].filter((o) => members.has(o)).length;
  lines.push(`| ${label} | ${files.join(', ')} | ${raw.toLocaleString('en-US')} | ${fmt(gzipCost(members) / KB, 2)} |`);
}
process.stdout.write(lines.join('\n') + '\n');
