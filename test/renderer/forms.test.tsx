import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { IssuedSubkey } from '../../electron/shared/types';
import { ApiError } from '../../renderer/src/api/api-error';
import { ModalHost } from '../../renderer/src/components/layout/modal-host';
import { patchOf } from '../../renderer/src/components/subkeys/subkey-edit-modal';
import { createKeygateStore, loadAll } from '../../renderer/src/store/store';
import { deferred } from '../helpers/deferred';
import { fakeApi, subkey, upstream } from './fake-api';
import { renderUi } from './render-ui';

const SECRET = 'sk-kg-0123456789abcdefghijABCDEFGHIJ0123456789';

async function issueDialog(create: () => Promise<IssuedSubkey>) {
  const fake = fakeApi({ 'subkeys:create': create });
  fake.data.upstreams = [upstream()];
  const store = createKeygateStore(fake.api);
  await loadAll(store);
  store.getState().openModal({ kind: 'subkey-issue' });
  await renderUi(<ModalHost />, store);
  return { fake, store };
}

// The issue form holds a row of choices per endpoint group: slower to render than the 5 s default allows on a busy machine.
describe('the issue form', { timeout: 20_000 }, () => {
  it('validates with the contract schema as the user types', async () => {
    await issueDialog(() => Promise.reject(new Error('must not be called')));
    const name = screen.getByLabelText('Name');
    await userEvent.type(name, 'a');
    await userEvent.clear(name);
    expect(await screen.findByText('Name is required')).toBeTruthy();
    expect(name.getAttribute('aria-invalid')).toBe('true');
  });

  it('shows a server-side field error on the field it names, and keeps the dialog', async () => {
    const { fake } = await issueDialog(() =>
      Promise.reject(new ApiError({ code: 'INVALID_INPUT', message: 'Unknown upstream', issues: [{ path: ['name'], message: 'A sub-key with this name exists' }] })),
    );
    await userEvent.type(screen.getByLabelText('Name'), 'ci-bot');
    await userEvent.click(screen.getByRole('button', { name: 'Issue' }));
    expect(await screen.findByText('A sub-key with this name exists')).toBeTruthy();
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
    expect(fake.channelsCalled()).toContain('subkeys:create');
  });

  it('shows an error that names no field above the buttons', async () => {
    await issueDialog(() => Promise.reject(new ApiError({ code: 'NOT_FOUND', message: 'Upstream not found' })));
    await userEvent.type(screen.getByLabelText('Name'), 'ci-bot');
    await userEvent.click(screen.getByRole('button', { name: 'Issue' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Could not save: Upstream not found');
  });

  it('disables submit while saving, then shows the secret once; closing removes it from the DOM', async () => {
    const create = deferred<IssuedSubkey>();
    const { store, fake } = await issueDialog(() => create.promise);
    await userEvent.type(screen.getByLabelText('Name'), 'ci-bot');
    await userEvent.click(screen.getByRole('button', { name: 'Issue' }));
    await waitFor(() => expect((screen.getByRole('button', { name: 'Issue' }) as HTMLButtonElement).disabled).toBe(true));

    fake.data.subkeys = [subkey()];
    create.resolve({ subkey: subkey(), secret: SECRET });
    expect((await screen.findByTestId('issued-secret')).textContent).toBe(SECRET);
    expect(document.body.textContent).toContain(`OPENAI_API_KEY=${SECRET}`);
    expect(fake.calls.find((call) => call.channel === 'subkeys:create')!.input).toMatchObject({ name: 'ci-bot', upstreamId: 'up1', remainingRequests: 1000, allowModels: [], denyModels: [] });

    // Escape must not throw away a secret the user has not copied yet.
    await userEvent.keyboard('{Escape}');
    expect(screen.getByTestId('issued-secret')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'I have copied it' }));
    await waitFor(() => expect(document.body.innerHTML).not.toContain(SECRET));
    expect(JSON.stringify(store.getState())).not.toContain(SECRET);
  });
});

describe('the edit form', () => {
  it('sends only what changed, so an untouched past expiry or a spent quota is never written back', () => {
    const key = subkey({ expiresAt: '2020-01-01T00:00:00.000Z', remainingRequests: 3, allowModels: ['gpt-4o'] });
    const values = { name: key.name, expiresAt: key.expiresAt, remainingRequests: 3, allowModels: ['gpt-4o'], denyModels: [], permissions: key.permissions };
    expect(patchOf(key, values)).toEqual({ id: 'sk1' });
    expect(patchOf(key, { ...values, remainingRequests: 13 })).toEqual({ id: 'sk1', remainingRequests: 13 });
    expect(patchOf(key, { ...values, allowModels: [] })).toEqual({ id: 'sk1', allowModels: [], denyModels: [] });
  });

  it('adds requests to the remaining count', async () => {
    const fake = fakeApi({ 'subkeys:update': async (input) => subkey({ remainingRequests: input.remainingRequests ?? null }) });
    fake.data.subkeys = [subkey({ remainingRequests: 0, status: 'exhausted' })];
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    store.getState().openModal({ kind: 'subkey-edit', subkeyId: 'sk1' });
    await renderUi(<ModalHost />, store);
    await userEvent.click(screen.getByRole('button', { name: '+100' }));
    await userEvent.click(screen.getByRole('button', { name: '+10' }));
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(store.getState().modal.kind).toBe('none'));
    expect(fake.calls.find((call) => call.channel === 'subkeys:update')!.input).toEqual({ id: 'sk1', remainingRequests: 110 });
  });
});

describe('the permissions picker', { timeout: 20_000 }, () => {
  it('proposes OpenAI’s restricted default when issuing, and sends the groups and switches the user picks', async () => {
    const { fake } = await issueDialog(async () => ({ subkey: subkey(), secret: SECRET }));
    await userEvent.type(screen.getByLabelText('Name'), 'ci-bot');
    const row = (group: string) => document.querySelector(`[data-group="${group}"]`)!;
    // Restricted, with models read and chat, responses, embeddings write.
    expect((row('models').querySelector('input[value="read"]') as HTMLInputElement).checked).toBe(true);
    expect((row('chat_completions').querySelector('input[value="write"]') as HTMLInputElement).checked).toBe(true);
    expect((row('files').querySelector('input[value="none"]') as HTMLInputElement).checked).toBe(true);
    await userEvent.click(row('files').querySelector('input[value="read"]')!);
    await userEvent.click(screen.getByLabelText('Allow minting credentials (realtime client secrets, ChatKit sessions)'));
    expect(document.body.textContent).toContain('its traffic bypasses Keygate');
    await userEvent.click(screen.getByRole('button', { name: 'Issue' }));
    await waitFor(() => expect(fake.channelsCalled()).toContain('subkeys:create'));
    const sent = fake.calls.find((call) => call.channel === 'subkeys:create')!.input as { permissions: { mode: string; groups: Record<string, string>; mintCredentials: boolean; shareProjectObjects: boolean } };
    expect(sent.permissions).toMatchObject({ mode: 'restricted', mintCredentials: true, shareProjectObjects: false });
    expect(sent.permissions.groups).toMatchObject({ models: 'read', chat_completions: 'write', responses: 'write', embeddings: 'write', files: 'read', images: 'none' });
  });

  it('hides the group rows outside restricted mode, and sends a mode change from the edit form', async () => {
    const fake = fakeApi({ 'subkeys:update': async () => subkey() });
    fake.data.subkeys = [subkey()];
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    store.getState().openModal({ kind: 'subkey-edit', subkeyId: 'sk1' });
    await renderUi(<ModalHost />, store);
    expect(document.querySelector('[data-group="files"]')).toBeNull();
    await userEvent.click(screen.getByText('Read only'));
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(store.getState().modal.kind).toBe('none'));
    expect(fake.calls.find((call) => call.channel === 'subkeys:update')!.input).toMatchObject({ id: 'sk1', permissions: { mode: 'read_only' } });
  });
});

describe('the upstream form', () => {
  async function editDialog() {
    const fake = fakeApi({ 'upstreams:update': async (input) => upstream({ name: input.name ?? 'OpenAI' }) });
    fake.data.upstreams = [upstream()];
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    store.getState().openModal({ kind: 'upstream-edit', upstreamId: 'up1' });
    await renderUi(<ModalHost />, store);
    return { fake, store };
  }

  it('never shows the stored key, and keeps it when the key field stays empty', async () => {
    const { fake, store } = await editDialog();
    const key = screen.getByLabelText('API key') as HTMLInputElement;
    expect(key.value).toBe('');
    expect(key.type).toBe('password');
    const name = screen.getByLabelText('Name');
    await userEvent.clear(name);
    await userEvent.type(name, 'Work');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(store.getState().modal.kind).toBe('none'));
    expect(fake.calls.find((call) => call.channel === 'upstreams:update')!.input).toEqual({
      id: 'up1',
      name: 'Work',
      baseUrl: 'https://api.openai.com',
      passThroughUnknownEndpoints: false,
    });
  });

  it('sends the choice to pass unknown endpoints through', async () => {
    const { fake, store } = await editDialog();
    const passThrough = screen.getByLabelText('Forward endpoints OpenAI does not document') as HTMLInputElement;
    expect(passThrough.checked).toBe(false);
    await userEvent.click(passThrough);
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(store.getState().modal.kind).toBe('none'));
    expect(fake.calls.find((call) => call.channel === 'upstreams:update')!.input).toMatchObject({ id: 'up1', passThroughUnknownEndpoints: true });
  });

  it('refuses an admin key on the key field, before anything is sent', async () => {
    const { fake } = await editDialog();
    await userEvent.type(screen.getByLabelText('API key'), 'sk-admin-0123456789abcdef');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Admin keys (sk-admin-…) cannot be used: enter a project API key')).toBeTruthy();
    expect(fake.channelsCalled()).not.toContain('upstreams:update');
  });

  it('sends a new key only when one is typed', async () => {
    const { fake, store } = await editDialog();
    await userEvent.type(screen.getByLabelText('API key'), 'sk-new-key-9876');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(store.getState().modal.kind).toBe('none'));
    expect(fake.calls.find((call) => call.channel === 'upstreams:update')!.input).toMatchObject({ id: 'up1', apiKey: 'sk-new-key-9876' });
    expect(JSON.stringify(store.getState())).not.toContain('sk-new-key-9876');
  });

  it('fills the base URL from a preset', async () => {
    const store = createKeygateStore(fakeApi().api);
    store.getState().openModal({ kind: 'upstream-add' });
    await renderUi(<ModalHost />, store);
    await userEvent.click(screen.getAllByLabelText('Service').find((element) => element.tagName === 'INPUT')!);
    await userEvent.click(await screen.findByRole('option', { name: 'DeepSeek' }));
    expect((screen.getByLabelText('Base URL') as HTMLInputElement).value).toBe('https://api.deepseek.com');
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('DeepSeek');
  });
});

describe('field errors in Chinese', { timeout: 20_000 }, () => {
  it('shows the contract schema messages in the UI language', async () => {
    const { changeLanguage } = await import('../../renderer/src/i18n/i18n');
    await issueDialog(() => Promise.reject(new ApiError({ code: 'INVALID_INPUT', message: 'Quota cannot be negative', issues: [{ path: ['remainingRequests'], message: 'Quota cannot be negative' }] })));
    await changeLanguage('zh');
    try {
      const name = await screen.findByLabelText('名称');
      await userEvent.type(name, 'a');
      await userEvent.clear(name);
      expect(await screen.findByText('请输入名称')).toBeTruthy();
      await userEvent.type(name, 'ci-bot');
      await userEvent.click(screen.getByRole('button', { name: '签发' }));
      expect(await screen.findByText('请求次数不能为负数')).toBeTruthy();
    } finally {
      await changeLanguage('en');
    }
  });
});
