import { readFile } from 'node:fs/promises';
import OpenAI from 'openai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser';
import { startHeadlessCore, type HeadlessCoreProcess } from '../helpers/headless-core-process';
import { shootBothSchemes } from '../helpers/screenshots';
import { startStandInUpstream, type StandInUpstream } from '../helpers/stand-in-upstream';

let core: HeadlessCoreProcess;
let upstream: StandInUpstream;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [core, upstream, browser] = await Promise.all([startHeadlessCore(), startStandInUpstream(), launchChromium()]);
  await core.call('upstreams:add', { name: 'Stand-in', baseUrl: upstream.baseUrl, apiKey: 'sk-upstream-key-wxyz' });
  const upstreamId = (await core.call('upstreams:list', {}))[0]!.id;
  await core.call('models:sync', { upstreamId });
  for (const [name, count] of [
    ['alice-laptop', 3],
    ['ci-pipeline', 1],
  ] as const) {
    const issued = await core.call('subkeys:create', { name, upstreamId });
    const openai = new OpenAI({ baseURL: `${core.url}/v1`, apiKey: issued.secret, maxRetries: 0 });
    for (let call = 0; call < count; call++) await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
  }
});

/** Per-model rows of the Cost per model table: model, requests, tokens, cost. */
async function modelRows(page: Page): Promise<string[][]> {
  return page.getByTestId('cost-by-model').locator('tbody tr').evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent ?? '')));
}

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await upstream?.close();
  await core?.stop();
});

async function usagePage(locale: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale, colorScheme: 'light', acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${core.url}/admin/`);
  await page.locator('input[type=password]').fill(core.token);
  await page.locator('button[type=submit]').click();
  await page.getByRole('navigation').waitFor();
  await page.getByRole('navigation').getByRole('button', { name: locale.startsWith('zh') ? /用量/ : /Usage/ }).click();
  await page.getByTestId('cost-by-key').waitFor();
  return page;
}

describe('cost on the Usage screen', () => {
  it('shows what each request and each sub-key cost, charts cost per day, and exports the log as CSV', async () => {
    const page = await usagePage('en-US');
    // gpt-4o-mini: 11 input tokens at $0.15 and 7 output tokens at $0.60 per million.
    await expect.poll(() => page.locator('[data-usage-cost]').allTextContents()).toEqual(Array(4).fill('$0.00000585'));
    const keys = page.getByTestId('cost-by-key').locator('tbody tr');
    expect(await keys.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-cost-key')))).toEqual(['alice-laptop', 'ci-pipeline']);
    expect(await page.getByTestId('cost-total').textContent()).toBe('$0.0000234');
    // The same requests per model: all four on gpt-4o-mini.
    expect(await modelRows(page)).toEqual([['gpt-4o-mini', '4', '72', '$0.0000234']]);
    expect(await page.getByTestId('cost-by-model-total').textContent()).toBe('$0.0000234');

    await page.locator('label.mantine-SegmentedControl-label', { hasText: 'Cost' }).click();
    await expect.poll(() => page.getByRole('radio', { name: 'Cost' }).isChecked()).toBe(true);
    const chart = page.getByTestId('usage-chart');
    // Today's bar, stacked by sub-key, now in dollars: its tooltip says what each key cost.
    await chart.locator('.recharts-bar-rectangle path').last().hover();
    const tooltip = chart.locator('.recharts-tooltip-wrapper');
    await expect.poll(() => tooltip.textContent()).toContain('$0.0000176');
    expect(await tooltip.textContent()).toContain('$0.00000585');
    await shootBothSchemes(page, '30-usage-cost');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^keygate-usage-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.trimEnd().split(/\r?\n/);
    expect(lines).toHaveLength(1 + 4);
    expect(lines[0]).toContain('costUsd');
    await expect.poll(() => page.getByText('Saved 4 requests to').count()).toBe(1);
  });

  it('reads in Chinese', async () => {
    const page = await usagePage('zh-CN');
    expect(await page.getByRole('button', { name: '导出 CSV' }).count()).toBe(1);
    expect(await page.getByRole('radio', { name: '费用' }).count()).toBe(1);
    expect(await page.getByTestId('cost-by-key').getByText('合计').count()).toBe(1);
    // The request log's, the sub-key table's and the model table's.
    expect(await page.getByRole('columnheader', { name: '费用' }).count()).toBe(3);
    expect(await page.getByText('按模型统计费用，最近 14 天').count()).toBe(1);
    expect(await page.getByTestId('cost-by-model').getByRole('columnheader', { name: '模型' }).count()).toBe(1);
    await shootBothSchemes(page, '31-usage-cost-zh');
  });
});

describe('cost per model on the Usage screen', () => {
  it('lists each model dearest first, and requests that named no model as "(no model)"', async () => {
    const upstreamId = (await core.call('upstreams:list', {}))[0]!.id;
    const issued = await core.call('subkeys:create', { name: 'model-mix', upstreamId });
    const openai = new OpenAI({ baseURL: `${core.url}/v1`, apiKey: issued.secret, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    await openai.models.list();
    const page = await usagePage('en-US');
    await expect.poll(() => modelRows(page).then((rows) => rows.map((row) => row[0]))).toEqual(['gpt-4o', 'gpt-4o-mini', '(no model)']);
    // gpt-4o: 11 input tokens at $2.50 and 7 output tokens at $10 per million.
    expect((await modelRows(page))[0]).toEqual(['gpt-4o', '1', '18', '$0.0000975']);

    // Under the sub-key filter, only that key's models.
    await page.locator('input[aria-label="Sub-key"]').click();
    await page.getByRole('option', { name: 'model-mix' }).click();
    await expect.poll(() => modelRows(page).then((rows) => rows.map((row) => row[0]))).toEqual(['gpt-4o', '(no model)']);
    await shootBothSchemes(page, '32-usage-cost-per-model');
  });
});
