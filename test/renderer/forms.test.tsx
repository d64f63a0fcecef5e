import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Notifications, notifications } from '@mantine/notifications';
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

// The issue form holds a row of choices per endpoint group: slower to render in happy-dom than the 5 s default allows
// on a busy machine (every describe below that opens it has the same allowance).
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

describe('"Only these" with no model', { timeout: 20_000 }, () => {
  it('is refused by the issue form, which sends nothing', async () => {
    const { fake } = await issueDialog(() => Promise.reject(new Error('must not be called')));
    await userEvent.type(screen.getByLabelText('Name'), 'ci-bot');
    await userEvent.click(screen.getByText('Only these', { exact: true }));
    await userEvent.click(screen.getByRole('button', { name: 'Issue' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Pick at least one model');
    expect(fake.channelsCalled()).not.toContain('subkeys:create');
    await userEvent.click(screen.getByText('All models', { exact: true }));
    expect(screen.queryByText('Pick at least one model')).toBeNull();
  });

  it('is refused by the edit form when the last allowed model is removed', async () => {
    const fake = fakeApi({ 'subkeys:update': async () => subkey() });
    fake.data.subkeys = [subkey({ allowModels: ['gpt-4o'] })];
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    store.getState().openModal({ kind: 'subkey-edit', subkeyId: 'sk1' });
    await renderUi(<ModalHost />, store);
    await userEvent.click(screen.getByPlaceholderText('Models or patterns'));
    await userEvent.keyboard('{Backspace}');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Pick at least one model');
    expect(fake.channelsCalled()).not.toContain('subkeys:update');
  });

  it('is refused in Chinese too', async () => {
    const { changeLanguage } = await import('../../renderer/src/i18n/i18n');
    const { fake } = await issueDialog(() => Promise.reject(new Error('must not be called')));
    await changeLanguage('zh');
    try {
      await userEvent.type(await screen.findByLabelText('名称'), 'ci-bot');
      await userEvent.click(screen.getByText('仅限这些', { exact: true }));
      await userEvent.click(screen.getByRole('button', { name: '签发' }));
      expect((await screen.findByRole('alert')).textContent).toBe('请至少选择一个模型');
      expect(fake.channelsCalled()).not.toContain('subkeys:create');
    } finally {
      await changeLanguage('en');
    }
  });
});

describe('a custom quota that is not a whole number ≥ 0', { timeout: 20_000 }, () => {
  it('is refused by the issue form with a message, and nothing is sent', async () => {
    const { fake } = await issueDialog(() => Promise.reject(new Error('must not be called')));
    await userEvent.type(screen.getByLabelText('Name'), 'ci-bot');
    // The second "Custom" is the quota's (the first is the expiry's).
    await userEvent.click(screen.getAllByText('Custom', { exact: true })[1]!);
    const quota = screen.getByLabelText('Number of requests') as HTMLInputElement;
    await userEvent.clear(quota);
    await userEvent.type(quota, '12.5');
    await userEvent.click(screen.getByRole('button', { name: 'Issue' }));
    expect(quota.value).toBe('12.5');
    expect(screen.getByTestId('quota-result').textContent).toBe('Quota must be a whole number');
    expect(fake.channelsCalled()).not.toContain('subkeys:create');
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

describe('confirmation toasts', () => {
  async function withKey(overrides: Parameters<typeof fakeApi>[0] = {}) {
    // Toasts shown by earlier tests (with no <Notifications /> mounted) wait in one global queue.
    notifications.clean();
    const fake = fakeApi({
      'subkeys:update': async (input) => subkey({ name: input.name ?? 'ci-bot' }),
      'subkeys:remove': async ({ id }) => {
        fake.data.subkeys = [];
        return { id };
      },
      ...overrides,
    });
    fake.data.upstreams = [upstream()];
    fake.data.subkeys = [subkey()];
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    await renderUi(
      <>
        <Notifications />
        <ModalHost />
      </>,
      store,
    );
    return { fake, store };
  }

  it('says a sub-key was saved after Edit', async () => {
    const { store } = await withKey();
    store.getState().openModal({ kind: 'subkey-edit', subkeyId: 'sk1' });
    const name = await screen.findByLabelText('Name');
    await userEvent.clear(name);
    await userEvent.type(name, 'ci-runner');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Sub-key “ci-runner” saved')).toBeTruthy();
  });

  it('says a sub-key was deleted after Delete, in English and in Chinese', async () => {
    const { store, fake } = await withKey();
    store.getState().openModal({ kind: 'subkey-remove', subkeyId: 'sk1' });
    await userEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('Sub-key “ci-bot” deleted')).toBeTruthy();

    const { changeLanguage } = await import('../../renderer/src/i18n/i18n');
    fake.data.subkeys = [subkey({ name: 'demo' })];
    await store.getState().refreshSubkeys();
    await changeLanguage('zh');
    try {
      store.getState().openModal({ kind: 'subkey-remove', subkeyId: 'sk1' });
      await userEvent.click(await screen.findByRole('button', { name: '删除' }));
      expect(await screen.findByText('已删除子密钥“demo”')).toBeTruthy();
    } finally {
      await changeLanguage('en');
    }
  });
});

describe('removing an upstream', () => {
  async function removeDialog(upstreams = [upstream(), upstream({ id: 'up2', name: 'Work' })], keys = 4) {
    const fake = fakeApi({ 'upstreams:remove': async ({ id }) => ({ id }) });
    fake.data.upstreams = upstreams;
    fake.data.subkeys = Array.from({ length: keys }, (_, index) => subkey({ id: `sk${index}`, name: `key-${index}` }));
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    store.getState().openModal({ kind: 'upstream-remove', upstreamId: 'up1' });
    await renderUi(<ModalHost />, store);
    const removeCall = () => fake.calls.find((call) => call.channel === 'upstreams:remove')?.input;
    return { fake, store, removeCall };
  }

  it('says how many sub-keys it has before asking, and moves them to the upstream chosen', async () => {
    const { store, removeCall } = await removeDialog();
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toContain('“OpenAI” still has 4 sub-keys.');
    expect((screen.getByRole('radio', { name: /Move the 4 sub-keys/ }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getAllByLabelText('Upstream to move them to').find((element) => element.tagName === 'INPUT') as HTMLInputElement).value).toBe('Work');
    await userEvent.click(screen.getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(store.getState().modal.kind).toBe('none'));
    expect(removeCall()).toEqual({ id: 'up1', subkeys: { moveTo: 'up2' } });
  });

  it('deletes the sub-keys with it when that is chosen', async () => {
    const { store, removeCall } = await removeDialog();
    await userEvent.click(await screen.findByRole('radio', { name: /Delete the 4 sub-keys/ }));
    expect(screen.queryByLabelText('Upstream to move them to')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(store.getState().modal.kind).toBe('none'));
    expect(removeCall()).toEqual({ id: 'up1', subkeys: 'remove' });
  });

  it('offers only deletion when there is no other upstream', async () => {
    const { removeCall } = await removeDialog([upstream()], 1);
    expect((await screen.findByRole('dialog')).textContent).toContain('“OpenAI” still has 1 sub-key.');
    expect(screen.queryByRole('radio', { name: /Move/ })).toBeNull();
    expect((screen.getByRole('radio', { name: /Delete the sub-key/ }) as HTMLInputElement).checked).toBe(true);
    await userEvent.click(screen.getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(removeCall()).toEqual({ id: 'up1', subkeys: 'remove' }));
  });

  it('asks plainly, and sends no choice, when no sub-key uses it', async () => {
    const { removeCall } = await removeDialog(undefined, 0);
    expect((await screen.findByRole('dialog')).textContent).toContain('Remove “OpenAI”? Its synced models are forgotten.');
    expect(screen.queryByRole('radio')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(removeCall()).toEqual({ id: 'up1' }));
  });
});
