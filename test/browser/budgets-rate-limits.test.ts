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

beforeAll(async () => {
  ({ core, upstream, browser } = await startBrowserStack());
  await core.call('upstreams:add', { name: 'Stand-in', baseUrl: upstream.baseUrl, apiKey: 'sk-upstream-key-wxyz' });
});

afterAll(() => stopBrowserStack({ core, upstream, browser }));

const signedInPage = (locale: string): Promise<Page> => openSignedInPage(browser, core, { viewport: { width: 1280, height: 900 }, locale, colorScheme: 'light' });

/** What the window says, per language. */
const words = {
  en: {
    locale: 'en-US',
    issue: 'Issue sub-key',
    name: 'Name',
    preset: '1,000 requests a day',
    limit: 'Budget 1: limit',
    requestsPerMinute: 'Requests per minute',
    atOnce: 'Requests at once',
    submit: 'Issue',
    done: 'I have copied it',
    spent: (spent: number) => `${spent} of 5 requests a day`,
    // Local midnight is 22 hours or more away just after midnight: dayjs then says "in a day".
    resets: /^resets in (a day|\d+ hours|an hour|\d+ minutes|a minute|a few seconds)$/,
    rates: '100 requests/min · 2 at once',
  },
  zh: {
    locale: 'zh-CN',
    issue: '签发子密钥',
    name: '名称',
    preset: '每天 1,000 次请求',
    limit: '预算 1：上限',
    requestsPerMinute: '每分钟请求数',
    atOnce: '同时请求数',
    submit: '签发',
    done: '我已复制',
    spent: (spent: number) => `每天已用 ${spent} / 5 次请求`,
    resets: /^(1 天|\d+ 小时|\d+ 分钟|几秒)内重置$/,
    rates: '100 次请求/分钟 · 同时 2 个',
  },
};

describe.each(Object.entries(words))('budgets and rate limits through the window (%s)', (language, word) => {
  it('issues a key with a budget and rate limits through the form, and its bar moves as requests are made', async () => {
    const page = await signedInPage(word.locale);
    const keyName = `limited-${language}`;
    await page.getByRole('button', { name: word.issue }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(word.name, { exact: true }).fill(keyName);
    await dialog.getByRole('button', { name: word.preset }).click();
    await dialog.getByLabel(word.limit).fill('5');
    await dialog.getByLabel(word.requestsPerMinute).fill('100');
    await dialog.getByLabel(word.atOnce).fill('2');
    await dialog.getByTestId('budget-picker').scrollIntoViewIfNeeded();
    await shootBothSchemes(page, `31-budget-pickers-${language}`);
    await dialog.getByRole('button', { name: word.submit, exact: true }).click();
    await dialog.getByTestId('issued-secret').waitFor();
    const secret = (await dialog.getByTestId('issued-secret').textContent()) ?? '';
    await page.getByRole('button', { name: word.done }).click();
    await dialog.waitFor({ state: 'detached' });

    const stored = (await core.call('subkeys:list', {})).find((key) => key.name === keyName)!;
    expect(stored.budgets).toMatchObject([{ metric: 'requests', limit: 5, window: 'day', spent: 0 }]);
    expect(stored.rateLimits).toEqual({ requestsPerMinute: 100, tokensPerMinute: null, maxConcurrent: 2 });

    const row = page.locator(`tr[data-subkey="${keyName}"]`);
    const bar = row.getByTestId('budget-bar');
    await expect.poll(() => bar.getByTestId('budget-spent').textContent()).toBe(word.spent(0));
    expect(await bar.getByTestId('budget-reset').textContent()).toMatch(word.resets);
    expect(await row.getByTestId('rate-limits-summary').textContent()).toBe(word.rates);
    expect(await bar.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('0');

    const client = new OpenAI({ baseURL: `${core.url}/v1`, apiKey: secret, maxRetries: 0 });
    for (let call = 0; call < 2; call++) {
      const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
      expect(answer.response.headers.get('x-ratelimit-limit-requests')).toBe('100');
    }
    // The usage push refreshes the list: the bar moves without a reload.
    await expect.poll(() => bar.getByTestId('budget-spent').textContent()).toBe(word.spent(2));
    expect(await bar.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('40');
    await shootBothSchemes(page, `32-budget-bars-${language}`);
  });
});
