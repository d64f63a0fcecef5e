import { resolve } from 'node:path';
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSignedInPage } from '../helpers/admin-sign-in';
import { startBrowserStack, stopBrowserStack } from '../helpers/browser-stack';
import type { HeadlessCoreProcess } from '../helpers/headless-core-process';
import type { PageWindow } from '../helpers/page-window';
import { SCREENSHOT_DIR, shootBothSchemes } from '../helpers/screenshots';
import type { StandInUpstream } from '../helpers/stand-in-upstream';

let core: HeadlessCoreProcess;
let upstream: StandInUpstream;
let browser: Browser;

beforeAll(async () => {
  ({ core, upstream, browser } = await startBrowserStack());
});

afterAll(() => stopBrowserStack({ core, upstream, browser }));

/** A signed-in page in a fresh context (its own sessionStorage) with the given browser locale. */
const signedInPage = (locale = 'en-US'): Promise<Page> => openSignedInPage(browser, core, { viewport: { width: 1280, height: 800 }, locale, colorScheme: 'light' });

describe('invalid input', () => {
  it('shows field errors as the user types, keeps the dialog open and stores no upstream', async () => {
    const page = await signedInPage();
    await page.getByRole('navigation').getByRole('button', { name: /Upstreams/ }).click();
    await page.getByRole('button', { name: 'Add upstream' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('');
    await dialog.getByLabel('Base URL').fill('ftp://example.com');
    await expect.poll(() => dialog.getByText('Name is required').count()).toBe(1);
    await expect.poll(() => dialog.getByText('Enter an http:// or https:// URL without credentials').count()).toBe(1);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await shootBothSchemes(page, '11-upstream-form-errors');
    await expect.poll(() => dialog.getByText('API key is required').count()).toBe(1);
    expect(await dialog.getByLabel('Base URL').getAttribute('aria-invalid')).toBe('true');
    await shootBothSchemes(page, '11-upstream-form-errors');
    expect(await dialog.isVisible()).toBe(true);
    expect(await core.call('upstreams:list', {})).toEqual([]);
  });

  it('refuses a sub-key without a name and stores nothing', async () => {
    await core.call('upstreams:add', { name: 'Stand-in', baseUrl: upstream.baseUrl, apiKey: 'sk-upstream-key-wxyz' });
    await core.call('models:sync', { upstreamId: (await core.call('upstreams:list', {}))[0]!.id });
    const page = await signedInPage();
    await page.getByRole('button', { name: 'Issue sub-key' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('x');
    await dialog.getByLabel('Name').fill('');
    await expect.poll(() => dialog.getByText('Name is required').count()).toBe(1);
    await dialog.getByRole('button', { name: 'Issue', exact: true }).click();
    expect(await dialog.getByText('Name is required').count()).toBe(1);
    expect(await dialog.getByTestId('issued-secret').count()).toBe(0);
    expect(await core.call('subkeys:list', {})).toEqual([]);
  });
});

describe('a populated window', () => {
  it('lists sub-keys of every status, filters and sorts them', async () => {
    const upstreamId = (await core.call('upstreams:list', {}))[0]!.id;
    const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
    const issued = [
      await core.call('subkeys:create', { name: 'alice-laptop', upstreamId, expiresAt: inDays(30), remainingRequests: 1000, allowModels: ['gpt-4o*'] }),
      await core.call('subkeys:create', { name: 'ci-pipeline', upstreamId, expiresAt: inDays(7), remainingRequests: 100 }),
      await core.call('subkeys:create', { name: 'demo-booth', upstreamId, expiresAt: inDays(1), remainingRequests: 0 }),
      await core.call('subkeys:create', { name: 'intern-sandbox', upstreamId, expiresAt: null, remainingRequests: null, denyModels: ['dall-e-*', 'tts-1'] }),
      await core.call('subkeys:create', { name: 'old-prototype', upstreamId, expiresAt: inDays(90), remainingRequests: 10 }),
    ];
    await core.call('subkeys:update', { id: issued[4]!.subkey.id, enabled: false });
    for (const [index, count] of [[0, 3], [1, 5], [3, 2]] as const) {
      const openai = new OpenAI({ baseURL: `${core.url}/v1`, apiKey: issued[index]!.secret, maxRetries: 0 });
      for (let call = 0; call < count; call++) await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    }

    const page = await signedInPage();
    const rows = page.locator('tbody tr[data-subkey]');
    await expect.poll(() => rows.count()).toBe(5);
    const statusOf = (name: string) => page.locator(`tr[data-subkey="${name}"] [data-status]`).getAttribute('data-status');
    expect(await statusOf('demo-booth')).toBe('exhausted');
    expect(await statusOf('old-prototype')).toBe('disabled');
    expect(await statusOf('ci-pipeline')).toBe('active');
    await shootBothSchemes(page, '12-subkeys-overview');
    // The README's picture (docs/screenshots/subkeys.png is copied from this one).
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, 'readme-subkeys.png'), clip: { x: 0, y: 0, width: 1280, height: 440 } });

    await page.getByLabel('Filter by name or key').fill('ci-');
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByLabel('Filter by name or key').fill('');
    await page.locator('input[aria-label="Sort by"]').click();
    await page.getByRole('option', { name: 'Sort by: Remaining' }).click();
    await expect.poll(() => rows.first().getAttribute('data-subkey')).toBe('demo-booth');
    expect(await rows.last().getAttribute('data-subkey')).toBe('intern-sandbox');

    await page.getByRole('navigation').getByRole('button', { name: /Usage/ }).click();
    await expect.poll(() => page.locator('tr[data-usage-key]').count()).toBe(10);
    await shootBothSchemes(page, '13-usage-overview');
    await page.getByRole('navigation').getByRole('button', { name: /Models/ }).click();
    await shootBothSchemes(page, '14-models-overview');
  });

  it('toggles the proxy and explains why the address is fixed in headless mode', async () => {
    const page = await signedInPage();
    await page.getByRole('navigation').getByRole('button', { name: /Proxy/ }).click();
    expect(await page.getByTestId('proxy-url').textContent()).toBe(`${core.url}/v1`);
    expect(await page.getByLabel('Port').isDisabled()).toBe(true);
    await shootBothSchemes(page, '15-proxy');

    await page.getByRole('switch', { name: 'Proxy running' }).click({ force: true });
    await expect.poll(() => page.getByTestId('proxy-state').textContent()).toBe('Stopped');
    expect((await core.call('proxy:status', {})).running).toBe(false);
    await page.getByRole('switch', { name: 'Proxy running' }).click({ force: true });
    await expect.poll(() => page.getByTestId('proxy-state').textContent()).toBe('Running');
  });
});

describe('the keyboard', () => {
  it('switches screens with 1–5, opens the issue dialog with N, closes it with Escape, keeps Tab inside the dialog', async () => {
    const page = await signedInPage();
    await page.keyboard.press('2');
    await page.getByRole('heading', { name: 'Upstreams' }).waitFor();
    await page.keyboard.press('5');
    await page.getByRole('heading', { name: 'Proxy' }).waitFor();
    await page.keyboard.press('n');
    const dialog = page.getByRole('dialog', { name: 'Issue sub-key' });
    await dialog.waitFor();
    await expect.poll(() => dialog.getByLabel('Name').evaluate((input) => input === (input.ownerDocument as unknown as { activeElement: unknown }).activeElement)).toBe(true);
    await page.keyboard.press('2');
    expect(await page.getByRole('heading', { name: 'Sub-keys' }).count()).toBe(1);
    for (let press = 0; press < 25; press++) await page.keyboard.press('Tab');
    expect(await dialog.evaluate((root) => root.contains((root.ownerDocument as unknown as { activeElement: never }).activeElement))).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });
});

describe('Simplified Chinese', () => {
  it('follows a Chinese browser locale, from the sign-in screen on', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', colorScheme: 'light' });
    const page = await context.newPage();
    await page.goto(`${core.url}/admin/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('登录 Keygate');
    expect(await page.evaluate(() => (globalThis as unknown as PageWindow).document.documentElement.lang)).toBe('zh-CN');
    await page.getByLabel('管理令牌').fill(core.token);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('heading', { name: '子密钥' }).waitFor();
    for (const label of ['上游', '模型', '用量', '代理']) expect(await page.getByRole('navigation').getByRole('button', { name: new RegExp(label) }).count()).toBe(1);
    expect(await page.getByText('已用完').count()).toBeGreaterThan(0);
    await shootBothSchemes(page, '16-subkeys-zh');
    await page.getByRole('button', { name: '签发子密钥' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('1 天', { exact: true }).waitFor();
    await dialog.getByLabel('名称').fill('x');
    await dialog.getByLabel('名称').fill('');
    await expect.poll(() => dialog.getByText('请输入名称').count()).toBe(1);
    await shootBothSchemes(page, '17-issue-form-zh');
  });

  it('switches language from the menu and remembers it', async () => {
    const page = await signedInPage();
    await page.getByRole('button', { name: 'Language' }).click();
    await page.getByRole('menuitem', { name: '简体中文' }).click();
    await page.getByRole('heading', { name: '子密钥' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: '子密钥' }).waitFor();
  });
});
