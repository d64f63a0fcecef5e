import OpenAI from 'openai';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProxyError, proxyErrors } from '../../electron/core/proxy/proxy-error';
import { useProxyHarness } from '../helpers/proxy-harness-per-file';

let arrived = 0;

const h = useProxyHarness();
beforeAll(async () => {
  h.running.server.on('request', () => arrived++);
});
beforeEach(() => {
  arrived = 0;
});

/** The official SDK with its default retries (2), as clients run it. */
function retryingClient(secret: string): OpenAI {
  return new OpenAI({ apiKey: secret, baseURL: h.running.baseURL, timeout: 15_000 });
}

async function chatAttempts(secret: string, model: string): Promise<{ status: number | undefined; code: unknown; attempts: number }> {
  const error = await retryingClient(secret)
    .chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] })
    .catch((caught: unknown) => caught as InstanceType<typeof OpenAI.APIError>);
  return { status: (error as InstanceType<typeof OpenAI.APIError>).status, code: (error as InstanceType<typeof OpenAI.APIError>).code, attempts: arrived };
}

describe("Keygate's final refusals tell clients not to retry", () => {
  it('a 429 insufficient_quota costs the SDK one request, not three', async () => {
    const { secret } = h.subkey({ remainingRequests: 0 });
    expect(await chatAttempts(secret, 'gpt-4o')).toEqual({ status: 429, code: 'insufficient_quota', attempts: 1 });
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('a 401 for an unknown key and a 403 for a forbidden model cost one request each', async () => {
    expect(await chatAttempts('sk-kg-not-a-known-key-0000000000000000000000', 'gpt-4o')).toEqual({ status: 401, code: 'invalid_api_key', attempts: 1 });
    arrived = 0;
    const { secret } = h.subkey({ allowModels: ['gpt-4o-mini'] });
    expect(await chatAttempts(secret, 'gpt-4o')).toEqual({ status: 403, code: 'model_not_allowed', attempts: 1 });
  });

  it('says x-should-retry: false on 401, 403 and 429 insufficient_quota answers', async () => {
    const spent = h.subkey({ remainingRequests: 0 });
    const limited = h.subkey({ allowModels: ['gpt-4o-mini'] });
    const disabled = h.subkey({ enabled: false });
    const chat = JSON.stringify({ model: 'gpt-4o', messages: [] });
    const json = { 'content-type': 'application/json' };
    const answers = [
      await h.raw('POST', '/v1/chat/completions', json, chat),
      await h.raw('POST', '/v1/chat/completions', { ...json, authorization: 'Bearer sk-kg-unknown' }, chat),
      await h.raw('POST', '/v1/chat/completions', { ...json, authorization: `Bearer ${disabled.secret}` }, chat),
      await h.raw('POST', '/v1/chat/completions', { ...json, authorization: `Bearer ${limited.secret}` }, chat),
      await h.raw('GET', '/v1/models', { authorization: `Bearer ${limited.secret}`, host: 'evil.example' }),
      await h.raw('POST', '/v1/chat/completions', { ...json, authorization: `Bearer ${spent.secret}` }, chat),
    ];
    expect(answers.map((answer) => [answer.status, (JSON.parse(answer.body) as { error: { code: string } }).error.code, answer.headers['x-should-retry']])).toEqual([
      [401, 'missing_api_key', 'false'],
      [401, 'invalid_api_key', 'false'],
      [401, 'subkey_disabled', 'false'],
      [403, 'model_not_allowed', 'false'],
      [403, 'host_not_allowed', 'false'],
      [429, 'insufficient_quota', 'false'],
    ]);
  });

  it('leaves answers that may succeed later without the hint: upstream failures, bad requests, rate limits', async () => {
    const { secret } = h.subkey();
    const bad = await h.raw('POST', '/v1/chat/completions', { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, '{"model":');
    expect(bad.status).toBe(400);
    expect(bad.headers['x-should-retry']).toBeUndefined();
    h.upstream.respond = (_request, response) => void response.socket?.destroy();
    const unreachable = await h.raw('GET', '/v1/models', { authorization: `Bearer ${secret}` });
    expect(unreachable.status).toBe(502);
    expect(unreachable.headers['x-should-retry']).toBeUndefined();
    // The rule goes by code, not status alone: a rate limit is worth retrying.
    expect(new ProxyError(429, 'invalid_request_error', 'rate_limit_exceeded', 'Slow down.').final).toBe(false);
    expect(proxyErrors.quotaSpent().final).toBe(true);
  });
});
