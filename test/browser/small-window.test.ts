import OpenAI from 'openai';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signIn } from '../helpers/admin-sign-in';
import { waitUntilSettled } from '../helpers/axe';
import { startBrowserStack, stopBrowserStack } from '../helpers/browser-stack';
import type { HeadlessCoreProcess } from '../helpers/headless-core-process';
import { shootBothSchemes } from '../helpers/screenshots';
import type { StandInUpstream } from '../helpers/stand-in-upstream';

let core: HeadlessCoreProcess;
let upstream: StandInUpstream;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  ({ core, upstream, browser } = await startBrowserStack());
  const standIn = await core.call('upstreams:add', { name: 'Stand-in', baseUrl: upstream.baseUrl, apiKey: 'sk-upstream-key-wxyz' });
  await core.call('upstreams:add', { name: 'Second upstream with a long name', baseUrl: 'http://127.0.0.1:9', apiKey: 'sk-upstream-key-abcd' });
  await core.call('models:sync', { upstreamId: standIn.id });
  // Lists as a real user's: long names and policies, every status chip, and a log with refusals and tokens.
  const alice = await core.call('subkeys:create', { name: 'alice', upstreamId: standIn.id, allowModels: ['gpt-4o-mini'] });
  await core.call('subkeys:create', {
    name: 'Marketing team — nightly batch summariser',
    upstreamId: standIn.id,
    denyModels: ['dall-e-3', 'whisper-1', 'tts-1', 'gpt-4o'],
    remainingRequests: 123_456,
    expiresAt: new Date(Date.now() + 40 * 86_400_000).toISOString(),
  });
  const spent = await core.call('subkeys:create', { name: 'spent', upstreamId: standIn.id, remainingRequests: 1 });
  const off = await core.call('subkeys:create', { name: 'switched off', upstreamId: standIn.id });
  await core.call('subkeys:update', { id: off.subkey.id, enabled: false });
  const client = (secret: string) => new OpenAI({ baseURL: `${core.url}/v1`, apiKey: secret, maxRetries: 0 });
  await client(spent.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
  for (let each = 0; each < 3; each++) await client(alice.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
  await client(alice.secret).embeddings.create({ model: 'text-embedding-3-small', input: 'Hi' }).catch(() => undefined);
  await client('sk-kg-not-a-key').models.list().catch(() => undefined);
  const context = await browser.newContext({ viewport: { width: 800, height: 600 }, locale: 'en-US', colorScheme: 'light', reducedMotion: 'reduce' });
  page = await context.newPage();
  await signIn(page, core);
  await page.getByRole('heading', { name: 'Sub-keys' }).waitFor();
});

// Each test starts on a fresh page, so one that fails with a dialog open does not fail the next.
beforeEach(async () => {
  await page.reload();
  await page.getByRole('heading', { level: 1 }).waitFor();
});

afterAll(() => stopBrowserStack({ core, upstream, browser }));

interface Box {
  scrollWidth: number;
  clientWidth: number;
  textContent: string | null;
  tagName: string;
  parentElement: Box | null;
  getBoundingClientRect(): { left: number; right: number; top: number; bottom: number; width: number };
  querySelectorAll(selector: string): Iterable<Box>;
}

/**
 * Every visible button, chip or tab under `scope` whose text is wider than its box. Both widths are whole pixels,
 * scrollWidth rounded up and clientWidth down, so a box 0.02 px wider than its text can read 1 px short: more is cut.
 */
function clipped(scope: Locator): Promise<string[]> {
  return scope.evaluate((root) =>
    [...(root as unknown as Box).querySelectorAll('button, button *, [role=tab], [role=tab] *, .mantine-Badge-root, .mantine-Badge-label')]
      .filter((element) => (element.textContent ?? '').trim() !== '' && element.clientWidth > 0 && element.scrollWidth > element.clientWidth + 1)
      .map((element) => `${element.textContent ?? ''}: ${element.scrollWidth} px in ${element.clientWidth} px`),
  );
}

/**
 * Every table under `scope` that is wider than a box it sits in (so that box scrolls sideways or cuts it off), and
 * the page itself when it scrolls sideways.
 */
function scrollingTables(scope: Locator): Promise<string[]> {
  return scope.evaluate((root) => {
    const found: string[] = [];
    for (const table of (root as unknown as Box).querySelectorAll('table')) {
      if (table.clientWidth === 0) continue;
      for (let box: Box | null = table; box && box !== (root as unknown as Box).parentElement; box = box.parentElement) {
        if (box.scrollWidth > box.clientWidth + 1) {
          found.push(`${(table.textContent ?? '').slice(0, 30)}…: ${box.scrollWidth} px in a ${box.tagName} of ${box.clientWidth} px`);
          break;
        }
      }
    }
    const page = (globalThis as unknown as { document: { documentElement: Box } }).document.documentElement;
    if (page.scrollWidth > page.clientWidth) found.push(`the page: ${page.scrollWidth} px in ${page.clientWidth} px`);
    return found;
  });
}

const screens = ['Sub-keys', 'Upstreams', 'Models', 'Usage', 'Proxy'] as const;

/** Opens a screen from the sidebar and waits for its title. */
async function openScreen(name: string): Promise<void> {
  await page.getByRole('navigation').getByRole('button', { name: new RegExp(`^${name}`) }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  if (name === 'Usage') await page.getByTestId('usage-table').waitFor();
  // The pointer leaves the sidebar, so its tooltip does not cover the screenshot.
  await page.mouse.move(page.viewportSize()!.width - 2, 2);
  await waitUntilSettled(page.locator('main'));
}

describe.each([
  { width: 800, height: 600 },
  { width: 1280, height: 800 },
])('a $width×$height window', ({ width, height }) => {
  it('clips no button or chip and scrolls no table sideways, on any screen and a key\'s page', async () => {
    await page.setViewportSize({ width, height });
    const main = page.locator('main');
    for (const name of screens) {
      await openScreen(name);
      await shootBothSchemes(page, `50-${name.toLowerCase()}-${width}x${height}`);
      // Soft: one run reports every screen.
      expect.soft(await clipped(main), `${name}: clipped`).toEqual([]);
      expect.soft(await scrollingTables(main), `${name}: tables`).toEqual([]);
    }
    await openScreen('Sub-keys');
    await page.getByRole('button', { name: 'alice', exact: true }).click();
    await page.getByTestId('subkey-models-used').waitFor();
    await page.mouse.move(width - 2, 2);
    await waitUntilSettled(main);
    await shootBothSchemes(page, `50-subkey-page-${width}x${height}`);
    expect.soft(await clipped(main), 'key page: clipped').toEqual([]);
    expect.soft(await scrollingTables(main), 'key page: tables').toEqual([]);
  });

  it('keeps the filter box usable and the header button whole on the sub-key list', async () => {
    await page.setViewportSize({ width, height });
    await openScreen('Sub-keys');
    const filter = page.getByRole('textbox', { name: 'Filter by name or key' });
    expect((await filter.boundingBox())!.width).toBeGreaterThanOrEqual(180);
    for (const chip of ['Active', 'Disabled', 'Exhausted']) expect(await page.locator('main').getByText(chip, { exact: true }).first().isVisible()).toBe(true);
  });

  it('keeps the issue dialog\'s submit button in view with every field open, and clips nothing in it', async () => {
    await page.setViewportSize({ width, height });
    await openScreen('Sub-keys');
    await page.getByRole('button', { name: 'Issue sub-key' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    // The tallest form: a custom expiry, a custom quota and a model list.
    await dialog.getByRole('radiogroup', { name: 'Expires' }).getByText('Custom', { exact: true }).click();
    await dialog.getByRole('radiogroup', { name: 'Requests' }).getByText('Custom', { exact: true }).click();
    await dialog.getByRole('radiogroup', { name: 'Models' }).getByText('Only these', { exact: true }).click();
    const submit = dialog.getByRole('button', { name: 'Issue', exact: true });
    await shootBothSchemes(page, `51-issue-dialog-${width}x${height}`);
    const box = (await submit.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(height);
    expect(await clipped(dialog)).toEqual([]);
    expect(await scrollingTables(dialog)).toEqual([]);
  });
});

describe('an 800×600 window', () => {
  it('collapses the sidebar to named icons, and widens it again at 1280 px', async () => {
    await page.setViewportSize({ width: 800, height: 600 });
    const navbar = page.locator('.mantine-AppShell-navbar');
    await expect.poll(async () => (await navbar.boundingBox())!.width).toBeLessThan(100);
    for (const name of screens) {
      const button = page.getByRole('navigation').getByRole('button', { name, exact: true });
      expect(await button.textContent()).toBe('');
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await expect.poll(async () => (await navbar.boundingBox())!.width).toBeGreaterThan(200);
    expect(await page.getByRole('navigation').getByRole('button', { name: /Upstreams/ }).textContent()).toContain('Upstreams');
  });
});
