import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import { createUsageService } from '../../electron/core/services/usage';
import { insertSubkey, insertUpstream, remainingOf, testSecretBox, usageRows } from '../helpers/proxy-fixtures';
import { UPSTREAM_KEY, type RawAnswer } from '../helpers/proxy-harness';
import { useProxyHarness } from '../helpers/proxy-harness-per-file';

const h = useProxyHarness({ maxBodyBytes: 4096, upstreamTimeoutMs: 300 });

/** Asserts OpenAI's error shape, that no key leaked, and returns the error. */
function openAiError(answer: RawAnswer, ...secrets: string[]): { message: string; type: string; param: string | null; code: string | null } {
  const parsed = JSON.parse(answer.body) as { error: { message: string; type: string; param: string | null; code: string | null } };
  expect(Object.keys(parsed.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  for (const secret of [UPSTREAM_KEY, ...secrets]) expect(answer.body).not.toContain(secret);
  return parsed.error;
}

const chat = (model: string): string => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] });
const json = (secret: string): Record<string, string> => ({ authorization: `Bearer ${secret}`, 'content-type': 'application/json' });

describe('authentication', () => {
  it('refuses missing, unknown, disabled and expired keys with 401, forwarding nothing; logs known keys, counts the rest', async () => {
    const disabled = h.subkey({ enabled: false });
    const expired = h.subkey({ expiresAt: Date.now() - 1000 });
    const cases: [Record<string, string>, string][] = [
      [{ 'content-type': 'application/json' }, 'missing_api_key'],
      [json('sk-kg-doesnotexist000000000000000000000000000'), 'invalid_api_key'],
      [{ authorization: 'Basic abc', 'content-type': 'application/json' }, 'missing_api_key'],
      [json(disabled.secret), 'subkey_disabled'],
      [json(expired.secret), 'subkey_expired'],
    ];
    const before = usageRows(h.db).length;
    for (const [headers, code] of cases) {
      const answer = await h.raw('POST', '/v1/chat/completions', headers, chat('gpt-4o'));
      expect(answer.status).toBe(401);
      const error = openAiError(answer, disabled.secret, expired.secret, 'sk-kg-doesnotexist000000000000000000000000000');
      expect(error).toMatchObject({ type: 'authentication_error', code });
    }
    expect(h.upstream.requests).toHaveLength(0);
    await h.settled();
    const rows = usageRows(h.db).slice(before);
    expect(rows.map((row) => [row.subkey_id, row.status, row.refusal])).toEqual([
      [disabled.id, 401, 'subkey_disabled'],
      [expired.id, 401, 'subkey_expired'],
    ]);
    expect(createUsageService({ db: h.db }).refusals()).toEqual(
      expect.arrayContaining([
        { reason: 'missing_api_key', lastDay: 2, lastWeek: 2 },
        { reason: 'invalid_api_key', lastDay: 1, lastWeek: 1 },
      ]),
    );
  });

  it('refuses through the SDK too', async () => {
    await expect(h.client('sk-kg-wrong').models.list()).rejects.toMatchObject({ status: 401 });
    expect(h.upstream.requests).toHaveLength(0);
  });
});

describe('model policy', () => {
  it('refuses a forbidden JSON model with 403 and never forwards it', async () => {
    const { secret } = h.subkey({ allowModels: ['gpt-4o*'], denyModels: ['gpt-4o-mini'] });
    const client = h.client(secret);
    await expect(client.chat.completions.create({ model: 'gpt-3.5-turbo', messages: [] })).rejects.toMatchObject({ status: 403, code: 'model_not_allowed' });
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] })).rejects.toMatchObject({ status: 403 });
    expect(h.upstream.requests).toHaveLength(0);
    await client.chat.completions.create({ model: 'gpt-4o', messages: [] });
    expect(h.upstream.requests).toHaveLength(1);
  });

  it('checks the multipart model field', async () => {
    const { secret } = h.subkey({ allowModels: ['whisper-1'] });
    const file = await toFile(Buffer.from('abc'), 'a.mp3');
    await expect(h.client(secret).audio.translations.create({ file, model: 'gpt-4o-transcribe' })).rejects.toMatchObject({ status: 403 });
    expect(h.upstream.requests).toHaveLength(0);
    await h.client(secret).audio.translations.create({ file: await toFile(Buffer.from('abc'), 'a.mp3'), model: 'whisper-1' });
    expect(h.upstream.requests).toHaveLength(1);
  });

  it('checks ?model= and /models/{model}; hides forbidden models (404) and filters the list', async () => {
    const { secret } = h.subkey({ allowModels: ['gpt-4o*', 'openai/*'] });
    const forbidden = await h.raw('GET', '/v1/chat/completions?model=gpt-3.5-turbo', json(secret));
    expect(forbidden.status).toBe(403);
    const twice = await h.raw('GET', '/v1/chat/completions?model=gpt-4o&model=gpt-3.5-turbo', json(secret));
    expect(twice.status).toBe(400);
    const unnamed = await h.raw('GET', '/v1/chat/completions', json(secret));
    expect(unnamed.status).toBe(403);
    expect(openAiError(unnamed, secret).code).toBe('model_required');
    await expect(h.client(secret).models.retrieve('dall-e-3')).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    await expect(h.client(secret).models.delete('dall-e-3')).rejects.toMatchObject({ status: 404 });
    expect(h.upstream.requests).toHaveLength(0);

    expect((await h.client(secret).models.retrieve('gpt-4o')).id).toBe('gpt-4o');
    const slashed = await h.raw('GET', '/v1/models/openai/gpt-5', json(secret));
    expect(slashed.status).toBe(200);
    const list = await h.client(secret).models.list();
    expect(list.data.map((model) => model.id)).toEqual(['gpt-4o', 'gpt-4o-mini']);
    const unrestricted = h.subkey();
    expect((await h.client(unrestricted.secret).models.list()).data.length).toBe(7);
  });

  it('refuses requests whose model cannot be determined, and indirect endpoints, for restricted keys', async () => {
    const restricted = h.subkey({ allowModels: ['gpt-4o'] });
    const noModel = await h.raw('POST', '/v1/responses', json(restricted.secret), JSON.stringify({ prompt: { id: 'pmpt_1' }, input: 'hi' }));
    expect(noModel.status).toBe(403);
    expect(openAiError(noModel).code).toBe('model_required');
    const batch = await h.client(restricted.secret).batches.create({ input_file_id: 'file-1', endpoint: '/v1/chat/completions', completion_window: '24h' }).catch((error: unknown) => error);
    expect(batch).toMatchObject({ status: 403, code: 'endpoint_not_allowed' });
    const realtime = await h.raw('POST', '/v1/realtime/client_secrets', json(restricted.secret), JSON.stringify({ session: { type: 'realtime', model: 'gpt-4o' } }));
    expect(realtime.status).toBe(403);
    const nested = await h.raw('POST', '/v1/responses', json(restricted.secret), JSON.stringify({ model: 'gpt-4o', input: 'x', tools: [{ type: 'image_generation', model: 'gpt-image-1' }] }));
    expect(nested.status).toBe(403);
    const wrongType = await h.raw('POST', '/v1/chat/completions', { authorization: `Bearer ${restricted.secret}`, 'content-type': 'text/plain' }, chat('gpt-4o'));
    expect(wrongType.status).toBe(403);
    const unknownEndpoint = await h.raw('POST', '/v1/some/new/thing', json(restricted.secret), JSON.stringify({ model: 'gpt-4o' }));
    expect(unknownEndpoint.status).toBe(404);
    expect(openAiError(unknownEndpoint).code).toBe('unknown_endpoint');
    expect(h.upstream.requests).toHaveLength(0);

    const open = h.subkey();
    // Without a policy too: a batch counts per line of an input file read at upload through the same key.
    const batchOpen = await h.client(open.secret).batches.create({ input_file_id: 'file-1', endpoint: '/v1/chat/completions', completion_window: '24h' }).catch((error: unknown) => error);
    expect(batchOpen).toMatchObject({ status: 403, code: 'batch_input_not_allowed' });
    expect(h.upstream.requests).toHaveLength(0);
  });
});

describe('quota', () => {
  it('answers 429 insufficient_quota when spent, without forwarding, and logs it', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 1 });
    await h.client(secret).chat.completions.create({ model: 'gpt-4o', messages: [] });
    const error = await h.client(secret).chat.completions.create({ model: 'gpt-4o', messages: [] }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 429, type: 'insufficient_quota', code: 'insufficient_quota' });
    expect(h.upstream.requests).toHaveLength(1);
    await h.settled();
    expect(remainingOf(h.db, id)).toBe(0);
    expect(usageRows(h.db).filter((row) => row.subkey_id === id).map((row) => [row.status, row.refusal])).toEqual([
      [200, null],
      [429, 'insufficient_quota'],
    ]);
  });
});

describe('bad requests', () => {
  it('answers bad JSON with 400 and bodies over the limit with 413, forwarding neither', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 3 });
    const bad = await h.raw('POST', '/v1/chat/completions', json(secret), '{"model": "gpt-4o",');
    expect(bad.status).toBe(400);
    expect(openAiError(bad, secret).code).toBe('invalid_json');
    const big = await h.raw('POST', '/v1/chat/completions', json(secret), JSON.stringify({ model: 'gpt-4o', input: 'x'.repeat(5000) }));
    expect(big.status).toBe(413);
    const chunked = await new Promise<number>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port: h.running.port, method: 'POST', path: '/v1/files', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' } }, (response) => {
        response.resume();
        resolve(response.statusCode!);
      });
      request.on('error', reject);
      for (let i = 0; i < 10; i++) request.write(Buffer.alloc(1000));
      request.end();
    });
    expect(chunked).toBe(413);
    await expect(
      h.client(secret).audio.transcriptions.create({ file: await toFile(Buffer.alloc(5000), 'a.mp3'), model: 'whisper-1' }),
    ).rejects.toMatchObject({ status: 413 });
    expect(h.upstream.requests).toHaveLength(0);
    await h.settled();
    expect(remainingOf(h.db, id)).toBe(3);
  });
});

describe('upstream failures', () => {
  it('answers 502 when upstream is unreachable and refunds', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const box = testSecretBox();
    const deadUpstream = insertUpstream(h.db, box, { baseUrl: `http://127.0.0.1:${port}`, apiKey: UPSTREAM_KEY });
    const { id, secret } = insertSubkey(h.db, { upstreamId: deadUpstream, remainingRequests: 2 });
    const error = await h.client(secret).chat.completions.create({ model: 'gpt-4o', messages: [] }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 502, code: 'upstream_unreachable' });
    await h.settled();
    expect(remainingOf(h.db, id)).toBe(2);
  });

  it('answers 504 when upstream stays silent past the timeout and refunds', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 2 });
    h.upstream.respond = () => true;
    const answer = await h.raw('POST', '/v1/chat/completions', json(secret), chat('gpt-4o'));
    expect(answer.status).toBe(504);
    expect(openAiError(answer, secret).code).toBe('upstream_timeout');
    await h.settled();
    expect(remainingOf(h.db, id)).toBe(2);
  });

  it('answers 500 asking to re-enter the key when the upstream key cannot be decrypted', async () => {
    const otherBox = testSecretBox(0x33);
    const sealedElsewhere = insertUpstream(h.db, otherBox, { baseUrl: h.upstream.baseUrl, apiKey: UPSTREAM_KEY });
    const { id, secret } = insertSubkey(h.db, { upstreamId: sealedElsewhere, remainingRequests: 1 });
    const answer = await h.raw('POST', '/v1/chat/completions', json(secret), chat('gpt-4o'));
    expect(answer.status).toBe(500);
    const error = openAiError(answer, secret);
    expect(error.message).toMatch(/re-enter the upstream key/i);
    expect(h.upstream.requests).toHaveLength(0);
    await h.settled();
    expect(remainingOf(h.db, id)).toBe(1);
  });
});

describe('paths', () => {
  it('refuses dot segments (plain or percent-encoded) that would leave /v1 upstream', async () => {
    const { secret } = h.subkey();
    for (const path of ['/v1/../dashboard/billing', '/v1/%2e%2e/dashboard', '/v1/models/./x', '/v1/%2E%2E%5Cadmin']) {
      const answer = await h.raw('GET', path, { authorization: `Bearer ${secret}` });
      expect(answer.status, path).toBe(400);
      expect(openAiError(answer, secret).code).toBe('invalid_path');
    }
    expect(h.upstream.requests).toHaveLength(0);
  });
});

describe('DNS-rebinding guard', () => {
  it('refuses a request whose Host is not loopback, forwarding nothing', async () => {
    const { secret } = h.subkey();
    const answer = await h.raw('GET', '/v1/models', { host: 'evil.example.com', authorization: `Bearer ${secret}` });
    expect(answer.status).toBe(403);
    expect(openAiError(answer, secret).code).toBe('host_not_allowed');
    const loopback = await h.raw('GET', '/v1/models', { host: `localhost:${h.running.port}`, authorization: `Bearer ${secret}` });
    expect(loopback.status).toBe(200);
    expect(h.upstream.requests).toHaveLength(1);
  });
});
