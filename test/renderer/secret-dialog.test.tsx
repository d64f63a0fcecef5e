import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Model, Subkey } from '../../electron/shared/types';
import { ModalHost } from '../../renderer/src/components/layout/modal-host';
import { createKeygateStore, loadAll } from '../../renderer/src/store/store';
import { fakeApi, subkey, upstream } from './fake-api';
import { renderUi } from './render-ui';

const SECRET = 'sk-kg-0123456789abcdefghijABCDEFGHIJ0123456789';
/** Alphabetically `dall-e-3` comes first: the old snippets used it for /chat/completions. */
const SYNCED = ['dall-e-3', 'fail-500', 'gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small', 'whisper-1'];
const models = (): Model[] => SYNCED.map((id) => ({ id, upstreamId: 'up1', ownedBy: 'openai', syncedAt: '2026-01-01T00:00:00.000Z' }));

async function openTab(name: string): Promise<string> {
  await userEvent.click(screen.getByRole('tab', { name }));
  return (await screen.findByRole('tabpanel')).textContent ?? '';
}

/** Rotates `key` through the dialog, as a user would, and waits for the secret dialog with its snippets. */
async function showRotatedSecret(key: Subkey): Promise<void> {
  const fake = fakeApi({ 'subkeys:rotate': async () => ({ subkey: key, secret: SECRET }) });
  fake.data.upstreams = [upstream()];
  fake.data.models = { up1: models() };
  fake.data.subkeys = [key];
  const store = createKeygateStore(fake.api);
  await loadAll(store);
  store.getState().openModal({ kind: 'subkey-rotate', subkeyId: key.id });
  await renderUi(<ModalHost />, store);
  await userEvent.click(screen.getByRole('button', { name: 'Rotate' }));
  await screen.findByTestId('issued-secret');
}

describe('the secret dialog’s snippets', () => {
  it('after issuing an unrestricted key: a small chat model, exported variables, and the shell each is for', async () => {
    const fake = fakeApi({ 'subkeys:create': async () => ({ subkey: subkey(), secret: SECRET }) });
    fake.data.upstreams = [upstream()];
    fake.data.models = { up1: models() };
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    store.getState().openModal({ kind: 'subkey-issue' });
    await renderUi(<ModalHost />, store);
    await userEvent.type(screen.getByLabelText('Name'), 'ci-bot');
    await userEvent.click(screen.getByRole('button', { name: 'Issue' }));
    await screen.findByTestId('issued-secret');

    const env = (await screen.findByRole('tabpanel')).textContent!;
    expect(env).toContain(`export OPENAI_BASE_URL=http://127.0.0.1:8080/v1`);
    expect(env).toContain(`export OPENAI_API_KEY=${SECRET}`);
    expect(env).toContain('For bash or zsh');
    const curl = await openTab('curl');
    expect(curl).toContain('/chat/completions');
    expect(curl).toContain('"model": "gpt-4o-mini"');
    expect(curl).not.toContain('dall-e-3');
    expect(await openTab('Python')).toContain('Python 3 with the official SDK');
    const codex = await openTab('Codex CLI');
    expect(codex).toContain('[model_providers.keygate]');
    expect(codex).toContain('codex exec --skip-git-repo-check -c model_provider=keygate -m gpt-4o-mini');
    const tabs = within(screen.getByRole('tablist')).getAllByRole('tab').map((tab) => tab.textContent);
    expect(tabs).toEqual(['Environment', 'curl', 'Python', 'Node', 'Codex CLI', 'Vercel AI SDK', 'llm', 'Aider', 'Continue', 'Open WebUI']);
  }, 20_000);

  it('after rotating an embeddings-only key: the same choice, from the key’s policy (an embeddings call, no chat tools)', async () => {
    const key: Subkey = subkey({ allowModels: ['text-embedding-3-small'] });
    await showRotatedSecret(key);

    const curl = await openTab('curl');
    expect(curl).toContain('/embeddings');
    expect(curl).toContain('"model": "text-embedding-3-small"');
    expect(curl).not.toContain('/chat/completions');
    const tabs = within(screen.getByRole('tablist')).getAllByRole('tab').map((tab) => tab.textContent);
    expect(tabs).toEqual(['Environment', 'curl', 'Python', 'Node', 'Vercel AI SDK']);
    await userEvent.click(screen.getByRole('button', { name: 'I have copied it' }));
    await waitFor(() => expect(document.body.innerHTML).not.toContain(SECRET));
  });

  it('after rotating a key that may use none of the synced models: GET /v1/models', async () => {
    const key: Subkey = subkey({ allowModels: ['claude-*'] });
    await showRotatedSecret(key);
    const curl = await openTab('curl');
    expect(curl).toContain('http://127.0.0.1:8080/v1/models');
    expect(curl).not.toContain('"model"');
  });
});
