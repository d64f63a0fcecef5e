import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { SubkeysPage } from '../../renderer/src/components/subkeys/subkeys-page';
import { createKeygateStore, loadAll } from '../../renderer/src/store/store';
import { fakeApi, subkey, upstream } from './fake-api';
import type { UsageEntry } from '../../electron/shared/types';
import { renderUi } from './render-ui';
import { suggestedPermissions } from '../../electron/shared/permissions';

function logEntry(id: number, overrides: Partial<UsageEntry> = {}): UsageEntry {
  return {
    id,
    subkeyId: 'b',
    subkeyName: 'bravo',
    subkeyDeleted: false,
    at: new Date(Date.now() - id * 60_000).toISOString(),
    method: 'POST',
    path: '/v1/chat/completions',
    model: 'gpt-4o-mini',
    status: 200,
    latencyMs: 12,
    promptTokens: 3,
    completionTokens: 4,
    totalTokens: 7,
    refusal: null,
    costUsd: null,
    cachedTokens: null,
    reasoningTokens: null,
    ...overrides,
  };
}

async function showList() {
  const fake = fakeApi();
  fake.data.upstreams = [upstream({ name: 'Main upstream' })];
  fake.data.subkeys = [
    subkey({ id: 'a', name: 'alpha' }),
    subkey({
      id: 'b',
      name: 'bravo',
      hint: 'sk-kg-…b4b4',
      remainingRequests: 41,
      allowModels: ['gpt-4o-mini', 'gpt-4.1*'],
      expiresAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      budgets: [{ metric: 'usd', limit: 5, window: 'month', spent: 1.25, resetsAt: new Date(Date.now() + 10 * 86_400_000).toISOString() }],
      rateLimits: { requestsPerMinute: 60, tokensPerMinute: null, maxConcurrent: 2 },
      permissions: { ...suggestedPermissions(), mintCredentials: true },
    }),
  ];
  fake.data.usage = [logEntry(1), logEntry(2, { model: 'gpt-4.1-nano', totalTokens: 100 }), logEntry(3), logEntry(4, { model: 'dall-e-3', status: 403, refusal: 'model_not_allowed', totalTokens: null })];
  const store = createKeygateStore(fake.api);
  await loadAll(store);
  await renderUi(<SubkeysPage />, store);
  return { fake, store };
}

describe("a sub-key's own page", { timeout: 20_000 }, () => {
  it('opens from the key\'s name in the list, with the focus on its title, and reads that key\'s usage only', async () => {
    const { fake, store } = await showList();
    await userEvent.click(screen.getByRole('button', { name: 'bravo' }));
    // The page loads with the chart library: the first time takes a while.
    const title = await screen.findByRole('heading', { level: 1, name: 'bravo' }, { timeout: 10_000 });
    await waitFor(() => expect(document.activeElement).toBe(title));
    expect(store.getState().subkeyPageId).toBe('b');
    await screen.findByTestId('subkey-models-used');
    expect(fake.calls.filter((call) => call.channel === 'usage:list').at(-1)!.input).toEqual({ subkeyId: 'b', limit: 1000 });
    expect(fake.calls.filter((call) => call.channel === 'usage:daily').at(-1)!.input).toEqual({ subkeyId: 'b', days: 14 });
  });

  it('says what the key may do, which models it used most, and its refusals by reason', async () => {
    await showList();
    await userEvent.click(screen.getByRole('button', { name: 'bravo' }));
    await screen.findByTestId('subkey-models-used', {}, { timeout: 10_000 });
    expect(screen.getByTestId('ability-expiry').textContent).toMatch(/Expires .* \(in 3 days\)/);
    expect(screen.getByTestId('ability-quota').textContent).toContain('41 requests left, then it stops');
    expect(screen.getByTestId('ability-models').textContent).toBe('ModelsOnly:gpt-4o-minigpt-4.1*');
    expect(screen.getByTestId('ability-budgets').textContent).toContain('$1.25 of $5.00 this month');
    expect(screen.getByTestId('ability-rate-limits').textContent).toBe('Rate limits60 requests/min · 2 at once');
    const permissions = screen.getByTestId('ability-permissions');
    expect(permissions.textContent).toContain('Restricted: chat, responses, embeddings');
    expect([...permissions.querySelectorAll('[data-group]')].map((item) => item.textContent)).toEqual(['Models: Read', 'Chat completions: Write', 'Responses: Write', 'Embeddings: Write']);
    expect(permissions.textContent).toContain('May mint credentials');
    const used = within(screen.getByTestId('subkey-models-used'))
      .getAllByRole('row')
      .slice(1)
      .map((row) => row.textContent);
    expect(used).toEqual(['gpt-4o-mini214', 'gpt-4.1-nano1100']);
    const refused = screen.getByTestId('subkey-refusals').querySelector('[data-reason="model_not_allowed"]')!;
    expect(refused.textContent).toContain('Model not allowed');
    expect(refused.textContent).toContain('1');
    expect(screen.getByTestId('subkey-base-url').textContent).toBe('http://127.0.0.1:8080/v1');
    expect(screen.getByText(/export OPENAI_API_KEY=YOUR_SUBKEY_SECRET/)).toBeTruthy();
  });

  it('says so when a key has no rate limit and may call every endpoint', async () => {
    await showList();
    await userEvent.click(screen.getByRole('button', { name: 'alpha' }));
    await screen.findByTestId('subkey-models-used', {}, { timeout: 10_000 });
    expect(screen.getByTestId('ability-rate-limits').textContent).toBe('Rate limitsNo rate limit');
    expect(screen.getByTestId('ability-permissions').textContent).toBe('PermissionsAll endpoints');
  });

  it('goes back to the list with its Back button, which gives the key\'s name the focus again', async () => {
    const { store } = await showList();
    await userEvent.click(screen.getByRole('button', { name: 'bravo' }));
    await screen.findByRole('heading', { level: 1, name: 'bravo' });
    await userEvent.click(screen.getByRole('button', { name: 'All sub-keys' }));
    expect(store.getState().subkeyPageId).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'bravo' })));
  });

  it('closes when another screen is chosen, and shows the list when its key was deleted', async () => {
    const { fake, store } = await showList();
    act(() => store.getState().openSubkeyPage('b'));
    await screen.findByRole('heading', { level: 1, name: 'bravo' });
    act(() => store.getState().setPage('usage'));
    expect(store.getState().subkeyPageId).toBeNull();
    act(() => store.getState().openSubkeyPage('b'));
    await screen.findByRole('heading', { level: 1, name: 'bravo' });
    fake.data.subkeys = fake.data.subkeys.filter((each) => each.id !== 'b');
    await act(() => store.getState().refreshSubkeys());
    expect(await screen.findByRole('heading', { level: 1, name: 'Sub-keys' })).toBeTruthy();
  });
});
