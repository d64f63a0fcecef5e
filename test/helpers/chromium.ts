import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

/** Flags that keep a headless Chromium quiet and self-contained on a machine with no outside network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function which(name: string): string | null {
  try {
    const found = execFileSync('which', [name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return found || null;
  } catch {
    return null;
  }
}

async function playwrightChromium(): Promise<string | null> {
  try {
    const { chromium } = await import('playwright-core');
    const path = chromium.executablePath();
    return path && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/** Finds a Chromium: $KEYGATE_CHROMIUM or $CHROME_PATH, then the system's, then one Playwright installed. */
export async function findChromium(): Promise<string | null> {
  for (const variable of ['KEYGATE_CHROMIUM', 'CHROME_PATH']) {
    const path = process.env[variable];
    if (path && existsSync(path)) return path;
  }
  for (const name of SYSTEM_NAMES) {
    const path = which(name);
    if (path) return path;
  }
  return playwrightChromium();
}
