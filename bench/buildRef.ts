/**
 * Builds the extension of a git ref (e.g. `main`, or the commit before a change) into its own dist folder,
 * for a bench that measures it beside the working tree's build in the same run. The ref's files come from
 * `git archive` into .tmp (no checkout, no worktree), with this checkout's node_modules linked in.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm, symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

export interface RefBuild {
  /** The dist folder, relative to the repo (its chrome/ and firefox/ builds). */
  dist: string;
  /** The ref's short commit hash. */
  commit: string;
}

/** A release build of `ref` (`scripts/build.ts` as it was at that commit) in `.tmp/<distName>`. */
export async function buildRef(ref: string, distName: string): Promise<RefBuild> {
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { cwd: root, encoding: 'utf8' }).trim();
  const src = join(root, '.tmp', `${distName}-src`);
  const dist = join('.tmp', distName);
  await rm(src, { recursive: true, force: true });
  await mkdir(src, { recursive: true });
  const archive = join(root, '.tmp', `${distName}.tar`);
  execFileSync('git', ['archive', '--format=tar', '-o', archive, commit], { cwd: root });
  execFileSync('tar', ['-xf', archive, '-C', src]);
  await rm(archive, { force: true });
  await symlink(join(root, 'node_modules'), join(src, 'node_modules'), 'dir');
  try {
    execFileSync('npx', ['tsx', 'scripts/build.ts'], {
      cwd: src,
      env: { ...process.env, RUMSCOPE_DIST: join(root, dist), RUMSCOPE_TEST_BUILD: '' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } finally {
    await rm(src, { recursive: true, force: true });
  }
  return { dist, commit };
}
