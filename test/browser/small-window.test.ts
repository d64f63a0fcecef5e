import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser';
import { startHeadlessCore, type HeadlessCoreProcess } from '../helpers/headless-core-process';
import { shootBothSchemes } from '../helpers/screenshots';
import { startStandInUpstream, type StandInUpstream } from '../helpers/stand-in-upstream';

let core: HeadlessCoreProcess;
let upstream: StandInUpstream;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [core, upstream, browser] = await Promise.all([startHeadlessCore(), startStandInUpstream(), launchChromium()]);
  const standIn = await core.call('upstreams:add', { name: 'Stand-in', baseUrl: upstream.baseUrl, apiKey: 'sk-upstream-key-wxyz' });
  await core.call('models:sync', { upstreamId: standIn.id });
  await core.call('subkeys:create', { name: 'alice', upstreamId: standIn.id, allowModels: ['gpt-4o-mini'] });
  const context = await browser.newContext({ viewport: { width: 800, height: 600 }, locale: 'en-US', colorScheme: 'light', reducedMotion: 'reduce' });
  page = await context.newPage();
  await page.goto(`${core.url}/admin/`);
  await page.locator('input[type=password]').fill(core.token);
  await page.locator('button[type=submit]').click();
  await page.getByRole('heading', { name: 'Sub-keys' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await upstream?.close();
  await core?.stop();
});

/** Every visible button or chip whose text is wider than its box. */
function clipped(): Promise<string[]> {
  return page.evaluate(() =>
    [...(globalThis as unknown as { document: { querySelectorAll(selector: string): Iterable<{ scrollWidth: number; clientWidth: number; textContent: string | null }> } }).document.querySelectorAll('main button, main button *, main .mantine-Badge-root, main .mantine-Badge-label')]
      .filter((element) => (element.textContent ?? '').trim() !== '' && element.clientWidth > 0 && element.scrollWidth > element.clientWidth)
      .map((element) => `${element.textContent ?? ''}: ${element.scrollWidth} px in ${element.clientWidth} px`),
  );
}

describe('an 800×600 window', () => {
  it('collapses the sidebar to named icons and clips no button or chip on any screen', async () => {
    const navbar = page.locator('.mantine-AppShell-navbar');
    expect((await navbar.boundingBox())!.width).toBeLessThan(100);
    for (const [index, name] of ['Sub-keys', 'Upstreams', 'Models', 'Usage', 'Proxy'].entries()) {
      const button = page.getByRole('navigation').getByRole('button', { name, exact: true });
      expect(await button.textContent()).toBe('');
      await button.click();
      await page.getByRole('heading', { name, level: 1 }).waitFor();
      await expect.poll(clipped, { message: name, timeout: 3000 }).toEqual([]);
      if (index === 0) await shootBothSchemes(page, '40-subkeys-800x600');
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await expect.poll(async () => (await navbar.boundingBox())!.width).toBeGreaterThan(200);
    expect(await page.getByRole('navigation').getByRole('button', { name: /Upstreams/ }).textContent()).toContain('Upstreams');
  });
});
