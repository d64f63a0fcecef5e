import type { Browser } from 'playwright-core';
import { launchChromium } from './browser';
import { startHeadlessCore, type HeadlessCoreProcess } from './headless-core-process';
import { startStandInUpstream, type StandInUpstream } from './stand-in-upstream';

/** What a browser test drives: the real headless core, a stand-in upstream for it to forward to, and Chromium. */
export interface BrowserStack {
  core: HeadlessCoreProcess;
  upstream: StandInUpstream;
  browser: Browser;
}

/** Starts the three side by side (each takes seconds on a loaded machine); every browser test file began so. */
export async function startBrowserStack(): Promise<BrowserStack> {
  const [core, upstream, browser] = await Promise.all([startHeadlessCore(), startStandInUpstream(), launchChromium()]);
  return { core, upstream, browser };
}

/**
 * Stops what started, browser first so no page holds a connection to the core as it stops. Any part may be missing:
 * afterAll still runs when beforeAll failed.
 */
export async function stopBrowserStack({ core, upstream, browser }: Partial<BrowserStack>): Promise<void> {
  await browser?.close();
  await upstream?.close();
  await core?.stop();
}
