import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import type { Budget, IssuedSubkey, RateLimits } from '../../electron/shared/types';
import { ModalHost } from '../../renderer/src/components/layout/modal-host';
import { BudgetPicker } from '../../renderer/src/components/subkeys/budget-picker';
import { patchOf } from '../../renderer/src/components/subkeys/subkey-edit-modal';
import { SubkeysPage } from '../../renderer/src/components/subkeys/subkeys-page';
import { createKeygateStore, loadAll } from '../../renderer/src/store/store';
import { fakeApi, subkey, upstream } from './fake-api';
import { renderUi } from './render-ui';

const NONE: RateLimits = { requestsPerMinute: null, tokensPerMinute: null, maxConcurrent: null };

async function issueDialog() {
  const fake = fakeApi({
    'subkeys:create': async (input) => ({ subkey: subkey({ name: input.name }), secret: 'sk-kg-0123456789abcdefghijABCDEFGHIJ0123456789' }) as IssuedSubkey,
  });
  fake.data.upstreams = [upstream()];
  const store = createKeygateStore(fake.api);
  await loadAll(store);
  store.getState().openModal({ kind: 'subkey-issue' });
  await renderUi(<ModalHost />, store);
  return fake;
}

function createInput(fake: ReturnType<typeof fakeApi>) {
  return fake.calls.find((call) => call.channel === 'subkeys:create')?.input as { budgets: Budget[]; rateLimits: RateLimits } | undefined;
}

// Typing into Mantine's inputs re-renders the whole dialog per key: slow under happy-dom on a busy machine.
describe('the budget and rate-limit pickers in the issue form', { timeout: 30_000 }, () => {
  it('issues a key with a preset budget, a typed one and rate limits', async () => {
    const fake = await issueDialog();
    await userEvent.type(screen.getByLabelText('Name'), 'ci-bot');
    await userEvent.click(screen.getByRole('button', { name: '$5.00 a month' }));
    await userEvent.click(screen.getByRole('button', { name: '1,000 requests a day' }));
    // A preset for a metric and window already there sets its limit instead of adding a second budget.
    const limit = screen.getByLabelText('Budget 2: limit');
    await userEvent.clear(limit);
    await userEvent.type(limit, '250');
    await userEvent.type(screen.getByLabelText('Requests per minute'), '60');
    await userEvent.type(screen.getByLabelText('Requests at once'), '2');
    await userEvent.click(screen.getByRole('button', { name: 'Issue' }));
    await waitFor(() => expect(createInput(fake)).toBeDefined());
    expect(createInput(fake)).toMatchObject({
      budgets: [
        { metric: 'usd', limit: 5, window: 'month' },
        { metric: 'requests', limit: 250, window: 'day' },
      ],
      rateLimits: { requestsPerMinute: 60, tokensPerMinute: null, maxConcurrent: 2 },
    });
  });

  it('shows field errors under the budget and the limit they name, and issues nothing', async () => {
    const fake = await issueDialog();
    await userEvent.type(screen.getByLabelText('Name'), 'ci-bot');
    await userEvent.click(screen.getByRole('button', { name: '1,000 requests a day' }));
    const limit = screen.getByLabelText('Budget 1: limit');
    await userEvent.clear(limit);
    await userEvent.type(limit, '1.5');
    await userEvent.type(screen.getByLabelText('Requests per minute'), '0');
    await userEvent.click(screen.getByRole('button', { name: 'Issue' }));
    expect((await screen.findByTestId('budget-error-0')).textContent).toBe('Limit must be a whole number');
    expect(screen.getByText('Requests per minute must be at least 1')).toBeTruthy();
    expect(screen.getByLabelText('Requests per minute').getAttribute('aria-invalid')).toBe('true');
    expect(fake.channelsCalled()).not.toContain('subkeys:create');
  });
});

describe('BudgetPicker', { timeout: 30_000 }, () => {
  it('flags a second budget for the same metric and window on its row', async () => {
    function Harness() {
      const [value, setValue] = useState<Budget[]>([
        { metric: 'usd', limit: 5, window: 'month' },
        { metric: 'usd', limit: 9, window: 'day' },
      ]);
      return <BudgetPicker value={value} onChange={setValue} errors={{}} />;
    }
    await renderUi(<Harness />);
    expect(screen.queryByTestId('budget-error-1')).toBeNull();
    await userEvent.click(screen.getAllByLabelText('Budget 2: window').find((element) => element.tagName === 'INPUT')!);
    await userEvent.click(await screen.findByRole('option', { name: 'a month' }));
    expect(screen.getByTestId('budget-error-1').textContent).toBe('There is already a budget for this metric and window');
    await userEvent.click(screen.getByRole('button', { name: 'Remove budget 2' }));
    expect(screen.queryByTestId('budget-error-1')).toBeNull();
    expect(screen.getAllByLabelText(/Budget \d: limit/)).toHaveLength(1);
  });
});

describe('the edit form', { timeout: 30_000 }, () => {
  it('sends budgets and rate limits only when they changed', () => {
    const key = subkey({ budgets: [{ metric: 'usd', limit: 5, window: 'month', spent: 1.25, resetsAt: '2027-01-01T00:00:00.000Z' }], rateLimits: { ...NONE, requestsPerMinute: 10 } });
    const values = { name: key.name, expiresAt: null, remainingRequests: null, allowModels: [], denyModels: [], permissions: key.permissions, budgets: [{ metric: 'usd' as const, limit: 5, window: 'month' as const }], rateLimits: key.rateLimits };
    expect(patchOf(key, values)).toEqual({ id: 'sk1' });
    expect(patchOf(key, { ...values, budgets: [] })).toEqual({ id: 'sk1', budgets: [] });
    expect(patchOf(key, { ...values, rateLimits: { ...NONE, maxConcurrent: 3 } })).toEqual({ id: 'sk1', rateLimits: { ...NONE, maxConcurrent: 3 } });
  });

  it('opens with the key\'s budgets and limits and saves a change to them', async () => {
    const key = subkey({ budgets: [{ metric: 'tokens', limit: 1000, window: 'day', spent: 10, resetsAt: '2027-01-01T00:00:00.000Z' }], rateLimits: { ...NONE, tokensPerMinute: 5000 } });
    const fake = fakeApi({ 'subkeys:update': async () => key });
    fake.data.upstreams = [upstream()];
    fake.data.subkeys = [key];
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    store.getState().openModal({ kind: 'subkey-edit', subkeyId: key.id });
    await renderUi(<ModalHost />, store);
    expect((screen.getByLabelText('Budget 1: limit') as HTMLInputElement).value).toBe('1,000');
    const tokens = screen.getByLabelText('Tokens per minute') as HTMLInputElement;
    expect(tokens.value).toBe('5,000');
    await userEvent.clear(tokens);
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(fake.channelsCalled()).toContain('subkeys:update'));
    expect(fake.calls.find((call) => call.channel === 'subkeys:update')?.input).toEqual({ id: 'sk1', rateLimits: NONE });
  });
});

describe('the key list', () => {
  const key = subkey({
    budgets: [
      { metric: 'usd', limit: 5, window: 'month', spent: 1.25, resetsAt: new Date(Date.now() + 3 * 86_400_000 + 60_000).toISOString() },
      { metric: 'requests', limit: 1000, window: 'total', spent: 900, resetsAt: null },
    ],
    rateLimits: { requestsPerMinute: 60, tokensPerMinute: 40_000, maxConcurrent: null },
  });

  async function listed() {
    const fake = fakeApi();
    fake.data.upstreams = [upstream()];
    fake.data.subkeys = [key];
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    await renderUi(<SubkeysPage />, store);
  }

  it('shows each budget as a bar with what is spent and when it resets, and the rate limits', async () => {
    await listed();
    const bars = screen.getAllByTestId('budget-bar');
    expect(bars.map((bar) => within(bar).getByTestId('budget-spent').textContent)).toEqual(['$1.25 of $5.00 a month', '900 of 1,000 requests in total']);
    expect(bars.map((bar) => within(bar).getByTestId('budget-reset').textContent)).toEqual(['resets in 3 days', 'never resets']);
    expect(within(bars[0]!).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25');
    expect(within(bars[1]!).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('90');
    expect(screen.getByTestId('rate-limits-summary').textContent).toBe('60 requests/min · 40,000 tokens/min');
  });

  it('says the same in Chinese', async () => {
    const { changeLanguage } = await import('../../renderer/src/i18n/i18n');
    await listed();
    await changeLanguage('zh');
    try {
      await waitFor(() => expect(screen.getAllByTestId('budget-spent')[0]!.textContent).toBe('每月已用 $1.25 / $5.00'));
      expect(screen.getAllByTestId('budget-spent')[1]!.textContent).toBe('总计已用 900 / 1,000 次请求');
      expect(screen.getAllByTestId('budget-reset').map((each) => each.textContent)).toEqual(['3 天内重置', '不重置']);
      expect(screen.getByTestId('rate-limits-summary').textContent).toBe('60 次请求/分钟 · 40,000 token/分钟');
    } finally {
      await changeLanguage('en');
    }
  });
});
