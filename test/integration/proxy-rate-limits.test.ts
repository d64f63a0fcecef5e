import OpenAI from 'openai';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RateLimits } from '../../electron/shared/types';
import { refusal } from '../helpers/api-refusal';
import { deferred } from '../helpers/deferred';
import { usageRows } from '../helpers/proxy-fixtures';
import type { ProxyHarness } from '../helpers/proxy-harness';
import { useProxyHarness } from '../helpers/proxy-harness-per-file';
import { chatStreamEvents } from '../helpers/stand-in-upstream';
import { openSocket, type TestSocket } from '../helpers/ws-client';
import type { RecordedUpgrade } from '../helpers/ws-stand-in';

/** The proxy's clock: pinned, moved by the tests (the sliding windows read it). */
const START = Date.parse('2026-12-04T10:00:00Z');
let clock = START;

const h = useProxyHarness({ now: () => clock });
beforeEach(() => {
  clock = START;
});

function keyWithRateLimits(limits: Partial<RateLimits>, fixture: Parameters<ProxyHarness['subkey']>[0] = {}): { id: string; secret: string } {
  const key = h.subkey(fixture);
  h.db
    .prepare('UPDATE subkeys SET rate_requests_per_minute = ?, rate_tokens_per_minute = ?, rate_max_concurrent = ? WHERE id = ?')
    .run(limits.requestsPerMinute ?? null, limits.tokensPerMinute ?? null, limits.maxConcurrent ?? null, key.id);
  return key;
}

function spendOf(subkeyId: string, metric: string, window: string): number {
  return h.db.prepare('SELECT coalesce(sum(amount), 0) FROM spend WHERE subkey_id = ? AND metric = ? AND window = ?').pluck().get(subkeyId, metric, window) as number;
}

const body = (extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }], ...extra });
const chat = (client: OpenAI, extra: Record<string, unknown> = {}, options: OpenAI.RequestOptions = {}) =>
  client.chat.completions.create(body(extra) as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, options);

/** The six headers, as one object (absent ones undefined). */
function rateHeaders(headers: Headers | undefined): Record<string, string | null> {
  const names = ['limit-requests', 'remaining-requests', 'reset-requests', 'limit-tokens', 'remaining-tokens', 'reset-tokens'];
  return Object.fromEntries(names.map((name) => [name, headers?.get(`x-ratelimit-${name}`) ?? null]));
}

/** Keeps upstream from answering until `release` is called (then it answers as usual). */
function holdUpstream(): { release: () => void; arrived: () => number } {
  const gate = deferred<void>();
  let arrived = 0;
  h.upstream.respond = (_request, response) => {
    arrived++;
    const answer = JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 } });
    void gate.promise.then(() => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(answer);
    });
  };
  return { release: () => gate.resolve(), arrived: () => arrived };
}

describe('requests per minute', () => {
  it('lets exactly 10 of 100 concurrent requests through on a limit of 10', async () => {
    const { id, secret } = keyWithRateLimits({ requestsPerMinute: 10 });
    const client = h.client(secret);
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => chat(client)));
    const ok = results.filter((result) => result.status === 'fulfilled');
    const refused = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected').map((result) => result.reason as InstanceType<typeof OpenAI.APIError>);
    expect(ok).toHaveLength(10);
    expect(h.upstream.requests).toHaveLength(10);
    expect(refused).toHaveLength(90);
    for (const error of refused) {
      expect(error.status).toBe(429);
      expect(error.code).toBe('rate_limit_exceeded');
      expect(error.type).toBe('requests');
    }
    await h.settled();
    const rows = usageRows(h.db).filter((row) => row.subkey_id === id);
    expect(rows.filter((row) => row.refusal === 'rate_limit_exceeded')).toHaveLength(90);
  });

  it('answers 429 with Retry-After and without x-should-retry: false, and slides: a request frees its place 60 s after it went', async () => {
    const { secret } = keyWithRateLimits({ requestsPerMinute: 2 });
    const client = h.client(secret);
    await chat(client);
    clock = START + 30_000;
    await chat(client);
    clock = START + 45_000;
    const error = await refusal(chat(client));
    expect(error.status).toBe(429);
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.type).toBe('requests');
    expect(error.message).toContain('requests per min (RPM): Limit 2, Used 2, Requested 1');
    // The first request leaves the window at START + 60 s.
    expect(error.headers?.get('retry-after')).toBe('15');
    expect(error.headers?.get('retry-after-ms')).toBe('15000');
    expect(error.headers?.get('x-should-retry')).toBeNull();
    expect(rateHeaders(error.headers)).toMatchObject({ 'limit-requests': '2', 'remaining-requests': '0', 'reset-requests': '45s' });

    // Not a clock minute: at START + 60 s the first request has left, the second (at 30 s) has not.
    clock = START + 60_000;
    await chat(client);
    clock = START + 61_000;
    const again = await refusal(chat(client));
    expect(again.headers?.get('retry-after')).toBe('29');
    expect(h.upstream.requests).toHaveLength(3);
  });

  it('is retried by the SDK on its own, and the retry passes once the window has room', async () => {
    const { id, secret } = keyWithRateLimits({ maxConcurrent: 1 });
    const held = holdUpstream();
    const first = chat(h.client(secret));
    await waitUntil(() => held.arrived() === 1);
    // Default retries (2): the SDK reads Retry-After (1 s) and tries again, as nothing told it not to.
    const retrying = new OpenAI({ apiKey: secret, baseURL: h.running.baseURL, timeout: 15_000 });
    const second = chat(retrying);
    await waitUntil(() => usageRows(h.db).some((row) => row.subkey_id === id && row.refusal === 'rate_limit_exceeded'), () => h.running.proxy.flush());
    held.release();
    await expect(first).resolves.toMatchObject({ object: 'chat.completion' });
    await expect(second).resolves.toMatchObject({ object: 'chat.completion' });
    expect(h.upstream.requests).toHaveLength(2);
  });
});

describe('the x-ratelimit headers', () => {
  it("carry the key's own limits on forwarded answers (replacing upstream's), streams and refusals of any kind", async () => {
    const { secret } = keyWithRateLimits({ requestsPerMinute: 5, tokensPerMinute: 100_000 }, { allowModels: ['gpt-4o-mini'] });
    const client = h.client(secret);
    const sent = body({ max_tokens: 100 });
    const estimate = Math.ceil(Buffer.byteLength(JSON.stringify(sent)) / 4) + 100;

    // The stand-in answers `x-ratelimit-remaining-requests: 99` (the real key's): the key's own value replaces it.
    const json = await client.chat.completions.create(sent).withResponse();
    expect(rateHeaders(json.response.headers)).toEqual({
      'limit-requests': '5',
      'remaining-requests': '4',
      'reset-requests': '1m0s',
      'limit-tokens': '100000',
      // As the answer starts, the request holds its estimate; it settles to the 18 tokens reported afterwards.
      'remaining-tokens': String(100_000 - estimate),
      'reset-tokens': '1m0s',
    });

    clock = START + 54_000;
    const stream = await client.chat.completions.create({ ...body(), stream: true, max_tokens: 10 }).withResponse();
    for await (const chunk of stream.data) void chunk;
    expect(rateHeaders(stream.response.headers)).toMatchObject({ 'remaining-requests': '3', 'reset-requests': '1m0s' });
    expect(stream.response.headers.get('content-type')).toContain('text/event-stream');

    // A refusal by the model policy reserves nothing: it shows both settled requests (18 tokens each).
    clock = START + 55_000;
    const forbidden = await refusal(client.chat.completions.create({ ...body(), model: 'gpt-4o' }));
    expect(forbidden.status).toBe(403);
    expect(rateHeaders(forbidden.headers)).toEqual({
      'limit-requests': '5',
      'remaining-requests': '3',
      'reset-requests': '59s',
      'limit-tokens': '100000',
      'remaining-tokens': String(100_000 - 36),
      'reset-tokens': '59s',
    });

    // An upstream error is answered with the key's headers too.
    h.upstream.respond = (_request, response) => {
      response.writeHead(500, { 'content-type': 'application/json', 'x-ratelimit-limit-requests': '10000' });
      response.end('{"error":{"message":"boom","type":"server_error","param":null,"code":null}}');
    };
    const failed = await refusal(chat(client));
    expect(failed.status).toBe(500);
    expect(rateHeaders(failed.headers)).toMatchObject({ 'limit-requests': '5', 'remaining-requests': '2' });
  });

  it('leaves upstream headers for a limit the key does not set, and keys without rate limits untouched', async () => {
    const limited = keyWithRateLimits({ tokensPerMinute: 50_000 });
    const answer = await chat(h.client(limited.secret)).withResponse();
    expect(rateHeaders(answer.response.headers)).toMatchObject({ 'remaining-requests': '99', 'limit-requests': null, 'limit-tokens': '50000' });
    const plain = h.subkey();
    const untouched = await chat(h.client(plain.secret)).withResponse();
    expect(rateHeaders(untouched.response.headers)).toMatchObject({ 'remaining-requests': '99', 'limit-tokens': null });
  });
});

describe('tokens per minute', () => {
  it('reserves the same estimate as a tokens budget, refuses what does not fit, and settles to usage', async () => {
    const { id, secret } = keyWithRateLimits({ tokensPerMinute: 1000 });
    h.db.prepare('UPDATE subkeys SET budgets = ? WHERE id = ?').run(JSON.stringify([{ metric: 'tokens', limit: 1_000_000, window: 'day' }]), id);
    const client = h.client(secret);
    const held = holdUpstream();
    const first = chat(client, { max_tokens: 500 });
    await waitUntil(() => held.arrived() === 1);

    const error = await refusal(chat(client, { max_tokens: 500 }));
    expect(error.status).toBe(429);
    expect(error.type).toBe('tokens');
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.headers?.get('x-should-retry')).toBeNull();
    // "Used" is what the first request reserved: exactly what its tokens budget holds (one estimate for both).
    const used = Number(/Used (\d+)/.exec(error.message)![1]);
    h.running.proxy.flush();
    expect(used).toBe(spendOf(id, 'tokens', 'day'));
    expect(used).toBe(Math.ceil(Buffer.byteLength(JSON.stringify(body({ max_tokens: 500 }))) / 4) + 500);
    expect(error.headers?.get('retry-after')).toBe('60');

    held.release();
    await first;
    await h.settled();
    // Settled to the 18 tokens reported: the same request fits now.
    await chat(client, { max_tokens: 500 });
    expect(h.upstream.requests).toHaveLength(2);
  });

  it('refuses a request larger than the whole limit as one not to retry', async () => {
    const { secret } = keyWithRateLimits({ tokensPerMinute: 1000 });
    // No max_tokens: the default output cap (4,096) is reserved.
    const error = await refusal(chat(h.client(secret)));
    expect(error.status).toBe(429);
    expect(error.type).toBe('tokens');
    expect(error.message).toContain('Request too large');
    expect(error.headers?.get('x-should-retry')).toBe('false');
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('settles a stream to the usage it reported, and gives back the tokens of a non-2xx answer', async () => {
    const { secret } = keyWithRateLimits({ tokensPerMinute: 10_000 });
    const client = h.client(secret);
    const stream = await client.chat.completions.create({ ...body(), stream: true, max_tokens: 50 });
    for await (const chunk of stream) void chunk;
    h.upstream.respond = (_request, response) => {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end('{"error":{"message":"bad","type":"invalid_request_error","param":null,"code":null}}');
    };
    await refusal(chat(client, { max_tokens: 50 }));
    h.upstream.reset();
    // GET /v1/models reserves no tokens: its answer shows the window as the two requests left it.
    const models = await client.models.list().withResponse();
    expect(rateHeaders(models.response.headers)['remaining-tokens']).toBe(String(10_000 - 18));
  });
});

describe('requests in flight', () => {
  it('refuses a request past maxConcurrent with 429 (type requests, Retry-After 1) and frees places when answers end', async () => {
    const { secret } = keyWithRateLimits({ maxConcurrent: 2 });
    const client = h.client(secret);
    const held = holdUpstream();
    const calls = [chat(client), chat(client)];
    await waitUntil(() => held.arrived() === 2);
    const error = await refusal(chat(client));
    expect(error.status).toBe(429);
    expect(error.type).toBe('requests');
    expect(error.message).toContain('concurrent requests: Limit 2, In flight 2');
    expect(error.headers?.get('retry-after')).toBe('1');
    expect(error.headers?.get('x-should-retry')).toBeNull();
    held.release();
    await Promise.all(calls);
    await Promise.all([chat(client), chat(client)]);
    expect(h.upstream.requests).toHaveLength(4);
  });

  it('frees the place of a stream when it ends and when its client leaves it early', async () => {
    const { secret } = keyWithRateLimits({ maxConcurrent: 1 });
    const client = h.client(secret);
    const stream = await client.chat.completions.create({ ...body(), stream: true });
    // While the stream is open, the key has no place left.
    expect((await refusal(chat(client))).code).toBe('rate_limit_exceeded');
    for await (const chunk of stream) void chunk;
    await chat(client);

    h.upstream.respond = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(chatStreamEvents('gpt-4o-mini', true)[0]);
      // …and never finishes: the client leaves.
    };
    const controller = new AbortController();
    const open = await client.chat.completions.create({ ...body(), stream: true }, { signal: controller.signal });
    expect((await refusal(chat(client))).code).toBe('rate_limit_exceeded');
    for await (const chunk of open) {
      void chunk;
      controller.abort();
    }
    await waitUntil(() => h.upstream.aborted.length === 1);
    h.upstream.reset();
    await chat(client);
  });
});

describe('WebSocket responses', () => {
  async function openResponses(secret: string): Promise<{ client: TestSocket; upgrade: RecordedUpgrade }> {
    const upgrade = h.upstream.sockets.nextUpgrade();
    const client = await openSocket(h.running.port, '/v1/responses', { headers: { authorization: `Bearer ${secret}` } });
    return { client, upgrade: await upgrade };
  }

  /** Sends a response.create and waits for what answers it: its completion or the error event refusing it. */
  async function create(client: TestSocket, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const seen = client.events.length;
    client.send({ type: 'response.create', model: 'gpt-4o', input: 'hi', max_output_tokens: 64, ...extra });
    return client.nextEvent((event) => client.events.indexOf(event) >= seen && (event.type === 'response.completed' || event.type === 'error'));
  }

  const relayedCreates = (upgrade: RecordedUpgrade) => upgrade.events.filter((event) => (event as { type?: string }).type === 'response.create').length;

  it('counts each response.create against requests per minute: past the limit an error event, the socket stays open', async () => {
    const { secret } = keyWithRateLimits({ requestsPerMinute: 2 });
    const { client, upgrade } = await openResponses(secret);
    expect((await create(client)).type).toBe('response.completed');
    expect((await create(client)).type).toBe('response.completed');
    const refused = await create(client);
    expect(refused).toMatchObject({ type: 'error', status: 429, error: { type: 'requests', code: 'rate_limit_exceeded' } });
    expect((refused.error as { message: string }).message).toContain('requests per min (RPM): Limit 2, Used 2');
    expect(relayedCreates(upgrade)).toBe(2);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    clock = START + 60_000;
    expect((await create(client)).type).toBe('response.completed');
    client.socket.close();
  });

  it('holds a place in flight per response until its final event, or until the socket closes', async () => {
    const { secret } = keyWithRateLimits({ maxConcurrent: 1 });
    const { client, upgrade } = await openResponses(secret);
    h.upstream.sockets.respond = (event, socket) => {
      if (event.input !== 'slow') return false;
      socket.socket.send(JSON.stringify({ type: 'response.created', response: { id: 'resp_slow', object: 'response', model: event.model, status: 'in_progress' } }));
    };
    client.send({ type: 'response.create', model: 'gpt-4o', input: 'slow', max_output_tokens: 64 });
    await client.nextEvent((event) => event.type === 'response.created');
    const refused = await create(client);
    expect(refused).toMatchObject({ status: 429, error: { type: 'requests', code: 'rate_limit_exceeded' } });
    expect((refused.error as { message: string }).message).toContain('concurrent requests: Limit 1, In flight 1');
    // Upstream finishes the slow response: the place frees.
    upgrade.socket.send(JSON.stringify({ type: 'response.completed', response: { id: 'resp_slow', object: 'response', model: 'gpt-4o', status: 'completed', usage: { input_tokens: 5, output_tokens: 3, total_tokens: 8 } } }));
    await client.nextEvent((event) => event.type === 'response.completed');
    expect((await create(client)).type).toBe('response.completed');

    // A socket closed with a response in flight gives its place back when the response is settled at the close.
    client.send({ type: 'response.create', model: 'gpt-4o', input: 'slow', max_output_tokens: 64 });
    await client.nextEvent((event) => event.type === 'response.created' && client.events.filter((each) => each.type === 'response.created').length === 3);
    client.socket.close();
    await client.closed;
    const next = await openResponses(secret);
    expect((await create(next.client)).type).toBe('response.completed');
    next.client.socket.close();
  });

  it('reserves a response\'s tokens per minute with the budgets\' estimate and settles them to its usage', async () => {
    const { secret } = keyWithRateLimits({ tokensPerMinute: 1000 });
    const { client } = await openResponses(secret);
    expect((await create(client, { max_output_tokens: 600 })).type).toBe('response.completed');
    // Settled to the 8 tokens reported, so a second 600 fits; reserved while it is in flight, so a third does not.
    h.upstream.sockets.respond = () => undefined;
    client.send({ type: 'response.create', model: 'gpt-4o', input: 'hi', max_output_tokens: 600 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.events.filter((event) => event.type === 'error')).toHaveLength(0);
    const refused = await create(client, { max_output_tokens: 600 });
    expect(refused).toMatchObject({ status: 429, error: { type: 'tokens', code: 'rate_limit_exceeded' } });
    client.socket.close();
  });
});

/** Polls `condition` (running `before` first each time) until it holds, for at most 5 s. */
async function waitUntil(condition: () => boolean, before?: () => void): Promise<void> {
  const until = Date.now() + 5000;
  for (;;) {
    before?.();
    if (condition()) return;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
