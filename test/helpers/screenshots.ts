import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import type { PageWindow } from './page-window';

/** The git-ignored folder the browser tests write screenshots into. */
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../.artifacts/screenshots');

/** Screenshots the page in the light and the dark colour scheme (as the OS would set it): `<name>-light.png`, `<name>-dark.png`. */
export async function shootBothSchemes(page: Page, name: string): Promise<string[]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const files: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    await page.waitForFunction(
      (scheme) => (globalThis as unknown as PageWindow).document.documentElement.getAttribute('data-mantine-color-scheme') === scheme,
      colorScheme,
    );
    const file = resolve(SCREENSHOT_DIR, `${name}-${colorScheme}.png`);
    await page.screenshot({ path: file, animations: 'disabled' });
    files.push(file);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return files;
}
