import { channels, type Channel, type KeygateApi, type KeygateBridge } from '../../../electron/shared/contract';
import { ApiError } from './api-error';
import type { KeygateClient } from './client';

/** The bridge the preload exposes, when the window runs inside Electron. */
export function findBridge(target: object = globalThis): KeygateBridge | null {
  const bridge = (target as { keygate?: Partial<KeygateBridge> }).keygate;
  return bridge && typeof bridge['app:info'] === 'function' && typeof bridge.on === 'function' ? (bridge as KeygateBridge) : null;
}

/** Wraps `window.keygate`: each method unwraps its Result, throwing an ApiError that carries code and issues. */
export function createIpcClient(bridge: KeygateBridge): KeygateClient {
  const api = Object.fromEntries(
    channels.map((channel: Channel) => [
      channel,
      async (input: unknown) => {
        const call = bridge[channel] as (value: unknown) => Promise<{ ok: true; data: unknown } | { ok: false; error: ConstructorParameters<typeof ApiError>[0] }>;
        const result = await call(input);
        if (!result.ok) throw new ApiError(result.error);
        return result.data;
      },
    ]),
  ) as KeygateApi;
  return { transport: 'ipc', api, on: (event, listener) => bridge.on(event, listener) };
}
