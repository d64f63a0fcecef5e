import OpenAI from 'openai';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Upstream } from '../../electron/shared/types';
import { signIn } from '../helpers/admin-sign-in';
import { startBrowserStack, stopBrowserStack } from '../helpers/browser-stack';
import type { HeadlessCoreProcess } from '../helpers/headless-core-process';
import { isFocused, tabUntilFocused } from '../helpers/keyboard-focus';
import { closedPort } from '../helpers/models-upstream';
import { shootBothSchemes } from '../helpers/screenshots';
import type { StandInUpstream } from '../helpers/stand-in-upstream';

let core: HeadlessCoreProcess;
let upstream: StandInUpstream;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let standIn: Upstream;
const pageErrors: string[] = [];

beforeAll(async () => {
  ({ core, upstream, browser } = await startBrowserStack());
  standIn = await core.call('upstreams:add', { name: 'Stand-in', baseUrl: upstream.baseUrl, apiKey: 'sk-upstream-key-wxyz' });
  await core.call('models:sync', { upstreamId: standIn.id });
  await core.call('upstreams:add', { name: 'Unreachable upstream with a long name', baseUrl: `http://127.0.0.1:${await closedPort()}`, apiKey: 'sk-upstream-key-abcd' });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light', reducedMotion: 'reduce' });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await signIn(page, core);
  await page.getByRole('heading', { name: 'Sub-keys' }).waitFor();
});

afterAll(async () => {
  await context?.close();
  await stopBrowserStack({ core, upstream, browser });
});

/** Whether the keyboard focus is inside the element. */
function holdsFocus(locator: Locator): Promise<boolean> {
  return locator.evaluate((root) => root.contains((root.ownerDocument as unknown as { activeElement: never }).activeElement));
}

/** Tabs to `target` as a keyboard user would (at most 25 presses unless told). */
const tabTo = (target: Locator, limit = 25): Promise<void> => tabUntilFocused(target, limit);

/**
 * Presses ArrowDown in an open menu until `item` has the focus. Each press is given a moment to land: the menu moves
 * focus after a render, and pressing again before it did would skip past the item.
 */
async function arrowTo(item: Locator, limit = 6): Promise<void> {
  await item.waitFor();
  for (let press = 0; press < limit; press++) {
    if (await focusLands(item)) return;
    await page.keyboard.press('ArrowDown');
  }
  expect(await isFocused(item)).toBe(true);
}

/** Whether `item` has or gets the focus within 300 ms. */
async function focusLands(item: Locator): Promise<boolean> {
  for (const deadline = Date.now() + 300; Date.now() < deadline; await page.waitForTimeout(25)) {
    if (await isFocused(item)) return true;
  }
  return isFocused(item);
}

/** The text of every visible button, with whether it is cut: its content is wider than its box. */
function clippedButtons(scope: Locator): Promise<string[]> {
  return scope.evaluate((root) =>
    [...(root as unknown as { querySelectorAll(selector: string): Iterable<{ scrollWidth: number; clientWidth: number; textContent: string | null }> }).querySelectorAll('button, button *')]
      .filter((element) => (element.textContent ?? '').trim() !== '' && element.clientWidth > 0 && element.scrollWidth > element.clientWidth)
      .map((element) => `${element.textContent ?? ''}: ${element.scrollWidth} px in ${element.clientWidth} px`),
  );
}

function nav(name: RegExp) {
  return page.getByRole('navigation').getByRole('button', { name });
}

describe('focus, with the keyboard only', () => {
  it('goes into the secret view when the secret is shown, and back to "Issue sub-key" when the dialog closes', async () => {
    const issue = page.getByRole('button', { name: 'Issue sub-key' }).first();
    await tabTo(issue);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Issue sub-key' });
    await expect.poll(() => isFocused(dialog.getByLabel('Name'))).toBe(true);
    await page.keyboard.type('keyboard-key');
    await page.keyboard.press('Enter');

    const secretView = page.getByTestId('secret-view');
    await secretView.waitFor();
    await expect.poll(() => holdsFocus(secretView)).toBe(true);
    expect(await isFocused(secretView.getByRole('button', { name: 'Copy Secret' }))).toBe(true);
    // Tab stays inside the dialog, and reaches its last button.
    await tabTo(secretView.getByRole('button', { name: 'I have copied it' }));
    expect(await holdsFocus(page.getByRole('dialog'))).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await expect.poll(() => isFocused(issue)).toBe(true);
  });

  it('returns to the row\'s menu button after a dialog opened from its menu closes (Escape, and after rotating)', async () => {
    const actions = page.getByRole('button', { name: 'Actions for keyboard-key' });
    await tabTo(actions, 40);
    await page.keyboard.press('Enter');
    const edit = page.getByRole('menuitem', { name: 'Edit' });
    await arrowTo(edit);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await expect.poll(() => holdsFocus(dialog)).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => isFocused(actions)).toBe(true);

    await page.keyboard.press('Enter');
    await arrowTo(page.getByRole('menuitem', { name: 'Rotate secret' }));
    await page.keyboard.press('Enter');
    await expect.poll(() => isFocused(dialog.getByRole('button', { name: 'Rotate' }))).toBe(true);
    await page.keyboard.press('Enter');
    const secretView = page.getByTestId('secret-view');
    await secretView.waitFor();
    await expect.poll(() => holdsFocus(secretView)).toBe(true);
    await tabTo(secretView.getByRole('button', { name: 'I have copied it' }));
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => isFocused(actions)).toBe(true);
  });

  it('returns to an upstream\'s Edit button after its dialog closes', async () => {
    await page.keyboard.press('2');
    const edit = page.getByRole('button', { name: 'Edit Stand-in' });
    await tabTo(edit, 40);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Edit upstream' });
    await expect.poll(() => holdsFocus(dialog)).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => isFocused(edit)).toBe(true);
  });
});

describe('layout', () => {
  it('keeps "Test connection" whole when a long failure shows, at 1280 and 800 px', async () => {
    await nav(/Upstreams/).click();
    const row = page.locator('tr[data-upstream="Unreachable upstream with a long name"]');
    await row.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => row.getByTestId('connection-result').textContent()).toMatch(/^Connection failed: Could not reach/);
    const good = page.locator('tr[data-upstream="Stand-in"]');
    await good.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => good.getByTestId('connection-result').textContent()).toMatch(/^Connected in/);
    for (const width of [1280, 800]) {
      await page.setViewportSize({ width, height: 800 });
      // Polled: the button's loading state fades out after the answer shows.
      await expect.poll(() => clippedButtons(page.locator('table')), { message: `at ${width} px`, timeout: 3000 }).toEqual([]);
    }
    await shootBothSchemes(page, '30-upstreams-test-results-800');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('shows the Language menu without its tooltip over it', async () => {
    const language = page.getByRole('button', { name: 'Language' });
    await language.hover();
    await page.getByRole('tooltip', { name: 'Language' }).waitFor();
    await language.click();
    const menu = page.getByRole('menu');
    await menu.waitFor();
    await expect.poll(() => page.getByRole('tooltip').count()).toBe(0);
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
  });

  it('labels the request chart\'s y-axis with whole numbers only, and counts refused requests in it', async () => {
    const issued = await core.call('subkeys:create', { name: 'chart-key', upstreamId: standIn.id, allowModels: ['gpt-4o-mini'] });
    const openai = new OpenAI({ baseURL: `${core.url}/v1`, apiKey: issued.secret, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    await expect(openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] })).rejects.toMatchObject({ status: 403 });
    await nav(/Usage/).click();
    const chart = page.getByTestId('usage-chart');
    await chart.waitFor();
    await expect.poll(() => chart.textContent()).toContain('Refused');
    const yTicks = chart.locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value');
    await expect.poll(() => yTicks.count(), { timeout: 5000 }).toBeGreaterThan(1);
    const ticks = await yTicks.allTextContents();
    expect(ticks.filter((tick) => !/^\d+$/.test(tick.trim()))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
