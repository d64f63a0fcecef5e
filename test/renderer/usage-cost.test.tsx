import { Notifications, notifications } from '@mantine/notifications';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { UsageDay } from '../../electron/shared/types';
import { createHttpClient } from '../../renderer/src/api/http-client';
import { csvRows } from '../../renderer/src/api/usage-download';
import { UsagePage } from '../../renderer/src/components/usage/usage-page';
import { formatCost } from '../../renderer/src/lib/format-cost';
import { createKeygateStore } from '../../renderer/src/store/store';
import { fakeApi, subkey, usageEntry } from './fake-api';
import { renderUi } from './render-ui';

const today = new Date().toISOString().slice(0, 10);

function day(overrides: Partial<UsageDay> & Pick<UsageDay, 'subkeyId'>): UsageDay {
  return { day: today, subkeyName: null, subkeyDeleted: false, requests: 0, interrupted: 0, refused: 0, totalTokens: 0, costUsd: 0, unpricedRequests: 0, ...overrides };
}

async function renderUsage(fake: ReturnType<typeof fakeApi>) {
  notifications.clean();
  fake.data.subkeys = [subkey({ id: 'sk1', name: 'ci-bot' }), subkey({ id: 'sk2', name: 'notebook' })];
  const store = createKeygateStore(fake.api);
  await Promise.all([store.getState().refreshUsage(), store.getState().refreshSubkeys(), store.getState().refreshProxy()]);
  await renderUi(
    <>
      <Notifications />
      <UsagePage />
    </>,
    store,
  );
  return store;
}

function withCosts(fake: ReturnType<typeof fakeApi>) {
  fake.data.daily = [
    day({ subkeyId: 'sk1', requests: 3, totalTokens: 1500, costUsd: 0.0042 }),
    day({ subkeyId: 'sk2', requests: 2, totalTokens: 90_000, costUsd: 1.25, unpricedRequests: 1 }),
    day({ subkeyId: 'sk1', day: '2020-01-01', requests: 1, totalTokens: 10, costUsd: 0.001 }),
    // Refusals only: no row of its own.
    day({ subkeyId: null, refused: 4 }),
  ];
  fake.data.usage = [
    usageEntry(3, { costUsd: 0.0000585, totalTokens: 18 }),
    usageEntry(2, { subkeyId: 'sk2', model: 'my-local-llama', costUsd: null }),
    usageEntry(1, { status: 429, refusal: 'budget_exceeded', costUsd: null }),
  ];
  fake.data.costByModel = [
    { model: 'gpt-4o', requests: 2, totalTokens: 90_000, costUsd: 1.25, unpricedRequests: 0 },
    { model: 'gpt-4o-mini', requests: 4, totalTokens: 1510, costUsd: 0.0052, unpricedRequests: 0 },
    { model: null, requests: 1, totalTokens: 0, costUsd: 0, unpricedRequests: 1 },
  ];
}

describe('the Usage screen: cost', () => {
  it('shows the cost per sub-key, dearest first, with the total and the requests left unpriced', async () => {
    const fake = fakeApi();
    withCosts(fake);
    await renderUsage(fake);
    const table = screen.getByTestId('cost-by-key');
    const rows = [...table.querySelectorAll('tbody tr')].map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent));
    expect(rows).toEqual([
      ['notebook', '2', '90,000', '$1.25'],
      ['ci-bot', '4', '1,510', '$0.0052'],
    ]);
    expect(screen.getByTestId('cost-total').textContent).toBe('$1.26');
    expect(screen.getByTestId('cost-unpriced').textContent).toBe('1 request without a price is not in the cost.');
  });

  it('shows the cost per model next to it, "(no model)" for requests that named none, under the sub-key filter', async () => {
    const fake = fakeApi();
    withCosts(fake);
    const store = await renderUsage(fake);
    const table = screen.getByTestId('cost-by-model');
    expect(within(table).getByRole('columnheader', { name: 'Model' })).toBeTruthy();
    const rows = [...table.querySelectorAll('tbody tr')].map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent));
    expect(rows).toEqual([
      ['gpt-4o', '2', '90,000', '$1.25'],
      ['gpt-4o-mini', '4', '1,510', '$0.0052'],
      ['(no model)', '1', '0', '$0.00'],
    ]);
    expect(screen.getByTestId('cost-by-model-total').textContent).toBe('$1.26');
    expect(screen.getByTestId('cost-by-model-unpriced').textContent).toBe('1 request without a price is not in the cost.');
    expect(screen.getByText('Cost per model, last 14 days')).toBeTruthy();

    fake.data.costByModel = [{ model: 'gpt-4o', requests: 2, totalTokens: 90_000, costUsd: 1.25, unpricedRequests: 0 }];
    await store.getState().setUsageSubkey('sk2');
    await waitFor(() => expect(screen.getByTestId('cost-by-model').querySelectorAll('tbody tr')).toHaveLength(1));
    expect(fake.calls.filter((call) => call.channel === 'usage:models').map((call) => call.input)).toEqual([{ days: 14 }, { days: 14, subkeyId: 'sk2' }]);
  });

  it('gives each request its cost, "no price" for an answered one without, and nothing for a refusal', async () => {
    const fake = fakeApi();
    withCosts(fake);
    await renderUsage(fake);
    const cells = [...screen.getByTestId('usage-table').querySelectorAll('[data-usage-cost]')].map((cell) => cell.textContent);
    expect(cells).toEqual(['$0.0000585', 'no price', '—']);
  });

  it('charts cost per day when asked, and keeps requests and tokens', async () => {
    const fake = fakeApi();
    withCosts(fake);
    await renderUsage(fake);
    const cost = screen.getByRole('radio', { name: 'Cost' });
    expect((cost as HTMLInputElement).checked).toBe(false);
    await userEvent.click(cost);
    await waitFor(() => expect((screen.getByRole('radio', { name: 'Cost' }) as HTMLInputElement).checked).toBe(true));
    expect(screen.getByRole('radio', { name: 'Tokens' })).toBeTruthy();
  });

  it('exports the log under the sub-key filter and says where it went; a cancelled dialog says nothing', async () => {
    let answer = { path: '/home/me/keygate-usage.csv' as string | null, rows: 1234 };
    const fake = fakeApi({ 'usage:export': async () => answer });
    withCosts(fake);
    const store = await renderUsage(fake);
    await store.getState().setUsageSubkey('sk2');
    await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    expect(await screen.findByText('Saved 1234 requests to /home/me/keygate-usage.csv', {}, { timeout: 5000 })).toBeTruthy();
    expect(fake.calls.filter((call) => call.channel === 'usage:export').map((call) => call.input)).toEqual([{ subkeyId: 'sk2' }]);
    notifications.clean();
    // The first toast leaves with a transition: gone before the second export, so what follows proves it adds none.
    await waitFor(() => expect(screen.queryByText(/Saved/)).toBeNull(), { timeout: 5000 });
    answer = { path: null, rows: 0 };
    await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(fake.calls.filter((call) => call.channel === 'usage:export')).toHaveLength(2), { timeout: 5000 });
    expect(screen.queryByText(/Saved/)).toBeNull();
  });

  it('reads in Chinese', async () => {
    const { changeLanguage } = await import('../../renderer/src/i18n/i18n');
    const fake = fakeApi();
    withCosts(fake);
    await renderUsage(fake);
    await changeLanguage('zh');
    try {
      expect(await screen.findByRole('button', { name: '导出 CSV' })).toBeTruthy();
      expect(screen.getByRole('radio', { name: '费用' })).toBeTruthy();
      const table = screen.getByTestId('cost-by-key');
      expect(within(table).getByText('合计')).toBeTruthy();
      expect(screen.getByText('按子密钥统计费用，最近 14 天')).toBeTruthy();
      expect(screen.getByText('按模型统计费用，最近 14 天')).toBeTruthy();
      expect(within(screen.getByTestId('cost-by-model')).getByText('（无模型）')).toBeTruthy();
      expect(within(screen.getByTestId('cost-by-model')).getByRole('columnheader', { name: '模型' })).toBeTruthy();
      expect(screen.getByTestId('cost-unpriced').textContent).toBe('1 个没有价格的请求未计入费用。');
      expect(within(screen.getByTestId('usage-table')).getByText('无价格')).toBeTruthy();
    } finally {
      await changeLanguage('en');
    }
  });
});

describe('cost figures', () => {
  it('never round a small cost to $0.00, and keep cents for dollars', () => {
    expect(formatCost(0.0000585, 'en')).toBe('$0.0000585');
    expect(formatCost(0.0042, 'en')).toBe('$0.0042');
    expect(formatCost(0, 'en')).toBe('$0.00');
    expect(formatCost(1234.5, 'en')).toBe('$1,234.50');
    expect(formatCost(0.5, 'zh')).toBe('US$0.50');
  });
});

describe('usage:export in a browser', () => {
  it('downloads the streamed CSV with the admin token and counts its rows', async () => {
    const csv = 'id,at,model\r\n2,2026-01-01,"a ""quoted""\nmodel"\r\n1,2026-01-01,gpt-4o\r\n';
    const fetch = vi.fn(async () => new Response(csv, { status: 200, headers: { 'content-type': 'text/csv' } }));
    const clicked: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    try {
      const client = createHttpClient({ token: 'T0KEN', fetch, origin: 'http://127.0.0.1:9' });
      const saved = await client.api['usage:export']({ subkeyId: 'sk2' });
      expect(fetch).toHaveBeenCalledWith('http://127.0.0.1:9/admin/api/usage/export?subkeyId=sk2', { headers: { authorization: 'Bearer T0KEN' } });
      expect(saved).toEqual({ path: `keygate-usage-${today}.csv`, rows: 2 });
      expect(clicked).toEqual([`keygate-usage-${today}.csv`]);
    } finally {
      click.mockRestore();
    }
    expect(csvRows('id,at\r\n')).toBe(0);
    expect(csvRows('id,at\r\n1,x')).toBe(1);
  });
});
