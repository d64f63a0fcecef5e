import OpenAI, { toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import { insertSubkey, insertUpstream, remainingOf, testSecretBox, usageRows } from '../helpers/proxy-fixtures';
import { UPSTREAM_KEY } from '../helpers/proxy-harness';
import { useProxyHarness } from '../helpers/proxy-harness-per-file';
import { CHAT_USAGE, SPEECH_BYTES } from '../helpers/stand-in-upstream';

const notified: (string | null)[] = [];

const h = useProxyHarness({ onUsage: (subkeyId) => notified.push(subkeyId) });

describe('forwarding', () => {
  it('swaps in the upstream key, keeps path and query, and answers what upstream answered', async () => {
    const { secret } = h.subkey();
    const completion = await h.client(secret).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]!.message.content).toBe('Hello world');
    expect(h.upstream.requests).toHaveLength(1);
    const seen = h.upstream.requests[0]!;
    expect(seen.url).toBe('/v1/chat/completions');
    expect(seen.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(JSON.stringify(seen.headers)).not.toContain(secret);
    expect(JSON.parse(seen.body.toString())).toEqual({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });

    const listed = await h.raw('GET', '/v1/files?purpose=batch&limit=2', { authorization: `Bearer ${secret}` });
    expect(listed.status).toBe(200);
    expect(h.upstream.requests.at(-1)!.url).toBe('/v1/files?purpose=batch&limit=2');
  });

  it('accepts the sub-key in x-api-key and api-key, and strips them (and cookies) before forwarding', async () => {
    const { secret } = h.subkey();
    for (const header of ['x-api-key', 'api-key']) {
      const answer = await h.raw('GET', '/v1/models', { [header]: secret, cookie: 'session=abc', 'openai-organization': 'org-other', connection: 'keep-alive, x-hop', 'x-hop': '1', 'x-kept': '2' });
      expect(answer.status).toBe(200);
      const seen = h.upstream.requests.at(-1)!.headers;
      expect(seen.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
      expect(seen[header]).toBeUndefined();
      expect(seen.cookie).toBeUndefined();
      expect(seen['openai-organization']).toBeUndefined();
      expect(seen['x-hop']).toBeUndefined();
      expect(seen['x-kept']).toBe('2');
      expect(answer.headers['set-cookie']).toBeUndefined();
    }
  });

  it('passes back status, useful headers and the body', async () => {
    const { secret } = h.subkey();
    const answer = await h.raw('POST', '/v1/chat/completions', { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, '{"model":"gpt-4o","messages":[]}');
    expect(answer.status).toBe(200);
    expect(answer.headers['x-request-id']).toBe('req_standin');
    expect(answer.headers['x-ratelimit-remaining-requests']).toBe('99');
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(JSON.parse(answer.body).usage).toEqual(CHAT_USAGE);

    h.upstream.respond = (_request, response) => {
      response.writeHead(418, { 'content-type': 'application/json', 'retry-after': '3' });
      response.end('{"error":{"message":"teapot","type":"invalid_request_error","param":null,"code":null}}');
    };
    const teapot = await h.raw('POST', '/v1/embeddings', { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, '{"model":"text-embedding-3-small","input":"x"}');
    expect(teapot.status).toBe(418);
    expect(teapot.headers['retry-after']).toBe('3');
    expect(JSON.parse(teapot.body).error.message).toBe('teapot');
  });

  it('returns binary answers byte for byte', async () => {
    const { secret } = h.subkey();
    const speech = await h.client(secret).audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hello' });
    expect(speech.headers.get('content-type')).toBe('audio/mpeg');
    expect(Buffer.from(await speech.arrayBuffer()).equals(SPEECH_BYTES)).toBe(true);
  });

  it('forwards multipart uploads unchanged and reads their model field', async () => {
    const { secret } = h.subkey();
    const audio = Buffer.from(Array.from({ length: 50_000 }, (_, index) => index % 251));
    const transcription = await h.client(secret).audio.transcriptions.create({ file: await toFile(audio, 'a.mp3', { type: 'audio/mpeg' }), model: 'whisper-1' });
    expect(transcription.text).toMatch(/^received \d+ bytes$/);
    const seen = h.upstream.requests.at(-1)!;
    expect(seen.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen.body.includes(audio)).toBe(true);
    expect(Number(seen.headers['content-length'])).toBe(seen.body.length);
    await h.settled();
    expect(usageRows(h.db).at(-1)).toMatchObject({ path: '/v1/audio/transcriptions', model: 'whisper-1', status: 200 });
  });

  it('records one usage row per request with tokens, and spends one request per 2xx', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 5 });
    await h.client(secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    await h.client(secret).embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
    await h.settled();
    const rows = usageRows(h.db).filter((row) => row.subkey_id === id);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', model: 'gpt-4o-mini', status: 200, prompt_tokens: 11, completion_tokens: 7, total_tokens: 18, refusal: null });
    expect(rows[0]!.latency_ms).toBeGreaterThan(0);
    expect(rows[1]).toMatchObject({ path: '/v1/embeddings', prompt_tokens: 4, completion_tokens: null, total_tokens: 4 });
    expect(remainingOf(h.db, id)).toBe(3);
  });

  it('refunds a request upstream answered with an error', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 2 });
    h.upstream.respond = (_request, response) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end('{"error":{"message":"boom","type":"server_error","param":null,"code":null}}');
    };
    await expect(h.client(secret).chat.completions.create({ model: 'gpt-4o', messages: [] })).rejects.toMatchObject({ status: 500 });
    await h.settled();
    expect(remainingOf(h.db, id)).toBe(2);
    expect(usageRows(h.db).at(-1)).toMatchObject({ subkey_id: id, status: 500, refusal: null });
  });

  it('answers every /v1 endpoint, including ones with ids in the path', async () => {
    const { secret } = h.subkey();
    const client = h.client(secret);
    await client.files.retrieve('file-abc');
    await client.beta.threads.messages.list('thread_1');
    await client.batches.cancel('batch_1');
    expect(h.upstream.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET /v1/files/file-abc',
      'GET /v1/threads/thread_1/messages',
      'POST /v1/batches/batch_1/cancel',
    ]);
  });

  it('keeps the path prefix of an upstream base URL (e.g. https://openrouter.ai/api)', async () => {
    const upstreamId = insertUpstream(h.db, testSecretBox(), { baseUrl: `${h.upstream.baseUrl}/api/`, apiKey: UPSTREAM_KEY });
    const { secret } = insertSubkey(h.db, { upstreamId });
    await h.client(secret).embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
    expect(h.upstream.requests.at(-1)!.url).toBe('/api/v1/embeddings');
  });

  it('calls onUsage once the usage of a request is written', async () => {
    const { id, secret } = h.subkey();
    notified.length = 0;
    await h.client(secret).models.list();
    await h.settled();
    expect(notified).toContain(id);
  });

  it('answers anything outside /v1 with an OpenAI-shaped 404, forwarding nothing', async () => {
    const answer = await h.raw('GET', '/admin/x', {});
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: 'unknown_url' } });
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('answers CORS preflights and allows any origin without credentials', async () => {
    const answer = await h.raw('OPTIONS', '/v1/chat/completions', {
      origin: 'http://localhost:3000',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type, x-stainless-os',
    });
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(answer.headers['access-control-allow-headers']).toContain('x-stainless-os');
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('is usable by the SDK with a sub-key sent as x-api-key', async () => {
    const { secret } = h.subkey();
    const client = new OpenAI({ apiKey: 'unused', baseURL: h.running.baseURL, maxRetries: 0, defaultHeaders: { authorization: null as never, 'x-api-key': secret } });
    const models = await client.models.list();
    expect(models.data.length).toBeGreaterThan(0);
  });
});
