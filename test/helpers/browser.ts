import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from './chromium';

/** Launches the machine's Chromium headless; Playwright gives each launch a fresh, temporary profile. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = await findChromium();
  if (!executablePath) throw new Error('No Chromium found: install one or set KEYGATE_CHROMIUM (npm test explains how).');
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}
