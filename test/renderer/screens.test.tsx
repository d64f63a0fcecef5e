import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { AppLayout } from '../../renderer/src/components/layout/app-layout';
import { ProxyPage } from '../../renderer/src/components/proxy/proxy-page';
import { UpstreamsPage } from '../../renderer/src/components/upstreams/upstreams-page';
import { SubkeysPage } from '../../renderer/src/components/subkeys/subkeys-page';
import { UsagePage } from '../../renderer/src/components/usage/usage-page';
import { createKeygateStore, loadAll } from '../../renderer/src/store/store';
import { fakeApi, proxyStatus, subkey, upstream } from './fake-api';
import { renderUi } from './render-ui';

describe('the Upstreams screen', () => {
  it('warns, lastingly, when the OS keychain is weak', async () => {
    const fake = fakeApi({ 'app:info': async () => ({ version: '0.1.0', mode: 'desktop', secretStorage: 'weak', dataDir: '/x' }) });
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    await renderUi(<UpstreamsPage />, store);
    expect(screen.getByTestId('weak-keychain').textContent).toContain('Keys are stored with weak protection');
  });

  it('shows no warning with a real keychain, and says what to do when empty', async () => {
    const fake = fakeApi({ 'app:info': async () => ({ version: '0.1.0', mode: 'desktop', secretStorage: 'os-keychain', dataDir: '/x' }) });
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    await renderUi(<UpstreamsPage />, store);
    expect(screen.queryByTestId('weak-keychain')).toBeNull();
    expect(screen.getByTestId('empty-state').textContent).toContain('Add your OpenAI key');
  });

  it('lists only the key hint, never a key', async () => {
    const fake = fakeApi();
    fake.data.upstreams = [upstream({ keyHint: 'sk-…wxyz' })];
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    await renderUi(<UpstreamsPage />, store);
    expect(screen.getByText('sk-…wxyz')).toBeTruthy();
  });
});

describe('the Upstreams screen after a save', () => {
  it('clears the last connection test result of an upstream whose key was saved', { timeout: 20_000 }, async () => {
    const { ModalHost } = await import('../../renderer/src/components/layout/modal-host');
    const fake = fakeApi({
      'upstreams:test': async () => ({ ok: false, modelCount: null, latencyMs: 3, message: 'OpenAI answered 401 (the API key was refused).' }),
      'upstreams:update': async () => upstream({ keyHint: 'sk-…9876' }),
    });
    fake.data.upstreams = [upstream()];
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    await renderUi(
      <>
        <UpstreamsPage />
        <ModalHost />
      </>,
      store,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect((await screen.findByTestId('connection-result')).textContent).toContain('401');

    await userEvent.click(screen.getByRole('button', { name: 'Edit OpenAI' }));
    await userEvent.click(await screen.findByLabelText('API key'));
    await userEvent.paste('sk-new-key-9876');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(store.getState().modal.kind).toBe('none'));
    expect(screen.queryByTestId('connection-result')).toBeNull();
  });
});

describe('the Language and Theme buttons', () => {
  it('hide their tooltip while their menu is open, so it cannot cover the menu', async () => {
    const { Preferences } = await import('../../renderer/src/components/layout/preferences');
    await renderUi(<Preferences />);
    for (const [button, item] of [
      ['Language', '简体中文'],
      ['Theme', 'Dark'],
    ] as const) {
      const target = screen.getByRole('button', { name: button });
      await userEvent.hover(target);
      await waitFor(() => expect(screen.queryByRole('tooltip')).not.toBeNull());
      await userEvent.click(target);
      await screen.findByRole('menuitem', { name: item });
      expect(screen.queryByRole('tooltip')).toBeNull();
      await userEvent.keyboard('{Escape}');
      await userEvent.unhover(target);
      await waitFor(() => expect(screen.queryByRole('menuitem', { name: item })).toBeNull());
    }
  });
});

describe('messages from the core, in Chinese', () => {
  it('words a failed connection test from its reason, and again after switching the language', async () => {
    const { changeLanguage } = await import('../../renderer/src/i18n/i18n');
    const fake = fakeApi({
      'upstreams:test': async () => ({
        ok: false,
        modelCount: null,
        latencyMs: 3,
        message: 'Could not reach OpenAI at https://api.openai.com/v1/models: connection refused.',
        reason: 'upstream_unreachable',
        params: { name: 'OpenAI', url: 'https://api.openai.com/v1/models', cause: 'refused' },
      }),
    });
    fake.data.upstreams = [upstream()];
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    await renderUi(<UpstreamsPage />, store);
    await changeLanguage('zh');
    try {
      await userEvent.click(await screen.findByRole('button', { name: '测试连接' }));
      expect((await screen.findByTestId('connection-result')).textContent).toBe('连接失败：无法连接 OpenAI（https://api.openai.com/v1/models）：连接被拒绝。');
      await act(() => changeLanguage('en'));
      expect(screen.getByTestId('connection-result').textContent).toBe(
        'Connection failed: Could not reach OpenAI at https://api.openai.com/v1/models: connection refused.',
      );
    } finally {
      await changeLanguage('en');
    }
  });

  it('words a refused removal from its reason and count', async () => {
    const { changeLanguage } = await import('../../renderer/src/i18n/i18n');
    const { ApiError } = await import('../../renderer/src/api/api-error');
    const { ModalHost } = await import('../../renderer/src/components/layout/modal-host');
    const fake = fakeApi({
      'upstreams:remove': async () => {
        throw new ApiError({ code: 'CONFLICT', message: 'This upstream still has 4 sub-keys. Remove them first.', reason: 'upstream_has_subkeys', params: { count: 4 } });
      },
    });
    fake.data.upstreams = [upstream()];
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    store.getState().openModal({ kind: 'upstream-remove', upstreamId: 'up1' });
    await changeLanguage('zh');
    try {
      await renderUi(<ModalHost />, store);
      await userEvent.click(await screen.findByRole('button', { name: '移除' }));
      expect((await screen.findByRole('alert')).textContent).toBe('此上游仍有 4 个子密钥，请先删除。');
    } finally {
      await changeLanguage('en');
    }
  });
});

describe('the Sub-keys screen', () => {
  it('sends a user with no upstream to add one first', async () => {
    const store = createKeygateStore(fakeApi().api);
    await loadAll(store);
    await renderUi(<SubkeysPage />, store);
    expect(screen.getByTestId('empty-state').textContent).toContain('Add an upstream first');
    expect((screen.getByRole('button', { name: 'Issue sub-key' }) as HTMLButtonElement).disabled).toBe(true);
    await userEvent.click(screen.getByRole('button', { name: 'Add upstream' }));
    expect(store.getState().page).toBe('upstreams');
  });
});

describe('the Sub-keys screen, as the clock passes an expiry', () => {
  it('turns the chip to "Expired" and lists the key under the Expired filter, without a reload', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    try {
      const fake = fakeApi();
      fake.data.upstreams = [upstream()];
      fake.data.subkeys = [subkey({ name: 'short-lived', expiresAt: new Date(Date.now() + 10_000).toISOString(), status: 'active' })];
      const store = createKeygateStore(fake.api);
      await loadAll(store);
      store.getState().setSubkeyFilter({ status: 'expired' });
      await renderUi(<SubkeysPage />, store);
      expect(document.querySelector('tr[data-subkey="short-lived"]')).toBeNull();
      store.getState().setSubkeyFilter({ status: 'all' });
      await waitFor(() => expect(document.querySelector('tr[data-subkey="short-lived"] [data-status]')!.getAttribute('data-status')).toBe('active'));

      act(() => vi.advanceTimersByTime(31_000));
      expect(document.querySelector('tr[data-subkey="short-lived"] [data-status]')!.getAttribute('data-status')).toBe('expired');
      act(() => store.getState().setSubkeyFilter({ status: 'expired' }));
      expect(document.querySelector('tr[data-subkey="short-lived"]')).not.toBeNull();
      expect(fake.channelsCalled().filter((channel) => channel === 'subkeys:list')).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('the Usage screen\'s key filter', () => {
  it('searches the sub-keys as typed (not after "All sub-keys"), filters by the one picked, and clears back to all', async () => {
    const fake = fakeApi();
    fake.data.subkeys = [subkey({ id: 'a', name: 'alice-laptop' }), subkey({ id: 'b', name: 'ci-pipeline' })];
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    await renderUi(<UsagePage />, store);
    const filter = screen.getAllByLabelText('Sub-key').find((element) => element.tagName === 'INPUT') as HTMLInputElement;
    expect(filter.value).toBe('');
    expect(filter.placeholder).toBe('All sub-keys');
    await userEvent.click(filter);
    await userEvent.type(filter, 'ci');
    expect(filter.value).toBe('ci');
    expect(screen.getAllByRole('option').map((option) => option.textContent)).toEqual(['ci-pipeline']);
    await userEvent.click(screen.getByRole('option', { name: 'ci-pipeline' }));
    await waitFor(() => expect(store.getState().usageSubkeyId).toBe('b'));
    expect(fake.calls.filter((call) => call.channel === 'usage:list').at(-1)!.input).toMatchObject({ subkeyId: 'b' });

    await userEvent.click(screen.getByRole('button', { name: 'Show all sub-keys' }));
    await waitFor(() => expect(store.getState().usageSubkeyId).toBeNull());
    expect(filter.value).toBe('');
  });
});

describe('the Usage screen\'s request log', () => {
  it('names a deleted sub-key\'s requests, marked as deleted, unlike requests that named no known key', async () => {
    const fake = fakeApi();
    const row = { at: '2026-01-01T00:00:00.000Z', method: 'POST', path: '/v1/chat/completions', model: 'gpt-4o', latencyMs: 5, promptTokens: null, completionTokens: null, totalTokens: null, costUsd: null, cachedTokens: null, reasoningTokens: null };
    fake.data.usage = [
      { ...row, id: 2, subkeyId: null, subkeyName: null, subkeyDeleted: false, status: 401, refusal: 'invalid_api_key' },
      { ...row, id: 1, subkeyId: null, subkeyName: 'old-bot', subkeyDeleted: true, status: 200, refusal: null },
    ];
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    await renderUi(<UsagePage />, store);
    const [stranger, deleted] = [...document.querySelectorAll('[data-testid="usage-table"] tbody tr')];
    expect(stranger!.querySelectorAll('td')[1]!.textContent).toBe('unknown key');
    expect(deleted!.querySelectorAll('td')[1]!.textContent).toBe('old-bot deleted');
    expect(deleted!.getAttribute('data-usage-deleted')).toBe('true');
  });
});

describe('the Proxy screen (desktop)', () => {
  it('puts "port in use" on the port field when the proxy cannot listen at the new address', async () => {
    const fake = fakeApi({
      'app:info': async () => ({ version: '0.1.0', mode: 'desktop', secretStorage: 'os-keychain', dataDir: '/x' }),
      'proxy:configure': async (input) => proxyStatus({ port: input.port!, running: false, error: `Port ${input.port} is already in use` }),
    });
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    await renderUi(<ProxyPage />, store);
    const port = screen.getByLabelText('Port');
    await userEvent.clear(port);
    await userEvent.type(port, '9999');
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(screen.getAllByText('Port 9999 is already in use').length).toBeGreaterThan(0));
    expect(fake.calls.find((call) => call.channel === 'proxy:configure')!.input).toEqual({ host: '127.0.0.1', port: 9999, autoStart: true });
    expect(screen.getByTestId('proxy-state').textContent).toBe('Stopped');
  });

  it('validates the port with the contract schema as the user types', async () => {
    const fake = fakeApi({ 'app:info': async () => ({ version: '0.1.0', mode: 'desktop', secretStorage: 'os-keychain', dataDir: '/x' }) });
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    await renderUi(<ProxyPage />, store);
    const port = screen.getByLabelText('Port');
    await userEvent.clear(port);
    await userEvent.type(port, '70000');
    expect(await screen.findByText('Port must be between 0 and 65535')).toBeTruthy();
  });
});

describe('the window while the store cannot be written', () => {
  it('shows a lasting alert with the reason on every screen, and drops it once a write succeeds', async () => {
    const fake = fakeApi();
    fake.data.proxy = proxyStatus({ storeError: 'SQLITE_FULL: database or disk is full' });
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    await renderUi(<AppLayout />, store);
    const alert = await screen.findByTestId('store-unavailable');
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toContain('Keygate cannot write its data');
    expect(alert.textContent).toContain('503 store_unavailable');
    expect(alert.textContent).toContain('SQLITE_FULL: database or disk is full');
    await userEvent.click(screen.getByRole('button', { name: /Usage/ }));
    expect(await screen.findByTestId('store-unavailable')).toBeTruthy();
    act(() => store.getState().receiveProxyStatus(proxyStatus({ storeError: null })));
    await waitFor(() => expect(screen.queryByTestId('store-unavailable')).toBeNull());
  });
});
