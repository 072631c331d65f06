import { execFileSync } from 'node:child_process';

/** A browser executable from an environment variable or PATH; never a fixed folder. */
export function findBrowser(kind: 'chromium' | 'firefox'): string {
  const fromEnv = kind === 'chromium' ? process.env.RUMSCOPE_CHROMIUM : process.env.RUMSCOPE_FIREFOX;
  if (fromEnv) return fromEnv;
  const names = kind === 'chromium' ? ['chromium', 'chromium-browser', 'google-chrome'] : ['firefox-esr', 'firefox'];
  for (const name of names) {
    try {
      const path = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (path) return path;
    } catch {
      // try the next name
    }
  }
  const install = kind === 'chromium' ? 'apt-get install -y chromium' : 'apt-get install -y firefox-esr';
  throw new Error(`${kind} not found on PATH. Install it with: ${install} (or set ${kind === 'chromium' ? 'RUMSCOPE_CHROMIUM' : 'RUMSCOPE_FIREFOX'})`);
}
