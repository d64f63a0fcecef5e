import { channelPath, channels, type Channel, type KeygateApi, type PushEvent } from '../../../electron/shared/contract';
import type { AppErrorData } from '../../../electron/shared/errors';
import { ApiError } from './api-error';
import type { KeygateClient } from './client';
import { createSseParser } from './sse';
import { downloadUsageCsv } from './usage-download';

export interface HttpClientOptions {
  /** The admin token, sent as a bearer token. */
  token: string;
  /** Origin of the headless server; defaults to the page's own. */
  origin?: string;
  /** Called when the server answers 401 (token wrong or revoked). */
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
}

const RECONNECT_MS = [500, 1000, 2000, 5000];

function isErrorBody(value: unknown): value is { error: AppErrorData } {
  const error = (value as { error?: Partial<AppErrorData> } | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

/** The admin HTTP API of the headless server: `POST /admin/api/<namespace>/<verb>`, push events over SSE. */
export function createHttpClient(options: HttpClientOptions): KeygateClient {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const origin = options.origin ?? '';
  const headers = { authorization: `Bearer ${options.token}` };

  async function call(channel: Channel, input: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await doFetch(`${origin}${channelPath(channel)}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(input ?? {}),
      });
    } catch {
      throw new ApiError({ code: 'INTERNAL', message: 'Keygate cannot be reached. Is the server still running?' });
    }
    const body: unknown = await response.json().catch(() => null);
    if (response.ok) return body;
    if (response.status === 401) options.onUnauthorized?.();
    if (isErrorBody(body)) throw new ApiError(body.error);
    throw new ApiError({
      code: response.status === 401 ? 'UNAUTHORIZED' : 'INTERNAL',
      message: `The server answered ${response.status}.`,
    });
  }

  const api = Object.fromEntries(channels.map((channel) => [channel, (input: unknown) => call(channel, input)])) as KeygateApi;
  // Over HTTP the export is a download of the streamed CSV, not a file the server saves.
  api['usage:export'] = (input) => downloadUsageCsv(doFetch, origin, headers, input);

  const listeners = new Map<PushEvent, Set<(payload: never) => void>>();
  let controller: AbortController | null = null;

  function dispatch(event: string, data: string): void {
    const set = listeners.get(event as PushEvent);
    if (!set) return;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      return;
    }
    for (const listener of set) (listener as (value: unknown) => void)(payload);
  }

  async function stream(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      try {
        const response = await doFetch(`${origin}/admin/api/events`, { headers: { ...headers, accept: 'text/event-stream' }, signal });
        if (response.status === 401) {
          options.onUnauthorized?.();
          return;
        }
        if (response.ok && response.body) {
          attempt = 0;
          const parse = createSseParser((message) => dispatch(message.event, message.data));
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            parse(value);
          }
        }
      } catch {
        if (signal.aborted) return;
      }
      const delay = RECONNECT_MS[Math.min(attempt++, RECONNECT_MS.length - 1)];
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  return {
    transport: 'http',
    api,
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (payload: never) => void);
      listeners.set(event, set);
      if (!controller) {
        controller = new AbortController();
        void stream(controller.signal);
      }
      return () => {
        set.delete(listener as (payload: never) => void);
        if ([...listeners.values()].every((each) => each.size === 0)) {
          controller?.abort();
          controller = null;
        }
      };
    },
  };
}
