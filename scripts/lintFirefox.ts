/** `web-ext lint` on the Firefox build: fails on any error, prints the warnings. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dir = resolve(root, process.env.RUMSCOPE_DIST ?? 'dist', 'firefox');
const result = spawnSync('npx', ['web-ext', 'lint', '--source-dir', dir, '--output', 'json', '--no-config-discovery'], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
let report: { summary: { errors: number; warnings: number; notices: number }; errors: { code: string; message: string; file?: string }[]; warnings: { code: string; message: string; file?: string }[] };
try {
  report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{')));
} catch {
  console.error(result.stdout, result.stderr);
  process.exit(1);
}
for (const item of report.errors) console.error(`error ${item.code}: ${item.message} ${item.file ?? ''}`);
for (const item of report.warnings) console.warn(`warning ${item.code}: ${item.message} ${item.file ?? ''}`);
console.log(`web-ext lint: ${report.summary.errors} errors, ${report.summary.warnings} warnings, ${report.summary.notices} notices`);
process.exit(report.summary.errors ? 1 : 0);
