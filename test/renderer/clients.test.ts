import { describe, expect, it, vi } from 'vitest';
import type { KeygateBridge } from '../../electron/shared/contract';
import { ApiError } from '../../renderer/src/api/api-error';
import { createHttpClient } from '../../renderer/src/api/http-client';
import { createIpcClient, findBridge } from '../../renderer/src/api/ipc-client';
import { createSseParser, type SseMessage } from '../../renderer/src/api/sse';
import { proxyStatus, upstream } from './fake-api';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('the admin HTTP client', () => {
  it('posts JSON to /admin/api/<namespace>/<verb> with the bearer token and answers the body', async () => {
    const fetch = vi.fn(async () => jsonResponse(200, [upstream()]));
    const client = createHttpClient({ token: 'T0KEN', fetch, origin: 'http://127.0.0.1:9' });
    expect(await client.api['upstreams:list']({})).toEqual([upstream()]);
    expect(fetch).toHaveBeenCalledWith('http://127.0.0.1:9/admin/api/upstreams/list', {
      method: 'POST',
      headers: { authorization: 'Bearer T0KEN', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(client.transport).toBe('http');
  });

  it('throws an ApiError carrying the code and field issues of an error body', async () => {
    const error = { code: 'INVALID_INPUT', message: 'Name is required', issues: [{ path: ['name'], message: 'Name is required' }] };
    const client = createHttpClient({ token: 't', fetch: async () => jsonResponse(400, { error }) });
    const thrown = await client.api['subkeys:create']({ name: '', upstreamId: 'up1' }).catch((caught: unknown) => caught);
    expect(thrown).toBeInstanceOf(ApiError);
    expect(thrown).toMatchObject({ code: 'INVALID_INPUT', message: 'Name is required', issues: error.issues });
  });

  it('calls onUnauthorized on 401 (back to the sign-in screen)', async () => {
    const onUnauthorized = vi.fn();
    const client = createHttpClient({ token: 'old', onUnauthorized, fetch: async () => jsonResponse(401, { error: { code: 'UNAUTHORIZED', message: 'Bad token' } }) });
    await expect(client.api['app:info']({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('turns a network failure or a non-JSON error page into a readable ApiError', async () => {
    const offline = createHttpClient({ token: 't', fetch: async () => Promise.reject(new TypeError('fetch failed')) });
    await expect(offline.api['app:info']({})).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('cannot be reached') });
    const proxyPage = createHttpClient({ token: 't', fetch: async () => new Response('<html>Bad gateway</html>', { status: 502 }) });
    await expect(proxyPage.api['app:info']({})).rejects.toMatchObject({ message: 'The server answered 502.' });
  });

  it('reads push events from GET /admin/api/events with the token, and stops when the last listener leaves', async () => {
    const encoder = new TextEncoder();
    let streamController!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (controller) => void (streamController = controller) });
    let signal: AbortSignal | undefined;
    const fetch = vi.fn(async (_url: string, init?: RequestInit) => {
      signal = init?.signal ?? undefined;
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    });
    const client = createHttpClient({ token: 'T', fetch: fetch as unknown as typeof globalThis.fetch });
    const received: unknown[] = [];
    const off = client.on('proxy:changed', (status) => received.push(status));
    const status = proxyStatus({ running: false });
    const frame = `: hello\n\nevent: proxy:changed\ndata: ${JSON.stringify(status)}\n\nevent: usage:changed\ndata: {"subkeyId":null}\n\n`;
    streamController.enqueue(encoder.encode(frame.slice(0, 17)));
    streamController.enqueue(encoder.encode(frame.slice(17)));
    await expect.poll(() => received).toEqual([status]);
    expect(fetch.mock.calls[0]![0]).toBe('/admin/api/events');
    expect(fetch.mock.calls[0]![1]).toMatchObject({ headers: { authorization: 'Bearer T', accept: 'text/event-stream' } });
    off();
    expect(signal?.aborted).toBe(true);
  });
});

describe('the Electron IPC client', () => {
  it('unwraps a Result, throwing an ApiError for an error Result', async () => {
    const bridge = {
      'upstreams:list': async () => ({ ok: true, data: [upstream()] }),
      'upstreams:add': async () => ({ ok: false, error: { code: 'INVALID_INPUT', message: 'API key is required', issues: [{ path: ['apiKey'], message: 'API key is required' }] } }),
      'app:info': async () => ({ ok: true, data: {} }),
      on: vi.fn(() => () => undefined),
    } as unknown as KeygateBridge;
    const client = createIpcClient(bridge);
    expect(await client.api['upstreams:list']({})).toEqual([upstream()]);
    await expect(client.api['upstreams:add']({ name: 'x', baseUrl: 'https://x', apiKey: '' })).rejects.toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: ['apiKey'] }] });
    const listener = () => undefined;
    client.on('usage:changed', listener);
    expect(bridge.on).toHaveBeenCalledWith('usage:changed', listener);
    expect(client.transport).toBe('ipc');
  });

  it('is chosen only when the preload exposed a bridge', () => {
    expect(findBridge({})).toBeNull();
    expect(findBridge({ keygate: {} })).toBeNull();
    const bridge = { 'app:info': async () => ({ ok: true, data: {} }), on: () => () => undefined };
    expect(findBridge({ keygate: bridge })).toBe(bridge);
  });
});

describe('the event-stream parser', () => {
  it('handles events split anywhere, CRLF, comments, multi-line data and unnamed events', () => {
    const messages: SseMessage[] = [];
    const parse = createSseParser((message) => messages.push(message));
    const text = ': keep-alive\r\nevent: usage:changed\r\ndata: {"a":\r\ndata: 1}\r\n\r\ndata: plain\n\n';
    for (const char of text) parse(char);
    expect(messages).toEqual([
      { event: 'usage:changed', data: '{"a":\n1}' },
      { event: 'message', data: 'plain' },
    ]);
  });
});
