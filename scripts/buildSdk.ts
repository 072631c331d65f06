/**
 * The standalone SDK for apps: <dist>/sdk/rumscope.mjs (one ES module, web-vitals included) with its type
 * declarations (<dist>/sdk/rumscope.d.ts over <dist>/sdk/types/), and a package.json to install it from
 * the folder. Same code as the extension's capture script, other mode: session in localStorage, events to
 * the app's `transport` hook (HTTP comes with the server issue).
 * Run alone: `RUMSCOPE_DIST=... npx tsx scripts/buildSdk.ts`; scripts/build.ts calls it too.
 */
import { build } from 'vite';
import ts from 'typescript';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildDefines } from './buildFlags';
import { safeGlobalsPlugin } from './safeGlobalsPlugin';
import { rrwebSlimPlugin } from './rrwebSlimPlugin';

const root = resolve(import.meta.dirname, '..');
const ENTRY = 'sdk/src/standalone.ts';

export async function buildSdk(dist: string = resolve(root, process.env.RUMSCOPE_DIST ?? 'dist')) {
  const out = join(dist, 'sdk');
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    // What apps install is never a test build.
    define: buildDefines(false),
    // The standalone recorder chunk sets the same rrweb options as the extension's: the same unused parts go.
    plugins: [safeGlobalsPlugin(), rrwebSlimPlugin()],
    build: {
      outDir: out,
      emptyOutDir: false,
      target: 'es2022',
      minify: false,
      sourcemap: true,
      copyPublicDir: false,
      lib: { entry: join(root, ENTRY), formats: ['es'], fileName: () => 'rumscope.mjs' },
    },
  });

  // Declarations from the sources (the types the app sees are the schema's and the public API's).
  const program = ts.createProgram([join(root, ENTRY)], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    strict: true,
    skipLibCheck: true,
    declaration: true,
    emitDeclarationOnly: true,
    rootDir: root,
    outDir: join(out, 'types'),
    types: [],
  });
  const emitted = program.emit();
  const problems = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (problems.length) {
    throw new Error(ts.formatDiagnostics(problems, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' }));
  }
  const types = './types/sdk/src/standalone';
  await writeFile(join(out, 'rumscope.d.ts'), `export * from '${types}';\nexport { default } from '${types}';\n`);

  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string; license: string };
  await writeFile(
    join(out, 'package.json'),
    JSON.stringify(
      {
        name: 'rumscope',
        version: pkg.version,
        license: pkg.license,
        type: 'module',
        module: './rumscope.mjs',
        types: './rumscope.d.ts',
        exports: { '.': { types: './rumscope.d.ts', import: './rumscope.mjs' } },
        sideEffects: true,
      },
      null,
      2,
    ) + '\n',
  );
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const out = await buildSdk();
  console.log(`built ${out} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
