import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels } from '../../electron/shared/contract';
import { startBrowserStack, stopBrowserStack } from '../helpers/browser-stack';
import type { HeadlessCoreProcess } from '../helpers/headless-core-process';
import type { StandInUpstream } from '../helpers/stand-in-upstream';

/**
 * The window as Electron runs it: `window.keygate` (the preload's shape: one method per channel answering a Result,
 * plus on()) instead of the admin token. The stand-in bridge forwards to the real core's admin API, so this proves the
 * IPC client path (Result unwrapping, push events, no sign-in) in a real browser; the real preload is tested by the
 * desktop shell's own tests.
 */
let core: HeadlessCoreProcess;
let upstream: StandInUpstream;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

interface BridgeWindow {
  keygate?: unknown;
  emitKeygateEvent?: (event: string, payload: unknown) => void;
}

beforeAll(async () => {
  ({ core, upstream, browser } = await startBrowserStack());
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  await context.addInitScript(
    ({ channelList, token }) => {
      const listeners = new Map<string, Set<(payload: unknown) => void>>();
      const bridge: Record<string, unknown> = {};
      for (const channel of channelList) {
        bridge[channel] = async (input: unknown) => {
          const [namespace, verb] = channel.split(':');
          const response = await fetch(`/admin/api/${namespace}/${verb}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(input ?? {}),
          });
          const body = (await response.json()) as { error?: unknown };
          return response.ok ? { ok: true, data: body } : { ok: false, error: body.error };
        };
      }
      bridge.on = (event: string, listener: (payload: unknown) => void) => {
        const set = listeners.get(event) ?? new Set();
        set.add(listener);
        listeners.set(event, set);
        return () => set.delete(listener);
      };
      const target = globalThis as unknown as BridgeWindow;
      target.keygate = Object.freeze(bridge);
      target.emitKeygateEvent = (event, payload) => listeners.get(event)?.forEach((listener) => listener(payload));
    },
    { channelList: channels, token: core.token },
  );
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(() => stopBrowserStack({ core, upstream, browser }));

describe('the window over the Electron bridge', () => {
  it('opens without a sign-in and without a sign-out button', async () => {
    await page.goto(`${core.url}/admin/`);
    await page.getByRole('heading', { name: 'Sub-keys' }).waitFor();
    expect(await page.getByLabel('Admin token').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
  });

  it('shows an error Result in place: a sync against an unreachable upstream', async () => {
    await core.call('upstreams:add', { name: 'Offline', baseUrl: 'http://127.0.0.1:9', apiKey: 'sk-offline-key-0000' });
    await page.getByRole('navigation').getByRole('button', { name: /Models/ }).click();
    await page.getByRole('button', { name: 'Sync Offline' }).click();
    const toast = page.locator('.mantine-Notification-root', { hasText: 'Offline' });
    await toast.waitFor();
    const reported = (await core.call('models:sync', { upstreamId: (await core.call('upstreams:list', {}))[0]!.id }).catch((error: Error) => error)) as Error;
    expect(await toast.textContent()).toBe(`Offline${reported.message}`);
    expect(await page.getByTestId('model-count').textContent()).toBe('0 models');
  });

  it('refreshes on a pushed usage:changed event', async () => {
    const added = await core.call('upstreams:add', { name: 'Stand-in', baseUrl: upstream.baseUrl, apiKey: 'sk-upstream-key-1234' });
    await core.call('models:sync', { upstreamId: added.id });
    await page.getByRole('navigation').getByRole('button', { name: /Sub-keys/ }).click();
    await page.getByRole('heading', { name: 'Sub-keys' }).waitFor();
    const { secret } = await core.call('subkeys:create', { name: 'bridge-key', upstreamId: added.id, remainingRequests: 5 });
    // The list was loaded before this key existed: a push event is what brings it in.
    await page.evaluate(() => (globalThis as unknown as BridgeWindow).emitKeygateEvent?.('usage:changed', { subkeyId: null }));
    const remaining = page.locator('tr[data-subkey="bridge-key"] [data-testid=remaining]');
    await expect.poll(() => remaining.textContent()).toBe('5');

    await new OpenAI({ baseURL: `${core.url}/v1`, apiKey: secret, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    await page.evaluate(() => (globalThis as unknown as BridgeWindow).emitKeygateEvent?.('usage:changed', { subkeyId: null }));
    await expect.poll(() => remaining.textContent()).toBe('4');
    expect(pageErrors).toEqual([]);
  });
});
