/**
 * Makes sure Debian's Chromium and Firefox ESR are on this machine. As root with apt-get, installs what
 * is missing; otherwise prints the one line that does and fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';

/** Debian package → commands that satisfy it. zip: the Firefox restart test installs the add-on as a zip. */
const PACKAGES = { chromium: ['chromium', 'chromium-browser'], 'firefox-esr': ['firefox-esr', 'firefox'], zip: ['zip'] } as const;

const onPath = (name: string) => spawnSync('which', [name], { stdio: 'ignore' }).status === 0;

export function missingBrowsers(): string[] {
  const envFor: Record<keyof typeof PACKAGES, string | undefined> = {
    chromium: process.env.RUMSCOPE_CHROMIUM,
    'firefox-esr': process.env.RUMSCOPE_FIREFOX,
    zip: undefined,
  };
  return (Object.keys(PACKAGES) as (keyof typeof PACKAGES)[]).filter(
    (pkg) => !envFor[pkg] && !PACKAGES[pkg].some(onPath),
  );
}

export function ensureBrowsers(): void {
  const missing = missingBrowsers();
  if (!missing.length) return;
  const line = `apt-get install -y ${missing.join(' ')}`;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !onPath('apt-get')) {
    console.error(`Missing packages: ${missing.join(', ')}. Install them with:\n  sudo ${line}`);
    process.exit(1);
  }
  console.log(`Installing ${missing.join(', ')} with apt-get…`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

if (import.meta.url === `file://${process.argv[1]}`) ensureBrowsers();
