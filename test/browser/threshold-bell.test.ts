import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSignedInPage } from '../helpers/admin-sign-in';
import { startBrowserStack, stopBrowserStack } from '../helpers/browser-stack';
import type { HeadlessCoreProcess } from '../helpers/headless-core-process';
import { shootBothSchemes } from '../helpers/screenshots';
import type { StandInUpstream } from '../helpers/stand-in-upstream';

let core: HeadlessCoreProcess;
let upstream: StandInUpstream;
let browser: Browser;
let upstreamId: string;

beforeAll(async () => {
  ({ core, upstream, browser } = await startBrowserStack());
  upstreamId = (await core.call('upstreams:add', { name: 'Stand-in', baseUrl: upstream.baseUrl, apiKey: 'sk-upstream-key-wxyz' })).id;
});

afterAll(() => stopBrowserStack({ core, upstream, browser }));

const signedInPage = (locale: string): Promise<Page> => openSignedInPage(browser, core, { viewport: { width: 1280, height: 900 }, locale, colorScheme: 'light' });

describe('the notifications bell in Chromium', () => {
  it('shows a badge once requests cross 80 % of a budget, and lists it in English and Chinese', async () => {
    const [english, chinese] = await Promise.all([signedInPage('en-US'), signedInPage('zh-CN')]);
    const issued = await core.call('subkeys:create', { name: 'bell-bot', upstreamId, budgets: [{ metric: 'requests', limit: 5, window: 'day' }] });
    const sdk = new OpenAI({ baseURL: `${core.url}/v1`, apiKey: issued.secret, maxRetries: 0 });
    const badge = (page: Page) => page.getByTestId('threshold-badge').locator('.mantine-Indicator-indicator');

    for (let i = 0; i < 3; i++) await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    // Three of five (60 %): nothing yet.
    await english.waitForTimeout(500);
    expect(await badge(english).count()).toBe(0);

    await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    await expect.poll(() => badge(english).textContent(), { timeout: 10_000 }).toBe('1');
    await expect.poll(() => badge(chinese).textContent(), { timeout: 10_000 }).toBe('1');
    expect(await english.getByTestId('threshold-bell').getAttribute('aria-label')).toBe('Notifications: 1 new');
    expect(await chinese.getByTestId('threshold-bell').getAttribute('aria-label')).toBe('通知：1 条新通知');

    await english.getByTestId('threshold-bell').click();
    const list = english.getByTestId('threshold-list');
    await expect.poll(() => list.textContent()).toContain('“bell-bot” used 80% of its budget: 4 of 5 requests a day');
    await expect.poll(() => badge(english).count()).toBe(0);

    await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    await expect.poll(() => badge(chinese).textContent(), { timeout: 10_000 }).toBe('2');
    await chinese.getByTestId('threshold-bell').click();
    const chineseList = chinese.getByTestId('threshold-list');
    await expect.poll(() => chineseList.textContent()).toContain('“bell-bot”的预算已用完：每天预算 5 次请求，已用 5');
    expect(await chineseList.textContent()).toContain('“bell-bot”已用掉预算的 80%');
    await shootBothSchemes(chinese, '41-threshold-bell-zh');
  });
});
