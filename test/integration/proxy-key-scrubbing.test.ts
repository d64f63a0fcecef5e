import { request as httpRequest } from 'node:http';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { deferred } from '../helpers/deferred';
import { UPSTREAM_KEY } from '../helpers/proxy-harness';
import { useProxyHarness } from '../helpers/proxy-harness-per-file';
import type { RecordedRequest } from '../helpers/stand-in-upstream';

const MASK = `sk-…${UPSTREAM_KEY.slice(-4)}`;
const h = useProxyHarness();

/** What the proxy forwarded as `Authorization` (the real key): what an echoing upstream sends back. */
const echoed = (request: RecordedRequest): string => String(request.headers.authorization);

/** Everything the client received, headers and body as bytes turned into text, for one search. */
function everything(answer: { headers: Record<string, string | string[] | undefined>; body: string }): string {
  return JSON.stringify(answer.headers) + answer.body;
}

describe('the real key never reaches the client', () => {
  it('masks it in an upstream error that echoes the Authorization header, as the SDK sees it', async () => {
    const { secret } = h.subkey();
    h.upstream.respond = (request, response) => {
      const body = JSON.stringify({ error: { message: `Incorrect API key provided: ${echoed(request)}.`, type: 'invalid_request_error', code: 'invalid_api_key' } });
      response.writeHead(401, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    };
    const error = await h
      .client(secret)
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const message = (error as InstanceType<typeof OpenAI.AuthenticationError>).message;
    expect(message).not.toContain(UPSTREAM_KEY);
    expect(message).toContain(`Incorrect API key provided: Bearer ${MASK}.`);
  });

  it('masks it in a response header that echoes the Authorization header', async () => {
    const { secret } = h.subkey();
    h.upstream.respond = (request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'x-echo-authorization': echoed(request), 'x-echo-twice': [echoed(request), 'plain'] });
      response.end('{"ok":true}');
    };
    const answer = await h.raw('GET', '/v1/models/gpt-4o', { authorization: `Bearer ${secret}` });
    expect(answer.status).toBe(200);
    expect(everything(answer)).not.toContain(UPSTREAM_KEY);
    // Header values travel as bytes: the mask's UTF-8, as node:http hands them over (latin1).
    expect(Buffer.from(String(answer.headers['x-echo-authorization']), 'latin1').toString('utf8')).toBe(`Bearer ${MASK}`);
    expect(answer.headers['x-echo-twice']).toBeDefined();
    expect(String(answer.headers['x-echo-twice'])).not.toContain(UPSTREAM_KEY);
  });

  it('masks it in a 200 JSON body and keeps the declared content-length exact', async () => {
    const { secret } = h.subkey();
    h.upstream.respond = (request, response) => {
      const body = JSON.stringify({
        id: 'chatcmpl-echo',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4o',
        choices: [{ index: 0, message: { role: 'assistant', content: `You sent ${echoed(request)}` }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      });
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      // Two writes with the key cut in half across them.
      const cut = body.indexOf(UPSTREAM_KEY) + 10;
      response.write(body.slice(0, cut));
      setTimeout(() => response.end(body.slice(cut)), 20);
    };
    const raw = await h.raw('POST', '/v1/chat/completions', { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, JSON.stringify({ model: 'gpt-4o', messages: [] }));
    expect(raw.status).toBe(200);
    expect(everything(raw)).not.toContain(UPSTREAM_KEY);
    expect(Buffer.byteLength(raw.body)).toBe(Number(raw.headers['content-length']));
    expect((JSON.parse(raw.body) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe(`You sent Bearer ${MASK}`);

    const completion = await h.client(secret).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]!.message.content).toBe(`You sent Bearer ${MASK}`);
  });

  it('masks a key split across two SSE chunks, while the complete event before it is not held back', async () => {
    const { secret } = h.subkey();
    const firstEventSeen = deferred<void>();
    h.upstream.respond = (request, response) => {
      const key = echoed(request).slice('Bearer '.length);
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: {"first":true}\n\ndata: {"echo":"${key.slice(0, 20)}`);
      // The rest waits until the client has the first event: a scrubber that held it would hang here.
      void firstEventSeen.promise.then(() => response.end(`${key.slice(20)}"}\n\ndata: [DONE]\n\n`));
    };
    const body = await new Promise<string>((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port: h.running.port, method: 'POST', path: '/v1/responses', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' } },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => {
            text += chunk.toString();
            if (text.includes('data: {"first":true}\n\n')) firstEventSeen.resolve();
          });
          response.on('end', () => resolve(text));
        },
      );
      request.on('error', reject);
      request.end(JSON.stringify({ model: 'gpt-4o', input: 'hi', stream: true }));
    });
    expect(body).toBe(`data: {"first":true}\n\ndata: {"echo":"${MASK}"}\n\ndata: [DONE]\n\n`);
  });

  it('masks it in a chat stream whose usage Keygate asked for itself', async () => {
    const { secret } = h.subkey();
    h.upstream.respond = (request, response) => {
      const key = echoed(request).slice('Bearer '.length);
      const chunk = (content: string): string =>
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta: { content }, finish_reason: null }], usage: null })}\n\n`;
      const text = chunk(`key: ${key}`);
      const cut = text.indexOf(key) + 7;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(text.slice(0, cut));
      setTimeout(() => response.end(`${text.slice(cut)}data: [DONE]\n\n`), 20);
    };
    const stream = await h.client(secret).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let content = '';
    for await (const part of stream) content += part.choices[0]?.delta.content ?? '';
    expect(content).toBe(`key: ${MASK}`);
  });

  it('masks it in a filtered model list, also where upstream \\u-escaped it', async () => {
    const { secret } = h.subkey({ allowModels: ['gpt-4o'] });
    h.upstream.respond = (request, response) => {
      const key = echoed(request).slice('Bearer '.length);
      const escaped = `${key.slice(0, 5)}\\u00${key.charCodeAt(5).toString(16)}${key.slice(6)}`;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`{"object":"list","data":[{"id":"gpt-4o","object":"model","owned_by":"${key}","note":"${escaped}"},{"id":"gpt-4o-mini","object":"model","owned_by":"x"}]}`);
    };
    const answer = await h.raw('GET', '/v1/models', { authorization: `Bearer ${secret}` });
    expect(answer.status).toBe(200);
    expect(everything(answer)).not.toContain(UPSTREAM_KEY);
    expect(JSON.parse(answer.body)).toEqual({ object: 'list', data: [{ id: 'gpt-4o', object: 'model', owned_by: MASK, note: MASK }] });
  });

  it('masks it in a raw pass-through body split over chunks, padding to the declared length', async () => {
    const { secret } = h.subkey();
    h.upstream.respond = (request, response) => {
      const body = Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.from(`text ${echoed(request)} more`), Buffer.from([254, 0])]);
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      const cut = body.indexOf('REAL');
      response.write(body.subarray(0, cut));
      setTimeout(() => response.end(body.subarray(cut)), 20);
    };
    const answer = await new Promise<{ length: number; body: Buffer }>((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port: h.running.port, method: 'POST', path: '/v1/audio/speech', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/octet-stream' } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ length: Number(response.headers['content-length']), body: Buffer.concat(chunks) }));
        },
      );
      request.on('error', reject);
      request.end('x');
    });
    expect(answer.body.includes(UPSTREAM_KEY)).toBe(false);
    expect(answer.body.length).toBe(answer.length);
    const expected = Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.from(`text Bearer ${MASK} more`), Buffer.from([254, 0])]);
    expect(answer.body.subarray(0, expected.length)).toEqual(expected);
    expect(answer.body.subarray(expected.length).toString()).toMatch(/^ +$/);
  });
});
