import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Subkey } from '../../electron/shared/types';
import { en } from '../../renderer/src/i18n/en';
import { openSignedInPage } from '../helpers/admin-sign-in';
import { startBrowserStack, stopBrowserStack } from '../helpers/browser-stack';
import type { HeadlessCoreProcess } from '../helpers/headless-core-process';
import { shootBothSchemes } from '../helpers/screenshots';
import type { StandInUpstream } from '../helpers/stand-in-upstream';

let core: HeadlessCoreProcess;
let upstream: StandInUpstream;
let browser: Browser;

beforeAll(async () => {
  ({ core, upstream, browser } = await startBrowserStack());
  await core.call('upstreams:add', { name: 'Stand-in', baseUrl: upstream.baseUrl, apiKey: 'sk-upstream-key-wxyz' });
});

afterAll(() => stopBrowserStack({ core, upstream, browser }));

const signedInPage = (locale = 'en-US'): Promise<Page> => openSignedInPage(browser, core, { viewport: { width: 1280, height: 900 }, locale, colorScheme: 'light' });

const subkeyNamed = async (name: string): Promise<Subkey> => ((await core.call('subkeys:list', {})) as Subkey[]).find((subkey) => subkey.name === name)!;

describe('the permissions picker in Chromium', () => {
  it('issues a restricted key with the groups picked, summarises it in the list, and the proxy holds it to them', async () => {
    const page = await signedInPage();
    await page.getByRole('button', { name: 'Issue sub-key' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('picker-bot');
    const picker = dialog.getByTestId('permissions-picker');
    // OpenAI's restricted-key default: a row per group, models read; chat, responses and embeddings write.
    await expect.poll(() => picker.locator('[data-group]').count()).toBe(20);
    const checked = (group: string) => picker.locator(`[data-group="${group}"] input:checked`).getAttribute('value');
    expect([await checked('models'), await checked('chat_completions'), await checked('embeddings'), await checked('files')]).toEqual(['read', 'write', 'write', 'none']);
    await picker.locator('[data-group="files"]').getByText('Write', { exact: true }).click();
    await expect.poll(() => checked('files')).toBe('write');
    await picker.getByLabel(en.permissions.mintCredentials).check({ force: true });
    await expect.poll(() => picker.getByText(en.permissions.mintWarning).count()).toBe(1);
    await picker.getByLabel(en.permissions.mintCredentials).uncheck({ force: true });
    await shootBothSchemes(page, '30-permissions-picker');
    await dialog.getByRole('button', { name: 'Issue', exact: true }).click();
    await dialog.getByTestId('issued-secret').waitFor();
    const secret = ((await dialog.getByTestId('issued-secret').textContent()) ?? '').trim();
    await dialog.getByRole('button', { name: 'I have copied it' }).click();
    await dialog.waitFor({ state: 'detached' });

    const issued = await subkeyNamed('picker-bot');
    expect(issued.permissions).toMatchObject({ mode: 'restricted', mintCredentials: false, shareProjectObjects: false });
    expect(issued.permissions.groups).toMatchObject({ models: 'read', chat_completions: 'write', responses: 'write', embeddings: 'write', files: 'write', images: 'none' });
    await expect.poll(() => page.locator('tr[data-subkey="picker-bot"] [data-testid="permissions-summary"]').textContent()).toBe('· Restricted: chat, responses, embeddings, files');

    const sdk = new OpenAI({ baseURL: `${core.url}/v1`, apiKey: secret, maxRetries: 0 });
    expect((await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })).object).toBe('chat.completion');
    await expect(sdk.images.generate({ model: 'gpt-image-1', prompt: 'a cat' })).rejects.toMatchObject({ status: 403, code: 'permission_denied' });
  });

  it('hides the rows outside restricted mode and saves a mode change from the edit form', async () => {
    const page = await signedInPage();
    await page.locator('tr[data-subkey="picker-bot"]').getByRole('button', { name: 'Actions for picker-bot' }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog');
    const picker = dialog.getByTestId('permissions-picker');
    await expect.poll(() => picker.locator('[data-group]').count()).toBe(20);
    await picker.getByText('All', { exact: true }).click();
    await expect.poll(() => picker.locator('[data-group]').count()).toBe(0);
    expect(await picker.getByText(en.permissions.modeHint.all).count()).toBe(1);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await subkeyNamed('picker-bot')).permissions.mode).toBe('all');
    await expect.poll(() => page.locator('tr[data-subkey="picker-bot"] [data-testid="permissions-summary"]').textContent()).toBe('· All endpoints');
  });

  it('speaks Chinese throughout in a Chinese browser', async () => {
    const page = await signedInPage('zh-CN');
    await page.getByRole('button', { name: '签发子密钥' }).first().click();
    const picker = page.getByRole('dialog').getByTestId('permissions-picker');
    await expect.poll(() => picker.locator('[data-group]').count()).toBe(20);
    await picker.getByLabel('允许签发凭据（实时客户端密钥、ChatKit 会话）').check({ force: true });
    await picker.getByLabel('可查看其他密钥的对象（文件、响应、对话记录等）').check({ force: true });
    const text = (await picker.textContent())!;
    // Every English string of the picker that a translation could replace (group names kept as product names aside).
    const english = [en.permissions.label, ...Object.values(en.permissions.modes), en.permissions.modeHint.restricted, ...Object.values(en.permissions.levels), en.permissions.mintWarning, en.permissions.shareWarning];
    for (const phrase of english) expect(text, phrase).not.toContain(phrase);
    for (const group of ['files', 'images', 'vector_stores', 'fine_tuning'] as const) expect(text).not.toContain(en.permissions.groups[group]);
    expect(text).toContain('受限');
    await shootBothSchemes(page, '31-permissions-picker-zh');
  });
});
