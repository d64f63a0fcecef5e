import OpenAI from 'openai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Subkey } from '../../electron/shared/types';
import { startBrowserStack, stopBrowserStack } from '../helpers/browser-stack';
import type { HeadlessCoreProcess } from '../helpers/headless-core-process';
import type { PageWindow } from '../helpers/page-window';
import { shootBothSchemes } from '../helpers/screenshots';
import { STAND_IN_MODELS, type StandInUpstream } from '../helpers/stand-in-upstream';

let core: HeadlessCoreProcess;
let upstream: StandInUpstream;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  ({ core, upstream, browser } = await startBrowserStack());
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: core.url });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await context?.close();
  await stopBrowserStack({ core, upstream, browser });
});

function nav(name: RegExp) {
  return page.getByRole('navigation').getByRole('button', { name });
}

function subkeyRow(name: string) {
  return page.locator(`tr[data-subkey="${name}"]`);
}

async function subkeyNamed(name: string): Promise<Subkey> {
  const found = (await core.call('subkeys:list', {})).find((subkey) => subkey.name === name);
  if (!found) throw new Error(`no sub-key named ${name}`);
  return found;
}

describe('a new user, in Chromium, against the real headless core', () => {
  it('signs in with the admin token', async () => {
    await page.goto(`${core.url}/admin/`);
    await shootBothSchemes(page, '01-login');
    await page.getByLabel('Admin token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByText('That token was not accepted.').count()).toBe(1);
    await page.getByLabel('Admin token').fill(core.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sub-keys' }).waitFor();
    await shootBothSchemes(page, '02-subkeys-empty');
  });

  it('adds an upstream pointing at the stand-in and tests the connection', async () => {
    await nav(/Upstreams/).click();
    await page.getByRole('button', { name: 'Add upstream' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Stand-in');
    await dialog.getByLabel('Base URL').fill(`${upstream.baseUrl}/v1`);
    await dialog.getByLabel('API key', { exact: true }).fill('sk-upstream-real-key-abcd');
    await shootBothSchemes(page, '03-upstream-form');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });

    const row = page.locator('tr[data-upstream="Stand-in"]');
    await expect.poll(() => row.textContent()).toContain(upstream.baseUrl);
    expect(await page.content()).not.toContain('sk-upstream-real-key-abcd');
    await row.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => row.getByTestId('connection-result').textContent()).toMatch(/Connected in \d+ ms · 7 models/);
    await shootBothSchemes(page, '04-upstreams');
  });

  it('syncs the upstream\'s models', async () => {
    await nav(/Models/).click();
    await page.getByRole('button', { name: 'Sync Stand-in' }).click();
    await expect.poll(() => page.getByTestId('model-count').textContent()).toBe('7 models');
    for (const model of STAND_IN_MODELS) expect(await page.getByRole('cell', { name: model, exact: true }).count()).toBe(1);
    await page.getByLabel('Search models').fill('4o');
    await expect.poll(() => page.getByRole('cell', { name: /gpt/ }).count()).toBe(2);
    await shootBothSchemes(page, '05-models');
    await page.getByLabel('Search models').fill('');
  });
});

describe('issuing and using a sub-key', () => {
  let secret = '';

  it('issues a sub-key limited to one model, 2 requests and 1 day, and shows its secret once', async () => {
    await nav(/Sub-keys/).click();
    await page.getByRole('button', { name: 'Issue sub-key' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('ci-bot');
    await dialog.getByRole('radiogroup', { name: 'Expires' }).getByText('1 day', { exact: true }).click();
    await dialog.getByRole('radiogroup', { name: 'Requests' }).getByText('Custom', { exact: true }).click();
    await dialog.getByLabel('Number of requests').fill('2');
    await dialog.getByRole('radiogroup', { name: 'Models' }).getByText('Only these', { exact: true }).click();
    await dialog.getByLabel('Models or patterns').fill('gpt-4o-mini');
    await dialog.getByLabel('Models or patterns').press('Enter');
    await expect.poll(() => dialog.getByText('1 of 7 synced models allowed').count()).toBe(1);
    const expectedExpiry = Date.now() + 86_400_000;
    await dialog.getByLabel('Name').click();
    await shootBothSchemes(page, '06-issue-form');
    await dialog.getByRole('button', { name: 'Issue', exact: true }).click();

    await dialog.getByTestId('issued-secret').waitFor();
    secret = (await dialog.getByTestId('issued-secret').textContent()) ?? '';
    expect(secret).toMatch(/^sk-kg-[A-Za-z0-9]{32,}$/);
    await dialog.getByRole('button', { name: 'Copy Secret' }).click();
    expect(await page.evaluate(() => (globalThis as unknown as PageWindow).navigator.clipboard.readText())).toBe(secret);
    expect(await dialog.textContent()).toContain(`OPENAI_BASE_URL=${core.url}/v1`);
    await shootBothSchemes(page, '07-secret-dialog');

    const stored = await subkeyNamed('ci-bot');
    expect(stored).toMatchObject({ remainingRequests: 2, allowModels: ['gpt-4o-mini'], denyModels: [], status: 'active' });
    expect(Math.abs(Date.parse(stored.expiresAt!) - expectedExpiry)).toBeLessThan(60_000);
  });

  it('forgets the secret once the dialog closes', async () => {
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(secret);
    expect(await page.evaluate(() => (globalThis as unknown as PageWindow).document.body.innerText)).not.toContain(secret);
    expect(await page.evaluate(() => {
      const window = globalThis as unknown as PageWindow;
      return JSON.stringify({ ...window.sessionStorage }) + JSON.stringify({ ...window.localStorage });
    })).not.toContain(secret);
  });

  it('counts a request through the proxy (openai SDK) in the list and in Usage', async () => {
    const openai = new OpenAI({ baseURL: `${core.url}/v1`, apiKey: secret, maxRetries: 0 });
    const reply = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    expect(reply.choices[0]?.message.content).toBe('Hello world');

    await expect.poll(() => subkeyRow('ci-bot').getByTestId('remaining').textContent()).toBe('1');
    await shootBothSchemes(page, '08-subkeys');

    await nav(/Usage/).click();
    const usageRow = page.locator('tr[data-usage-key="ci-bot"]');
    await expect.poll(() => usageRow.count()).toBe(1);
    expect(await usageRow.textContent()).toContain('/v1/chat/completions');
    expect(await usageRow.textContent()).toContain('gpt-4o-mini');
    expect(await usageRow.textContent()).toContain('200');
    expect(await usageRow.textContent()).toContain('18');
  });

  it('shows "exhausted" once the requests are spent, and refuses other models', async () => {
    const openai = new OpenAI({ baseURL: `${core.url}/v1`, apiKey: secret, maxRetries: 0 });
    await expect(openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] })).rejects.toMatchObject({ status: 403 });
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    await expect(openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })).rejects.toMatchObject({ status: 429 });

    await expect.poll(() => page.locator('tr[data-usage-key="ci-bot"]').count()).toBe(4);
    await page.getByTestId('usage-chart').waitFor();
    await shootBothSchemes(page, '09-usage');

    await nav(/Sub-keys/).click();
    await expect.poll(() => subkeyRow('ci-bot').locator('[data-status]').getAttribute('data-status')).toBe('exhausted');
    expect(await subkeyRow('ci-bot').textContent()).toContain('Exhausted');
    expect(await subkeyRow('ci-bot').getByTestId('remaining').textContent()).toBe('0');
  });

  it('adds requests by editing the sub-key, which makes it active again', async () => {
    await subkeyRow('ci-bot').getByRole('button', { name: 'Actions for ci-bot' }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: '+10', exact: true }).click();
    await shootBothSchemes(page, '10-edit-form');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });

    await expect.poll(() => subkeyRow('ci-bot').getByTestId('remaining').textContent()).toBe('10');
    expect(await subkeyRow('ci-bot').locator('[data-status]').getAttribute('data-status')).toBe('active');
    const stored = await subkeyNamed('ci-bot');
    expect(stored).toMatchObject({ remainingRequests: 10, status: 'active', allowModels: ['gpt-4o-mini'] });

    const openai = new OpenAI({ baseURL: `${core.url}/v1`, apiKey: secret, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    await expect.poll(() => subkeyRow('ci-bot').getByTestId('remaining').textContent()).toBe('9');
  });

  it('disables and enables, rotates (new secret shown once, old one dead) and deletes after confirmation', async () => {
    const chat = (apiKey: string) =>
      new OpenAI({ baseURL: `${core.url}/v1`, apiKey, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    const action = async (name: string) => {
      await subkeyRow('ci-bot').getByRole('button', { name: 'Actions for ci-bot' }).click();
      await page.getByRole('menuitem', { name }).click();
    };

    await action('Disable');
    await expect.poll(() => subkeyRow('ci-bot').locator('[data-status]').getAttribute('data-status')).toBe('disabled');
    await expect(chat(secret)).rejects.toMatchObject({ status: 401 });
    await action('Enable');
    await expect.poll(() => subkeyRow('ci-bot').locator('[data-status]').getAttribute('data-status')).toBe('active');

    await action('Rotate secret');
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Rotate' }).click();
    const rotated = (await dialog.getByTestId('issued-secret').textContent()) ?? '';
    expect(rotated).toMatch(/^sk-kg-/);
    expect(rotated).not.toBe(secret);
    await dialog.getByRole('button', { name: 'I have copied it' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(rotated);
    await expect(chat(secret)).rejects.toMatchObject({ status: 401 });
    await chat(rotated);

    await action('Delete');
    await shootBothSchemes(page, '18-delete-confirm');
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => subkeyRow('ci-bot').count()).toBe(0);
    expect((await core.call('subkeys:list', {})).map((subkey) => subkey.name)).not.toContain('ci-bot');
    await expect(chat(rotated)).rejects.toMatchObject({ status: 401 });
    expect(pageErrors).toEqual([]);
  });
});
