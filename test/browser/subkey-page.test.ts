import OpenAI from 'openai';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../helpers/admin-sign-in';
import { startBrowserStack, stopBrowserStack } from '../helpers/browser-stack';
import type { HeadlessCoreProcess } from '../helpers/headless-core-process';
import { isFocused, tabUntilFocused } from '../helpers/keyboard-focus';
import type { PageWindow } from '../helpers/page-window';
import { shootBothSchemes } from '../helpers/screenshots';
import type { StandInUpstream } from '../helpers/stand-in-upstream';

let core: HeadlessCoreProcess;
let upstream: StandInUpstream;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  ({ core, upstream, browser } = await startBrowserStack());
  const standIn = await core.call('upstreams:add', { name: 'Stand-in', baseUrl: upstream.baseUrl, apiKey: 'sk-upstream-key-wxyz' });
  await core.call('models:sync', { upstreamId: standIn.id });
  const alice = await core.call('subkeys:create', {
    name: 'alice',
    upstreamId: standIn.id,
    allowModels: ['gpt-4o-mini', 'text-embedding-3-small'],
    remainingRequests: 50,
    budgets: [{ metric: 'requests', limit: 100, window: 'day' }],
  });
  const bob = await core.call('subkeys:create', { name: 'bob', upstreamId: standIn.id });
  const client = (secret: string) => new OpenAI({ baseURL: `${core.url}/v1`, apiKey: secret, maxRetries: 0 });
  for (let each = 0; each < 3; each++) await client(alice.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
  await client(alice.secret).embeddings.create({ model: 'text-embedding-3-small', input: 'Hi' });
  for (const model of ['gpt-4o', 'dall-e-3']) await client(alice.secret).chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }] }).catch(() => undefined);
  // Another key's requests stay off alice's page.
  await client(bob.secret).chat.completions.create({ model: 'gpt-3.5-turbo', messages: [{ role: 'user', content: 'Hi' }] });

  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light', reducedMotion: 'reduce' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: core.url });
  page = await context.newPage();
  await signIn(page, core);
  await page.getByRole('heading', { name: 'Sub-keys', level: 1 }).waitFor();
});

afterAll(async () => {
  await context?.close();
  await stopBrowserStack({ core, upstream, browser });
});

/** Tabs to `target` as a keyboard user would (at most 30 presses unless told). */
const tabTo = (target: Locator, limit = 30): Promise<void> => tabUntilFocused(target, limit);

const rows = (scope: Locator) => scope.locator('tbody tr');

describe("a sub-key's page, walked to from the list", () => {
  it('sorts the list by a column both ways with the keyboard', async () => {
    const nameHeader = page.getByRole('columnheader', { name: /^Name/ });
    await tabTo(nameHeader.getByRole('button'));
    await page.keyboard.press('Enter');
    expect(await nameHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(await page.locator('tbody tr[data-subkey]').evaluateAll((each) => each.map((row) => row.getAttribute('data-subkey')))).toEqual(['alice', 'bob']);
    await page.keyboard.press('Enter');
    expect(await nameHeader.getAttribute('aria-sort')).toBe('descending');
    expect(await page.locator('tbody tr[data-subkey]').evaluateAll((each) => each.map((row) => row.getAttribute('data-subkey')))).toEqual(['bob', 'alice']);
  });

  it('opens from the key\'s name with the keyboard, with the focus on its title', async () => {
    const name = page.getByRole('button', { name: 'alice', exact: true });
    await tabTo(name);
    await page.keyboard.press('Enter');
    const title = page.getByRole('heading', { name: 'alice', level: 1 });
    await title.waitFor();
    await expect.poll(() => isFocused(title)).toBe(true);
    await page.getByTestId('subkey-models-used').waitFor();
    await shootBothSchemes(page, '60-subkey-page-top');
  });

  it('says what the key may do', async () => {
    expect(await page.getByTestId('ability-expiry').textContent()).toContain('Never expires');
    // 50 requests, 6 spent (refusals spend nothing).
    expect(await page.getByTestId('ability-quota').textContent()).toContain('46 requests left');
    expect(await page.getByTestId('ability-models').textContent()).toContain('gpt-4o-mini');
    expect(await page.getByTestId('ability-models').textContent()).toContain('text-embedding-3-small');
    expect(await page.getByTestId('ability-budgets').textContent()).toContain('4 of 100 requests today');
    expect(await page.getByTestId('ability-budgets').getByRole('progressbar').getAttribute('aria-valuenow')).toBe('4');
  });

  it('shows its usage as a chart and as its own log, the models it used most and its refusals by reason', async () => {
    await page.getByTestId('usage-chart').waitFor();
    const log = page.getByTestId('usage-table');
    expect(await rows(log).count()).toBe(6);
    expect(await log.textContent()).not.toContain('gpt-3.5-turbo');
    expect(await log.getByRole('columnheader').allTextContents()).not.toContain('Sub-key');
    // Model, requests, tokens: 3 chats of 18 tokens, 1 embedding of 4; the refused models are not among them.
    const used = await rows(page.getByTestId('subkey-models-used')).evaluateAll((each) => each.map((row) => [...row.children].map((cell) => cell.textContent)));
    expect(used).toEqual([
      ['gpt-4o-mini', '3', '54'],
      ['text-embedding-3-small', '1', '4'],
    ]);
    const refused = page.getByTestId('subkey-refusals').locator('[data-reason="model_not_allowed"]');
    expect(await refused.textContent()).toContain('Model not allowed');
    expect(await refused.locator('td').nth(1).textContent()).toBe('2');
  });

  it('offers the base URL to copy and the snippets, with a placeholder where the secret goes', async () => {
    expect(await page.getByTestId('subkey-base-url').textContent()).toBe(`${core.url}/v1`);
    await page.getByRole('button', { name: 'Copy Base URL' }).click();
    expect(await page.evaluate(() => (globalThis as unknown as PageWindow).navigator.clipboard.readText())).toBe(`${core.url}/v1`);
    expect(await page.getByRole('tabpanel').textContent()).toContain('export OPENAI_API_KEY=YOUR_SUBKEY_SECRET');
    await page.getByRole('tab', { name: 'curl' }).click();
    // The same chooser as the secret dialog: a chat model the key may use.
    expect(await page.getByRole('tabpanel').textContent()).toContain('"model": "gpt-4o-mini"');
    await shootBothSchemes(page, '61-subkey-page-connect');
  });

  it('goes back to the list with Back, the focus on the key\'s name again', async () => {
    await page.getByRole('button', { name: 'All sub-keys' }).click();
    await page.getByRole('heading', { name: 'Sub-keys', level: 1 }).waitFor();
    await expect.poll(() => isFocused(page.getByRole('button', { name: 'alice', exact: true }))).toBe(true);
  });
});
