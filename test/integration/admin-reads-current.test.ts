/**
 * Every admin read includes the requests already answered (issue 8, §5): the proxy group-commits usage completions
 * and refunds a turn or up to 25 ms later, so a read must flush what is pending before it reads. Each read here is
 * issued in the client's response 'end' handler, in the same tick the answer arrived, in process (dispatch, as IPC
 * calls it) and over the admin HTTP API.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Result } from '../../electron/shared/errors';
import type { Subkey, UsageDay, UsageEntry } from '../../electron/shared/types';
import { CHAT_BODY, startServedCore, type ServedCore } from '../helpers/served-core';

let served: ServedCore;

beforeAll(async () => {
  served = await startServedCore();
});
afterAll(() => served.close());
beforeEach(() => served.upstream.reset());

/**
 * Sends a chat completion through the proxy and, in the response's 'end' handler (the tick the answer arrived),
 * starts `read`; resolves with the status and what `read` answered.
 */
function chatThenRead<T>(secret: string, read: () => Promise<T>): Promise<{ status: number; read: T }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${served.base}/v1/chat/completions`,
      { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' } },
      (response) => {
        response.resume();
        response.on('end', () => {
          read().then((value) => resolve({ status: response.statusCode!, read: value }), reject);
        });
      },
    );
    request.on('error', reject);
    request.end(CHAT_BODY);
  });
}

async function dispatched<T>(channel: string, input: unknown = {}): Promise<T> {
  const result: Result<unknown> = await served.fx.core.dispatch(channel, input);
  if (!result.ok) throw new Error(`${channel}: ${JSON.stringify(result.error)}`);
  return result.data as T;
}

async function overHttp<T>(channel: string, input: unknown = {}): Promise<T> {
  const [namespace, verb] = channel.split(':');
  const response = await fetch(`${served.base}/admin/api/${namespace}/${verb}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${served.adminToken}` },
    body: JSON.stringify(input),
  });
  if (!response.ok) throw new Error(`${channel}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const newKey = (remainingRequests: number | null) => served.newKey(remainingRequests);

const failWith500 = () => {
  served.upstream.respond = (_request, response) => {
    response.writeHead(500, { 'content-type': 'application/json' });
    response.end('{"error":{"message":"boom","type":"server_error","param":null,"code":null}}');
  };
};

describe.each([
  ['dispatch (in process)', dispatched],
  ['the admin HTTP API', overHttp],
] as const)('a read right after the answer, through %s', (_transport, read) => {
  it('usage:list shows the request as answered, with its tokens', async () => {
    const { subkey, secret } = await newKey(null);
    const { status, read: entries } = await chatThenRead(secret, () => read<UsageEntry[]>('usage:list', { subkeyId: subkey.id }));
    expect(status).toBe(200);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ status: 200, refusal: null, totalTokens: 18, path: '/v1/chat/completions' });
  });

  it('usage:daily counts it with its tokens', async () => {
    const { subkey, secret } = await newKey(null);
    const { read: days } = await chatThenRead(secret, () => read<UsageDay[]>('usage:daily', { subkeyId: subkey.id, days: 1 }));
    expect(days).toEqual([expect.objectContaining({ subkeyId: subkey.id, requests: 1, totalTokens: 18 })]);
  });

  it('subkeys:list shows a spent request as spent, and last used', async () => {
    const { subkey, secret } = await newKey(3);
    const { read: keys } = await chatThenRead(secret, () => read<Subkey[]>('subkeys:list'));
    expect(keys.find((each) => each.id === subkey.id)).toMatchObject({ remainingRequests: 2, lastUsedAt: expect.any(String) });
  });

  it('subkeys:list right after an upstream 500 shows the request refunded', async () => {
    const { subkey, secret } = await newKey(3);
    failWith500();
    const { status, read: keys } = await chatThenRead(secret, () => read<Subkey[]>('subkeys:list'));
    expect(status).toBe(500);
    expect(keys.find((each) => each.id === subkey.id)).toMatchObject({ remainingRequests: 3 });
  });

  it('subkeys:list right after the last request of a key says exhausted', async () => {
    const { subkey, secret } = await newKey(1);
    const { read: spent } = await chatThenRead(secret, () => read<Subkey[]>('subkeys:list'));
    expect(spent.find((each) => each.id === subkey.id)).toMatchObject({ remainingRequests: 0, status: 'exhausted' });
  });
});
